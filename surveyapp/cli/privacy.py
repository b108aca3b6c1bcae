"""``surveyapp privacy purge``: the hash-retention rule, run daily from cron."""

from __future__ import annotations

import click

from surveyapp.cli.base import AppContext, main, pass_appctx


@main.group("privacy")
def privacy_group() -> None:
    """个人信息保护 / Personal-data rules."""


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be cleared.")
@pass_appctx
def purge(ctx: AppContext, dry_run: bool) -> None:
    """Clear device and fingerprint hashes of rounds closed SURVEYAPP_HASH_RETENTION_DAYS ago.

    Safe to run every day: rounds already purged are skipped; answers are untouched.
    """
    from surveyapp.models.base import utcnow
    from surveyapp.privacy.retention import purge_expired_hashes

    days = int(ctx.app.config["HASH_RETENTION_DAYS"])
    with ctx.session() as session:
        report = purge_expired_hashes(session, utcnow(), days, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    verb = "would clear" if dry_run else "cleared"
    for item in report.rounds:
        click.echo(
            f"round {item.code} (closed {item.ended_at:%Y-%m-%d}): "
            f"{verb} the hashes of {item.responses} response(s)"
        )
    click.echo(
        f"{len(report.rounds)} round(s), {report.responses} response(s) "
        f"{'to purge' if dry_run else 'purged'}; retention {days} day(s) after closing"
    )
