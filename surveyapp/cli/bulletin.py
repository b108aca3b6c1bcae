"""``surveyapp bulletin``: render a period's bulletin, publish it, publish what is due.

surveyapp bulletin --period 2026Q3 [--sector catering ...] [--lang zh|en] --out FILE.pdf
surveyapp bulletin publish --period 2026Q3 [--replaces N] [--interim]
surveyapp bulletin publish --due
surveyapp bulletin list
"""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.cli.progress import progress_bar

LANG = click.Choice(["zh", "en"])


def _settings(ctx: AppContext, font: str | None, margins: str | None):
    from surveyapp.bulletins import BulletinError, bulletin_settings

    try:
        return bulletin_settings(ctx.app.config, font_path=font, margins_file=margins)
    except BulletinError as exc:
        fail(str(exc))


font_option = click.option(
    "--font",
    type=click.Path(dir_okay=False),
    default=None,
    help="TrueType CJK font to embed (default: SURVEYAPP_BULLETIN_FONT, else wqy-microhei "
    "if installed, else the built-in STSong-Light).",
)
margins_option = click.option(
    "--margins",
    type=click.Path(dir_okay=False),
    default=None,
    help="MARGINS.csv to weight to where a round has none uploaded (default: "
    "SURVEYAPP_MARGINS_FILE, else unweighted).",
)


@main.group("bulletin", invoke_without_command=True)
@click.option("--period", help="Period to report, e.g. 2026Q3.")
@click.option("--sector", "sectors", multiple=True, help="Only this sector (repeatable).")
@click.option("--lang", type=LANG, default="zh", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="PDF file to write.")
@font_option
@margins_option
@pass_appctx
@click.pass_context
def bulletin_group(
    click_ctx: click.Context,
    ctx: AppContext,
    period: str | None,
    sectors: tuple[str, ...],
    lang: str,
    out: str | None,
    font: str | None,
    margins: str | None,
) -> None:
    """监测公报 / Monitoring bulletins: render a draft for --period into --out."""
    if click_ctx.invoked_subcommand is not None:
        return
    if not period or not out:
        fail("give --period and --out to render a draft (or a subcommand: publish, list)")
    from surveyapp.bulletins import BulletinError, prepare_bulletin

    settings = _settings(ctx, font, margins)
    with ctx.session() as session:
        try:
            draft = prepare_bulletin(session, period, lang=lang, sectors=sectors, settings=settings)
            pdf = draft.render()
        except (BulletinError, ValueError) as exc:
            fail(str(exc))
    try:
        Path(out).write_bytes(pdf)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    font_note = "embedded" if draft.fonts.embedded else "not embedded"
    click.echo(
        f"draft bulletin for {period} ({lang}) written to {out}: {len(pdf):,} bytes, "
        f"font {draft.fonts.name} ({font_note})"
    )


@bulletin_group.command("publish")
@click.option("--period", help="Period to publish.")
@click.option("--due", is_flag=True, help="Publish every closed period that has no bulletin yet.")
@click.option("--lang", type=LANG, default="zh", show_default=True)
@click.option("--replaces", type=int, default=None, help="Edition number this one corrects.")
@click.option(
    "--interim",
    is_flag=True,
    help="Confirm publishing while a round of the period is still open: the edition is "
    "marked 中期 / interim (without it, such a period is refused).",
)
@font_option
@margins_option
@pass_appctx
def publish(
    ctx: AppContext,
    period: str | None,
    due: bool,
    lang: str,
    replaces: int | None,
    interim: bool,
    font: str | None,
    margins: str | None,
) -> None:
    """Publish a new, permanent edition (for --period, or every --due period)."""
    from sqlalchemy.exc import IntegrityError

    from surveyapp.bulletins import BulletinError, publish_bulletin, publish_due

    if bool(period) == due:
        fail("give either --period P or --due")
    if due and replaces is not None:
        fail("--replaces goes with --period, not --due")
    if due and interim:
        fail("--interim goes with --period, not --due (--due publishes closed periods only)")
    settings = _settings(ctx, font, margins)
    with ctx.session() as session:
        if due:
            with progress_bar("publishing 发布") as report:
                outcomes = publish_due(session, lang=lang, settings=settings, progress=report)
            session.commit()
            if not outcomes:
                click.echo("no period is due")
            for o in outcomes:
                if o.bulletin is None:
                    click.echo(f"{o.period}: skipped: {o.message}")
                else:
                    b = o.bulletin
                    click.echo(
                        f"{o.period}: published edition {b.edition} ({b.pages} pages, sha256 {b.sha256})"
                    )
            return
        try:
            b = publish_bulletin(
                session,
                str(period),
                lang=lang,
                settings=settings,
                replaces=replaces,
                interim=interim,
            )
            session.commit()
        except (BulletinError, ValueError) as exc:
            session.rollback()
            fail(str(exc))
        except IntegrityError:
            session.rollback()
            fail("another bulletin was published at the same time; run the command again")
        note = f", replaces edition {replaces}" if replaces is not None else ""
        if b.inputs.get("interim"):
            note += ", interim: rounds still open " + ", ".join(b.inputs["open_rounds"])
        click.echo(
            f"published edition {b.edition} for {period} ({lang}{note}): "
            f"{b.pages} pages, sha256 {b.sha256}"
        )


@bulletin_group.command("list")
@pass_appctx
def list_command(ctx: AppContext) -> None:
    """Published editions, newest first."""
    from surveyapp.publications import list_editions

    with ctx.session() as session:
        rows = list_editions(session)
        if not rows:
            click.echo("no bulletin published yet")
        for b in rows:
            rep = f" replaces {b.replaces.edition}" if b.replaces is not None else ""
            click.echo(
                f"No.{b.edition}\t{b.period}\t{b.lang}\t{b.published_at:%Y-%m-%d}\t{b.sha256}{rep}"
            )
