"""``surveyapp providers``: the provider registry (import, list, export) and the providers' scores.

Thin wrappers over :mod:`surveyapp.providers`.  Bad input ends with exit status 2 and one
line per problem naming the file, the row (the file's own line number, header = 1) and
the column; an import is all or nothing.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx

_FORMAT = click.Choice(["table", "json"])


@main.group("providers")
def providers_group() -> None:
    """市场主体 / the provider registry and providers' scores."""


def _sector_option(value: str | None) -> str | None:
    """``--sector``: a catalogue code (or its Chinese name), else exit 2."""
    from surveyapp.providers.registry_file import sector_code
    from surveyapp.sectors import SECTORS

    if value is None:
        return None
    code = sector_code(value)
    if code is None:
        fail(f"--sector: unknown sector {value!r} (one of {', '.join(s.code for s in SECTORS)})")
    return code


def _cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a Chinese character two)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(unicodedata.east_asian_width(c) in "WF" for c in text if c > "\u10ff")


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their display width (a Chinese character is two columns)."""
    widths = [max(_cell_width(r[j]) for r in (header, *rows)) for j in range(len(header))]
    for r in (header, ["-" * w for w in widths], *rows):
        cells = [v + " " * (w - _cell_width(v)) for v, w in zip(r, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _json(doc: Any) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))


@providers_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@pass_appctx
def import_(ctx: AppContext, csv_path: str) -> None:
    """Import a registry file (UTF-8 or GBK/GB18030); nothing is stored unless every row is good
    (else exit status 2 and one line per problem, naming file, row and column).

    Providers already registered under the same credit code (or registration number)
    are updated, never duplicated."""
    from sqlalchemy.exc import IntegrityError

    from surveyapp.providers.registry import import_registry
    from surveyapp.providers.registry_file import read_registry
    from surveyapp.responses.importer import ImportFailed

    path = Path(csv_path)
    if not path.is_file():
        fail(f"{csv_path}: no such file")
    try:
        registry = read_registry(path, name=csv_path)
    except ImportFailed as exc:
        for line in exc.lines():  # one line per problem, and nothing else: nothing was stored
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    if registry.ignored:
        click.echo(f"note: {csv_path}: columns ignored: {', '.join(registry.ignored)}", err=True)
    with ctx.session() as session:
        try:
            outcome = import_registry(session, registry, "cli")
        except IntegrityError:  # rolled back: another import stored one of these codes first
            fail(
                f"{csv_path}: the registry changed while importing (another import?); "
                "nothing imported: run the command again"
            )
    for row, code, kept in outcome.merged:
        click.echo(
            f"note: {csv_path}: row {row}: {code} was merged into {kept}: "
            "left merged (closed), the provider kept is unchanged",
            err=True,
        )
    click.echo(
        f"{len(registry.records)} provider(s) in {csv_path} ({registry.encoding}): "
        f"{outcome.created} new, {outcome.updated} updated, {outcome.unchanged} unchanged"
        + (f", {len(outcome.merged)} merged duplicate(s) left as merged" if outcome.merged else "")
    )


@providers_group.command("list")
@click.option("--sector", default=None, help="Only this sector (a code, e.g. catering).")
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
@pass_appctx
def list_(ctx: AppContext, sector: str | None, fmt: str) -> None:
    """List registered providers by district and name."""
    from surveyapp.providers.export import provider_fields
    from surveyapp.providers.registry import list_providers

    code = _sector_option(sector)
    with ctx.session() as session:
        providers = list_providers(session, code)
        if fmt == "json":
            _json({"providers": [provider_fields(p) for p in providers]})
            return
        if not providers:
            click.echo("no providers (import a registry: surveyapp providers import FILE.csv)")
            return
        header = ["id", "name", "sectors", "district", "status", "lat,lon"]
        rows = [
            [
                p.key,
                p.name,
                ";".join(p.sectors),
                p.district,
                p.status,
                f"{p.lat:.6f},{p.lon:.6f}" if p.lat is not None and p.lon is not None else "-",
            ]
            for p in providers
        ]
        _print_table(header, rows)


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _sector_title(sec: Any) -> str:
    from surveyapp.sectors import sector_name

    title = f"{sector_name(sec.sector, 'zh')} {sec.sector}"
    prior = sec.prior
    if prior is None:
        return f"{title}: no ratings in the window"
    scope = ", fitted over all sectors" if prior.scope != "sector" else ""
    return (
        f"{title}: prior Beta({prior.alpha:.3f}, {prior.beta:.3f}), {prior.method}{scope}; "
        f"scores published from n = {sec.min_n}"
    )


def _scores_table(sectors: Sequence[Any], labels: dict[str, Any]) -> None:
    from analysis.provider_scores import lowest_first

    for i, sec in enumerate(sectors):
        if i:
            click.echo("")
        click.echo(_sector_title(sec))
        ranked = lowest_first(sec)
        ranked_ids = {p.id for p in ranked}
        rest = sorted((p for p in sec.providers if p.id not in ranked_ids), key=lambda p: -p.n)
        header = ["id", "name", "district", "n", "satisfied", "raw", "posterior", "95% CI",
                  "published"]  # fmt: skip
        rows = [
            [
                p.id,
                labels[p.id].name,
                labels[p.id].district,
                str(p.n),
                str(p.satisfied),
                _share(p.raw_share),
                _share(p.posterior_share),
                "-" if p.ci is None else f"{p.ci[0]:.3f}–{p.ci[1]:.3f}",
                "yes" if p.published else f"no (n < {sec.min_n})",
            ]
            for p in (*ranked, *rest)
        ]
        _print_table(header, rows)


@providers_group.command("scores")
@click.option("--sector", default=None, help="Only this sector (a code, e.g. catering).")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Compute at this China day (default: today); the window ends with it.",
)
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
@pass_appctx
def scores(ctx: AppContext, sector: str | None, as_of: str | None, fmt: str) -> None:
    """Providers' scores over the rolling window: each sector's prior and every provider's
    posterior share of satisfied ratings (4-5 stars), lowest first in the table."""
    from analysis.provider_scores import scores_json
    from surveyapp.models.base import utcnow
    from surveyapp.providers.scores import compute_scores, only_sector, score_window
    from surveyapp.rounds.dates import DateError, china_today, parse_day

    code = _sector_option(sector)
    try:
        day = parse_day(as_of) if as_of is not None else china_today(utcnow())
    except DateError as exc:
        fail(f"--as-of: {exc}")
    if day is None:
        fail("--as-of: give a date like 2026-10-01")
    with ctx.session() as session:
        months = int(ctx.app.config["PROVIDER_SCORE_WINDOW_MONTHS"])
        try:
            window = score_window(day, months)
        except ValueError as exc:
            fail(f"SURVEYAPP_PROVIDER_SCORE_WINDOW_MONTHS: {exc}")
        try:
            result = compute_scores(session, window, ctx.app.config["PROVIDER_MIN_RATINGS"])
        except ValueError as exc:  # stored data the estimation refuses (e.g. an id twice)
            fail(f"the stored ratings cannot be scored: {exc}")
    shown = only_sector(result.sectors, code)
    span = f"ratings of {window.first.isoformat()}..{window.last.isoformat()} (China time)"
    if fmt == "json":
        click.echo(f"note: {span}", err=True)
        _json(scores_json(shown, result.labels))
        return
    click.echo(span)
    if not shown:
        click.echo("no providers" + (f" in {code}" if code else ""))
        return
    click.echo("")
    _scores_table(shown, result.labels)


@providers_group.command("export")
@click.option("--sector", default=None, help="Only this sector (a code, e.g. catering).")
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The file to write (default: standard output).",
)
@pass_appctx
def export(ctx: AppContext, sector: str | None, out: str) -> None:
    """Write the registry as a registry file (the columns `providers import` reads, UTF-8
    with a BOM), so that an export imported again changes nothing."""
    from surveyapp.providers.export import registry_csv
    from surveyapp.providers.registry import list_providers

    code = _sector_option(sector)
    with ctx.session() as session:
        providers = list_providers(session, code)
        body = registry_csv(providers)
    if out == "-":
        click.echo(body, nl=False)  # bytes: written as they are
        return
    try:
        Path(out).write_bytes(body)
    except OSError as exc:
        fail(f"{out}: cannot write the file: {exc.strerror or exc}")
    click.echo(f"{len(providers)} provider(s) written to {out}", err=True)
