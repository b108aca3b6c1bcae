"""``surveyapp keys``: channel keys of the submission API (create, list, revoke).

Thin wrappers over :mod:`surveyapp.channels`; every change is audited with the actor
``cli``.  The plain key is printed once, as the last line of ``create``, and never again.
"""

from __future__ import annotations

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx


@main.group("keys")
def keys_group() -> None:
    """渠道密钥 / channel keys for posting responses (kiosks, mini-programs, call centres)."""


@keys_group.command("create")
@click.option("--name", required=True, help="Which kiosk, back end or call centre it is for.")
@click.option(
    "--channel",
    required=True,
    help="kiosk, miniprogram, phone or paper: the channel of every response it posts.",
)
@click.option(
    "--rounds", default=None, help="Round codes it may post to, comma-separated (default: all)."
)
@click.option(
    "--trusted-stamps",
    is_flag=True,
    help="Its client records when a resident started: the speeder rule may use started_at.",
)
@pass_appctx
def create(
    ctx: AppContext, name: str, channel: str, rounds: str | None, trusted_stamps: bool
) -> None:
    """Make a channel key; the key is printed once, as the last line."""
    from surveyapp.channels import ChannelKeyError, create_key, parse_rounds

    codes = parse_rounds(rounds)
    if rounds is not None and not codes:
        fail("--rounds: give round codes separated by commas, or leave it out for every round")
    with ctx.session() as session:
        try:
            key, plain = create_key(
                session,
                name,
                channel.strip(),
                rounds=codes,
                trusted_stamps=trusted_stamps,
                actor="cli",
            )
        except ChannelKeyError as exc:
            session.rollback()
            option = {"key_bad_name": "--name", "key_bad_channel": "--channel"}.get(
                exc.code, "--rounds"
            )
            fail(f"{option}: {exc}")
        key_id, scope = key.id, ", ".join(key.rounds or ()) or "every round"
        session.commit()
        stamps = "; trusted stamps" if trusted_stamps else ""
        click.echo(
            f"created key {key_id} {name.strip()!r} ({channel}) for {scope}{stamps}", err=True
        )
        click.echo("the key is shown once; keep it secret:", err=True)
        click.echo(plain)


@keys_group.command("list")
@pass_appctx
def list_keys(ctx: AppContext) -> None:
    """List channel keys (never the keys themselves): id, name, channel, rounds, state, dates."""
    from surveyapp.channels import keys_list

    def when(value) -> str:
        return value.isoformat(timespec="seconds") if value else "-"

    with ctx.session() as session:
        rows = keys_list(session)
        if not rows:
            click.echo("no keys (make one: surveyapp keys create --name NAME --channel kiosk)")
            return
        click.echo("id\tname\tchannel\trounds\tstamps\tstate\tcreated\tlast_used")
        for key in sorted(rows, key=lambda r: r.id):
            click.echo(
                f"{key.id}\t{key.name}\t{key.channel}\t{','.join(key.rounds or ()) or '*'}\t"
                f"{'trusted' if key.trusted_stamps else '-'}\t"
                f"{'revoked' if key.revoked_at else 'active'}\t"
                f"{when(key.created_at)}\t{when(key.last_used_at)}"
            )


@keys_group.command("revoke")
@click.argument("key_id")
@pass_appctx
def revoke(ctx: AppContext, key_id: str) -> None:
    """Revoke channel key KEY_ID (see ``keys list``); it stops working at once."""
    from surveyapp.channels import ChannelKeyError, revoke_key
    from surveyapp.models.channel_key import ChannelKey

    if not key_id.strip().isdigit() or len(key_id.strip()) > 9:
        fail(f"ID: not a key number: {key_id!r} (see surveyapp keys list)")
    with ctx.session() as session:
        key = session.get(ChannelKey, int(key_id))
        if key is None:
            fail(f"no channel key {key_id}")
        try:
            revoke_key(session, key, actor="cli")
        except ChannelKeyError as exc:
            session.rollback()
            fail(str(exc))
        name = key.name
        session.commit()
        click.echo(f"revoked channel key {key_id} {name!r}")
