"""``surveyapp responses``: import from CSV (all or nothing) and stream an export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.cli.progress import progress_bar


@main.group("responses")
def responses_group() -> None:
    """答卷 / Responses."""


@responses_group.command("import")
@click.argument("csv_path", metavar="CSV", type=click.Path(dir_okay=False))
@click.option("--round", "code", required=True, help="Round code to import into.")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="e.g. gb18030.")
@pass_appctx
def import_(ctx: AppContext, csv_path: str, code: str, encoding: str) -> None:
    """Import responses from CSV; nothing is imported unless every row is good."""
    from surveyapp.responses.importer import ImportFailed, import_csv
    from surveyapp.rounds.service import get_round

    path = Path(csv_path)
    if not path.is_file():
        fail(f"{csv_path}: no such file")
    with ctx.session() as session:
        round_ = get_round(session, code)
        if round_ is None:
            fail(f"no round with code {code!r}")
        try:
            with progress_bar("checking rows 检查") as report:
                count = import_csv(session, round_, path, encoding=encoding, progress=report)
        except LookupError:
            fail(f"--encoding: unknown encoding {encoding!r}")
        except ImportFailed as exc:
            lines = exc.lines()
            for line in lines[:50]:
                click.echo(f"error: {line}", err=True)
            if len(lines) > 50:
                click.echo(f"error: … and {len(lines) - 50} more problems", err=True)
            click.echo(f"nothing imported ({len(lines)} problem(s))", err=True)
            sys.exit(2)
    click.echo(f"{count} response(s) imported into {code}")


@responses_group.command("export")
@click.option("--round", "code", required=True, help="Round code to export.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "sav"]),
    default="csv",
    show_default=True,
    help="csv (UTF-8 with BOM, for Excel and analyze), xlsx, or SPSS sav with labels.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="-",
    show_default=True,
    help="File to write ('-' = standard output, csv only).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the labels (xlsx codebook, sav labels).",
)
@pass_appctx
def export(ctx: AppContext, code: str, fmt: str, out: str, lang: str) -> None:
    """Export a round's responses (CSV is streamed in constant memory)."""
    from surveyapp.responses.exporter import export_csv
    from surveyapp.responses.formats import export_sav, export_xlsx
    from surveyapp.rounds.service import get_round

    if fmt != "csv" and out == "-":
        fail(f"--format {fmt} needs --out FILE")
    with ctx.session() as session:
        round_ = get_round(session, code)
        if round_ is None:
            fail(f"no round with code {code!r}")
        if fmt != "csv":
            writer = export_xlsx if fmt == "xlsx" else export_sav
            with progress_bar("exporting 导出") as report:
                count = writer(session, round_, Path(out), lang=lang, progress=report)
            click.echo(f"{count} response(s) written to {out}", err=True)
            return
        stream = open(out, "w", encoding="utf-8", newline="") if out != "-" else None  # noqa: SIM115
        target = stream or sys.stdout
        try:
            with progress_bar("exporting 导出") as report:
                for chunk in export_csv(session, round_, progress=report):
                    target.write(chunk)
        finally:
            if stream is not None:
                stream.close()
