"""``surveyapp users``: create accounts (the first admin too) and list them."""

from __future__ import annotations

import sys

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.models.user import ROLES


@main.group("users")
def users_group() -> None:
    """用户账户 / User accounts."""


@users_group.command("create")
@click.option("--username", required=True, help="Login name (no spaces).")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Role of the account.")
@click.option(
    "--sector",
    "sectors",
    multiple=True,
    help="A sector a bureau account may see (repeat for several), e.g. catering.",
)
@click.option(
    "--provider",
    "provider_key",
    default=None,
    help="The provider a provider account speaks for: its credit code or registration number.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (default: generate one).",
)
@click.option(
    "--must-change/--no-must-change",
    default=None,
    help="Force a password change at first sign-in "
    "(default: yes for a generated password, no for --password-stdin).",
)
@pass_appctx
def create(
    ctx: AppContext,
    username: str,
    role: str,
    sectors: tuple[str, ...],
    provider_key: str | None,
    password_stdin: bool,
    must_change: bool | None,
) -> None:
    """Create an account; a generated password is printed once."""
    from surveyapp.accounts.service import AccountError, create_user
    from surveyapp.providers.comments import provider_id_of

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: stdin has no password on its first line")
    force = (not password_stdin) if must_change is None else must_change
    with ctx.session() as session:
        provider_id = None
        if provider_key is not None:
            provider_id = provider_id_of(session, provider_key)
            if provider_id is None:
                fail(f"--provider {provider_key}: no provider has this credit code or number")
        try:
            user, initial = create_user(
                session,
                username,
                role,
                password,
                sectors=list(sectors),
                actor="cli",
                must_change_password=force,
                provider_id=provider_id,
            )
        except AccountError as exc:
            session.rollback()
            fail(str(exc))
        session.commit()
        click.echo(
            f"created {role} {user.username}"
            + (f" ({', '.join(user.sectors)})" if user.sectors else "")
        )
        if not password_stdin:
            click.echo(f"initial password (shown once): {initial}")
        if force:
            click.echo("the password must be changed at first sign-in")


@users_group.command("list")
@pass_appctx
def list_users(ctx: AppContext) -> None:
    """List accounts: username, role, sectors, state, last sign-in."""
    from sqlalchemy import select

    from surveyapp.accounts.service import throttled_accounts
    from surveyapp.models.user import User

    with ctx.session() as session:
        rows = list(session.scalars(select(User).order_by(User.username)))
        held = throttled_accounts(session)
        if not rows:
            click.echo(
                "no accounts (create the first admin: surveyapp users create --role admin ...)"
            )
            return
        click.echo("username\trole\tsectors\tstate\tlast_login")
        for u in rows:
            state = (
                "throttled"
                if u.username in held
                else (
                    "disabled"
                    if not u.active
                    else "must-change-password"
                    if u.must_change_password
                    else "ok"
                )
            )
            last = u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else "-"
            click.echo(f"{u.username}\t{u.role}\t{','.join(u.sectors) or '-'}\t{state}\t{last}")
