"""``surveyapp tokens``: API tokens for scripts and other systems (create, list, revoke).

Thin wrappers over :mod:`surveyapp.api.tokens`; every change is audited with the actor
``cli``.  The plain token is printed once, by ``create``, and never again.
"""

from __future__ import annotations

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx


@main.group("tokens")
def tokens_group() -> None:
    """API 访问令牌 / API tokens (Authorization: Bearer ...)."""


@tokens_group.command("create")
@click.option("--user", "username", required=True, help="The account the token acts as.")
@click.option("--name", required=True, help="A label saying what the token is for.")
@pass_appctx
def create(ctx: AppContext, username: str, name: str) -> None:
    """Make a token for an account; the token is printed once, on stdout."""
    from sqlalchemy import select

    from surveyapp.api.tokens import TokenError, create_token
    from surveyapp.models.user import User

    with ctx.session() as session:
        owner = session.scalar(select(User).where(User.username == username.strip()))
        if owner is None:
            fail(f"--user: no account {username!r}")
        try:
            token, plain = create_token(session, owner, name, actor="cli")
        except TokenError as exc:
            session.rollback()
            fail(str(exc))
        token_id = token.id
        session.commit()
        click.echo(
            f"created token {token_id} {name.strip()!r} for {owner.username} ({owner.role})",
            err=True,
        )
        click.echo("the token is shown once; keep it secret:", err=True)
        click.echo(plain)


@tokens_group.command("list")
@click.option("--user", "username", default=None, help="Only this account's tokens.")
@pass_appctx
def list_tokens(ctx: AppContext, username: str | None) -> None:
    """List tokens (never the tokens themselves): id, account, name, state, dates."""
    from sqlalchemy import select

    from surveyapp.api.tokens import tokens_of
    from surveyapp.models.user import User

    def when(value) -> str:
        return value.isoformat(timespec="seconds") if value else "-"

    with ctx.session() as session:
        owner = None
        if username is not None:
            owner = session.scalar(select(User).where(User.username == username.strip()))
            if owner is None:
                fail(f"--user: no account {username!r}")
        rows = tokens_of(session, owner)
        if not rows:
            click.echo("no tokens (make one: surveyapp tokens create --user NAME --name LABEL)")
            return
        click.echo("id\tuser\tname\tstate\tcreated\tlast_used")
        for tok in sorted(rows, key=lambda r: r.id):
            state = (
                "revoked"
                if tok.revoked_at
                else ("disabled-user" if not tok.user.active else "active")
            )
            click.echo(
                f"{tok.id}\t{tok.user.username}\t{tok.name}\t{state}\t"
                f"{when(tok.created_at)}\t{when(tok.last_used_at)}"
            )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@pass_appctx
def revoke(ctx: AppContext, token_id: int) -> None:
    """Revoke token TOKEN_ID (see ``tokens list``); it stops working at once."""
    from surveyapp.api.tokens import TokenError, revoke_token
    from surveyapp.models.api_token import ApiToken

    with ctx.session() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            fail(f"no token {token_id}")
        try:
            revoke_token(session, token, actor="cli")
        except TokenError as exc:
            session.rollback()
            fail(str(exc))
        name, owner = token.name, token.user.username
        session.commit()
        click.echo(f"revoked token {token_id} {name!r} of {owner}")
