"""``surveyapp rounds``: open, list, close, delete and archive survey rounds; issue
invitations.  Dates are China days (:mod:`surveyapp.rounds.dates`)."""

from __future__ import annotations

from datetime import datetime

import click

from surveyapp import csv_safe
from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.rounds.dates import DateError, first_day, last_day, parse_instant


def _date(value: str | None, option: str, *, closing: bool) -> datetime | None:
    try:
        return parse_instant(value, closing=closing)
    except DateError as exc:
        fail(f"{option}: {exc}")


def _days(opens_at: datetime, closes_at: datetime) -> str:
    """``2026-10-01 – 2026-12-31 (China time, last day included)``."""
    return f"{first_day(opens_at)} – {last_day(closes_at)} (China time, last day included)"


@main.group("rounds")
def rounds_group() -> None:
    """调查轮次 / Survey rounds."""


@rounds_group.command("create")
@click.option("--questionnaire", "qid", required=True, help="Questionnaire id, e.g. catering.")
@click.option("--version", type=int, default=None, help="Version (default: newest published).")
@click.option("--period", required=True, help="Period, e.g. 2026Q3.")
@click.option(
    "--opens",
    default=None,
    help="First day, China time, open from 00:00 (default: the period's first day).",
)
@click.option(
    "--closes",
    default=None,
    help="Last day, China time, included until 23:59:59 (default: the period's last day).",
)
@click.option("--districts", default=None, help="Comma-separated districts (default: all).")
@click.option("--target", "targets", multiple=True, help="DISTRICT=N target sample size.")
@click.option("--code", default=None, help="Round code used in the URL (default: ID-PERIOD).")
@click.option("--require-token", is_flag=True, help="Only invited respondents may answer.")
@click.option(
    "--parallel",
    is_flag=True,
    help="A parallel sample: may run beside another open or scheduled round of the same "
    "sector, period and districts (shown beside it).",
)
@pass_appctx
def create(
    ctx: AppContext,
    qid,
    version,
    period,
    opens,
    closes,
    districts,
    targets,
    code,
    require_token,
    parallel,
):
    """Open a round of a published questionnaire version.

    Dates are China days: the round opens at 00:00 of --opens and takes answers until
    23:59:59 of --closes.  Only one round of a sector may be open or scheduled for a
    period and overlapping districts, unless --parallel.
    """
    from surveyapp.catalog import find_version
    from surveyapp.rounds.service import RoundError, create_round

    parsed_targets = {}
    for item in targets:
        district, sep, number = item.partition("=")
        if not sep or not number.isdigit():
            fail(f"--target {item!r} must look like 思茅区=400")
        parsed_targets[district] = int(number)
    with ctx.session() as session:
        row = find_version(session, qid, version)
        if row is None:
            fail(
                f"questionnaire {qid!r}{f' v{version}' if version else ''} is not published "
                "(run: surveyapp questionnaires load)"
            )
        try:
            round_ = create_round(
                session,
                row,
                period,
                opens_at=_date(opens, "--opens", closing=False),
                closes_at=_date(closes, "--closes", closing=True),
                districts=[d.strip() for d in districts.split(",")] if districts else None,
                targets=parsed_targets,
                code=code,
                require_token=require_token,
                parallel=parallel,
                actor="cli",
            )
        except RoundError as exc:
            session.rollback()
            fail(str(exc))
        session.commit()
        click.echo(
            f"round {round_.code} opened: {row.qid} v{row.version}, {period}, "
            f"{_days(round_.opens_at, round_.closes_at)}"
            f"{', parallel sample' if parallel else ''}, /s/{round_.code}"
        )


