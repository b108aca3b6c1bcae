"""``surveyapp db``: schema migrations (Alembic, through Flask-Migrate)."""

from __future__ import annotations

import click

from surveyapp.cli.base import AppContext, main, pass_appctx


@main.group("db")
def db_group() -> None:
    """数据库迁移 / Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@pass_appctx
def upgrade(ctx: AppContext, revision: str) -> None:
    """Upgrade the schema to REVISION (default: the newest)."""
    from flask_migrate import upgrade as do_upgrade

    with ctx.app.app_context():
        do_upgrade(revision=revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@pass_appctx
def downgrade(ctx: AppContext, revision: str) -> None:
    """Downgrade the schema to REVISION (default: one step back; 'base' empties it)."""
    from flask_migrate import downgrade as do_downgrade

    with ctx.app.app_context():
        do_downgrade(revision=revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
@pass_appctx
def current(ctx: AppContext) -> None:
    """Show the schema revision of the database."""
    from flask_migrate import current as show_current

    with ctx.app.app_context():
        show_current()
