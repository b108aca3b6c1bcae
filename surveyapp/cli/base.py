"""The root command group and the shared app/session helpers of the CLI."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from typing import NoReturn

import click
from flask import Flask

from surveyapp import create_app
from surveyapp.config import ConfigError


class AppContext:
    """Creates the app lazily so ``surveyapp --help`` works without a database."""

    def __init__(self, database_url: str | None):
        self.database_url = database_url
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            config = {"DATABASE_URL": self.database_url} if self.database_url else None
            try:
                self._app = create_app(config)
            except ConfigError as exc:
                fail(str(exc))
        return self._app

    def close(self) -> None:
        """Release the pooled connections when the command ends (no connection outlives it)."""
        if self._app is not None:
            from surveyapp.extensions import db

            with self._app.app_context():
                db.engine.dispose()

    @contextlib.contextmanager
    def session(self) -> Iterator:
        from surveyapp.extensions import db

        with self.app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()


def fail(message: str) -> NoReturn:
    """Exit 2 with one line on stderr: the CLI's answer to bad input."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


class LazyGroup(click.Group):
    """A group whose commands are imported when one of them runs.

    ``lazy`` maps a command name to the module that defines it (the module registers it
    on :data:`main` when imported).  ``surveyapp rounds list`` then loads the rounds
    module, not the small-area estimator's SciPy or the bulletin's ReportLab: every
    command starts faster.  ``--help`` still lists (and so imports) them all.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="SURVEYAPP_DATABASE_URL",
    default=None,
    help="SQLAlchemy URL; default: SQLite file in the instance folder.",
)
@click.version_option(package_name="surveyapp")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """surveyapp — 生活性服务业满意度调查与监测 / life-services satisfaction monitoring."""
    ctx.obj = AppContext(database_url)
    ctx.call_on_close(ctx.obj.close)


pass_appctx = click.make_pass_decorator(AppContext)
