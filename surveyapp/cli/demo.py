"""``surveyapp demo``: a ready-to-browse installation on the embedded SQLite database."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.cli.base import AppContext, main, pass_appctx
from surveyapp.cli.serve import run_server


@main.command("demo")
@click.option("--no-serve", is_flag=True, help="Stop after seeding the data.")
@click.option(
    "--per-round",
    default=600,
    show_default=True,
    type=int,
    help="Synthetic responses per round (two rounds per sector).",
)
@click.option("--seed", default=20261125, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_appctx
def demo(ctx: AppContext, no_serve: bool, per_round: int, seed: int, host: str, port: int) -> None:
    """Create the database, load the six questionnaires, seed responses, then serve."""
    from flask_migrate import upgrade

    from surveyapp.demo import margins_csv, seed_demo

    app = ctx.app
    for key, value in DEMO_PUBLISHER.items():  # the demo's city, unless one is configured
        app.config[key] = app.config.get(key) or value
    with app.app_context():
        upgrade()
    click.echo(f"database: {app.config['DATABASE_URL']}")
    with (
        ctx.session() as session,
        click.progressbar(length=per_round * 12, label="seeding responses") as bar,
    ):
        summary = seed_demo(
            session, per_round=per_round, seed=seed, progress=bar.update, auxiliaries=True
        )
    margins_path = Path(app.instance_path) / "demo_margins.csv"
    margins_path.write_text(margins_csv(summary.margins), encoding="utf-8")
    if summary.rounds:
        click.echo(f"seeded {summary.responses} responses in {len(summary.rounds)} rounds")
    else:
        click.echo("demo data already present; nothing added")
    click.echo(f"population margins (uploaded onto every demo round): {margins_path}")
    _publish_bulletins(ctx)
    accounts = _demo_accounts(ctx)
    for username, role, password in accounts:
        click.echo(f"sign in as {role:<9} {username} / {password}")
    if no_serve:
        return
    from surveyapp.rounds.service import current_quarter

    click.echo(f"survey home:    http://{host}:{port}/")
    click.echo(f"a survey:       http://{host}:{port}/s/catering-{current_quarter().lower()}")
    click.echo(f"bulletins:      http://{host}:{port}/bulletins")
    click.echo(f"dashboard:      http://{host}:{port}/login  (accounts above)")
    run_server(app, host, port, workers=2)


#: Who publishes the demo's bulletins and posters: its districts are Pu'er's (普洱市).
DEMO_PUBLISHER = {
    "BULLETIN_CITY": "普洱市|Pu'er",
    "BULLETIN_ISSUER": "普洱市生活性服务业第三方监测（演示）",
}

#: The demo's accounts: one of each kind a city would have (a bureau sees only catering).
DEMO_ACCOUNTS = (
    ("demo-admin", "admin", ()),
    ("demo-evaluator", "evaluator", ()),
    ("demo-bureau", "bureau", ("catering",)),
    ("demo-viewer", "viewer", ()),
)


def _demo_accounts(ctx: AppContext) -> list[tuple[str, str, str]]:
    """Make (or give a new password to) the demo accounts; ``(username, role, password)``.

    Passwords are random and printed at every start, never fixed in the code: a demo
    left running on a network must not open with a password anyone can read here.
    """
    from sqlalchemy import select

    from surveyapp.accounts.service import create_user, generate_password, hash_password
    from surveyapp.models import User

    out = []
    with ctx.session() as session:
        for username, role, sectors in DEMO_ACCOUNTS:
            password = generate_password(username)  # always passes the strength rule
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                create_user(
                    session,
                    username,
                    role,
                    password,
                    sectors=sectors,
                    actor="demo",
                    must_change_password=False,
                )
            else:
                user.password_hash = hash_password(password)
                user.session_version = (user.session_version or 1) + 1  # old sessions end
            out.append((username, role, password))
        session.commit()
    return out


def _approve_demo_suggestions(session) -> None:
    """The demo evaluator approves the demo's own canned suggestions, so its bulletin
    shows the section (a bulletin prints approved texts only); anything else residents
    of a running demo write waits in /bulletins/moderation like in a real city."""
    from surveyapp.demo import SUGGESTIONS
    from surveyapp.moderation.service import count_texts, decide, review

    canned = count_texts(text for texts in SUGGESTIONS.values() for text in texts)
    decide(session, "suggestion", review(session, "suggestion", canned), "approved", actor="demo")


def _publish_bulletins(ctx: AppContext) -> None:
    """Publish the bulletin of every closed period (the previous quarter) as an evaluator
    would; the demo's rounds carry their margins (uploaded by :func:`seed_demo`)."""
    from surveyapp.bulletins.service import bulletin_settings, publish_due

    app = ctx.app
    settings = bulletin_settings(app.config)
    with ctx.session() as session:
        _approve_demo_suggestions(session)
        session.commit()
        for outcome in publish_due(session, settings=settings):
            session.commit()
            if outcome.bulletin is None:
                click.echo(f"bulletin {outcome.period}: {outcome.message}")
                continue
            path = Path(app.instance_path) / f"bulletin-{outcome.period}.pdf"
            path.write_bytes(outcome.bulletin.pdf)
            click.echo(f"bulletin {outcome.period}: {outcome.message}, written to {path}")