@rounds_group.command("list")
@pass_appctx
def list_(ctx: AppContext) -> None:
    """List rounds with their state and response counts."""
    from sqlalchemy import func, select

    from surveyapp.models import Response
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.service import list_rounds

    with ctx.session() as session:
        counts = dict(
            session.execute(
                select(Response.round_id, func.count()).group_by(Response.round_id)
            ).all()
        )
        now = utcnow()
        for r in list_rounds(session):
            v = r.questionnaire_version
            state = "archived" if r.archived_at is not None else r.state(now)
            marks = " parallel" if r.parallel else ""
            click.echo(
                f"{r.code}\t{v.qid} v{v.version}\t{r.period}\t"
                f"{first_day(r.opens_at)}..{last_day(r.closes_at)}\t{state}{marks}\t"
                f"{counts.get(r.id, 0)} responses"
            )


def _change_round(ctx: AppContext, code: str, action: str, done: str) -> None:
    """Apply ``action`` (``close_round``, ``delete_round`` or ``archive_round`` of
    :mod:`surveyapp.rounds.service`) to round ``code``, audited as the CLI; a refusal is
    one line and exit 2, with nothing changed."""
    from surveyapp.rounds import service

    with ctx.session() as session:
        round_ = service.get_round(session, code)
        if round_ is None:
            fail(f"no round with code {code!r}")
        try:
            getattr(service, action)(session, round_, actor="cli")
        except service.RoundError as exc:
            session.rollback()
            fail(str(exc))
        session.commit()
        click.echo(f"round {code} {done}")


@rounds_group.command("close")
@click.argument("code")
@pass_appctx
def close(ctx: AppContext, code: str) -> None:
    """Close a round: no further responses are taken."""
    _change_round(ctx, code, "close_round", "closed")


@rounds_group.command("delete")
@click.argument("code")
@pass_appctx
def delete(ctx: AppContext, code: str) -> None:
    """Delete a round made by mistake (only while it has no response)."""
    _change_round(ctx, code, "delete_round", "deleted")


@rounds_group.command("archive")
@click.argument("code")
@pass_appctx
def archive(ctx: AppContext, code: str) -> None:
    """Archive a round: hidden from dashboards and bulletins, kept in the database."""
    _change_round(
        ctx, code, "archive_round", "archived (hidden from dashboards and bulletins, data kept)"
    )


@rounds_group.command("invite")
@click.argument("code")
@click.option("--count", type=int, required=True, help="How many single-use tokens.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV file to write.")
@click.option(
    "--base-url",
    default=None,
    help="Public address of the survey (default: SURVEYAPP_PUBLIC_URL, else http://127.0.0.1:5000).",
)
@pass_appctx
def invite(ctx: AppContext, code: str, count: int, out: str, base_url: str | None) -> None:
    """Create COUNT single-use invitation tokens and write them with their links as CSV."""
    base_url = base_url or ctx.app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    from surveyapp.rounds.service import RoundError, get_round, issue_invitations

    with ctx.session() as session:
        round_ = get_round(session, code)
        if round_ is None:
            fail(f"no round with code {code!r}")
        try:
            tokens = issue_invitations(session, round_, count, actor="cli")
        except RoundError as exc:
            fail(str(exc))
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv_safe.writer(fh)
            writer.writerow(["token", "url"])
            for token in tokens:
                writer.writerow([token, f"{base_url.rstrip('/')}/s/{code}?t={token}"])
        session.commit()
    click.echo(f"{count} invitation(s) written to {out}")


@rounds_group.command("auxiliaries")
@click.argument("code")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_appctx
def auxiliaries(ctx: AppContext, code: str, file: str) -> None:
    """Store FILE (district + numeric covariates, CSV) as the round's district
    auxiliaries: its districts get small-area (model-based) estimates."""
    from surveyapp.csvtable import InputError
    from surveyapp.i18n import bilingual
    from surveyapp.indices.auxiliaries_file import read_auxiliaries
    from surveyapp.rounds.service import get_round, set_round_auxiliaries

    with ctx.session() as session:
        round_ = get_round(session, code)
        if round_ is None:
            fail(f"no round with code {code!r}")
        try:
            values = read_auxiliaries(file, list(round_.districts or []))
        except InputError as exc:
            fail(str(exc))
        set_round_auxiliaries(session, round_, values, actor="cli", source=file)
        session.commit()
    click.echo(bilingual("sae_cli_saved", code=code, n=len(values)))
