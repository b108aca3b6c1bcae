"""``surveyapp circle``: the 15-minute service circle (一刻钟便民生活圈) from files.

    surveyapp circle coverage --communities C.csv --facilities F.csv
        [--radius 1000] [--network ROADS.geojson] [--format json|table]
        [--types T1,T2,...] [--missing-csv FILE] [--svg FILE]
        [--suggest TYPE [--k 5] [--candidates SITES.csv]]
    surveyapp circle communities import C.csv       # the communities stored in the app
    surveyapp circle communities export [-o FILE]
    surveyapp circle status [--format json|table]   # stored communities × the registry

Thin wrapper over :mod:`surveyapp.circle`.  Bad input ends with exit status 2 and one
line per problem naming the file, the row (the file's own line number, header = 1) and
the column; notes (ignored columns, points off the network) go to stderr.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np

from surveyapp.cli.base import AppContext, fail, main, pass_appctx

T = TypeVar("T")

_DISTANCE_WORDS = {
    "straight-line": "直线距离 straight-line (haversine, R = 6,371,008.8 m)",
    "network": "步行网络距离 network (shortest path on the walking network)",
}


@main.group("circle")
def circle_group() -> None:
    """一刻钟便民生活圈 / the 15-minute service circle: coverage from files."""


def _read(reader: Callable[..., T], path: str) -> T | None:
    """Read one file, or print every problem of it on its own line and return ``None``."""
    from surveyapp.responses.importer import ImportFailed

    try:
        return reader(path, name=path)
    except ImportFailed as exc:
        for line in exc.lines():
            click.echo(f"error: {line}", err=True)
        return None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(report: Any, suggestion: Any | None) -> list[str]:
    """The readable form: coverage by district and type, then who lacks what."""
    types = report.types
    result = report.result
    out = [
        f"一刻钟便民生活圈 15-minute circle: radius {result.radius_m:g} m, "
        f"{_DISTANCE_WORDS[report.distance]}",
        f"{report.communities.n} communities, {report.facilities.n} facilities",
        "",
    ]
    head = ["区县 district", "人口 population", *types]
    rows = [head]
    for k, name in enumerate(report.districts):
        shares = report.district_share[k]
        rows.append(
            [
                name,
                f"{int(report.district_population[k]):,}",
                *(f"{s * 100:.1f}%" if np.isfinite(s) else "-" for s in shares),
            ]
        )
    widths = [max(_width(r[j]) for r in rows) for j in range(len(head))]
    for n, row in enumerate(rows):
        out.append("  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    out += ["", "缺少的服务 communities missing each type:"]
    c = report.communities
    for t in types:
        missing = result.missing(t)
        if missing.size == 0:
            out.append(f"  {t}: none")
            continue
        shown = [f"{c.district[i]} {c.name[i]}" for i in missing[:10].tolist()]
        more = f" … and {missing.size - 10} more (--missing-csv FILE)" if missing.size > 10 else ""
        out.append(
            f"  {t}: {missing.size} (population {int(c.population[missing].sum()):,}): "
            + ", ".join(shown)
            + more
        )
    if suggestion is not None:
        out += [
            "",
            f"where to add {suggestion.service_type} next (greedy, straight-line "
            f"{suggestion.radius_m:g} m; uncovered population "
            f"{suggestion.uncovered_population:,}; candidates: {suggestion.candidates}):",
        ]
        if not suggestion.sites:
            out.append("  no candidate site covers any uncovered population")
        for n, site in enumerate(suggestion.sites, 1):
            out.append(
                f"  {n}. {site['site']} ({site['lat']:.6f}, {site['lon']:.6f}): "
                f"+{site['population']:,} residents in {len(site['communities'])} "
                f"communit{'y' if len(site['communities']) == 1 else 'ies'}"
            )
    return out


def _type_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    types = [t.strip() for t in value.replace("；", ",").replace(";", ",").split(",")]
    types = [t for t in types if t]
    if not types:
        fail("--types: give the service types separated by commas")
    return types


@circle_group.command("coverage")
@click.option(
    "--communities",
    "communities_path",
    required=True,
    metavar="C.csv",
    help="community, district, population, lat, lon [, crs].",
)
@click.option(
    "--facilities",
    "facilities_path",
    required=True,
    metavar="F.csv",
    help="facility, service_type, lat, lon [, crs].",
)
@click.option(
    "--radius",
    type=float,
    default=1000.0,
    show_default=True,
    help="Walking distance in metres that counts as covered (inclusive).",
)
@click.option(
    "--network",
    "network_path",
    default=None,
    metavar="ROADS.geojson",
    help="Walking network (GeoJSON LineStrings): network distance instead of straight-line.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--types",
    "types_text",
    default=None,
    metavar="T1,T2,...",
    help="The service types to report (default: those of F.csv, in order).",
)
@click.option(
    "--missing-csv",
    "missing_path",
    default=None,
    metavar="FILE",
    help="Write the communities missing each type as CSV (UTF-8 with BOM).",
)
@click.option(
    "--svg",
    "svg_path",
    default=None,
    metavar="FILE",
    help="Write a map: communities coloured by the number of types they lack.",
)
@click.option(
    "--suggest",
    "suggest_type",
    default=None,
    metavar="TYPE",
    help="Where to add facilities of TYPE next (greedy maximal coverage).",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="With --suggest: how many sites.",
)
@click.option(
    "--candidates",
    "candidates_path",
    default=None,
    metavar="SITES.csv",
    help="With --suggest: candidate sites (site, lat, lon [, crs]); "
    "default the communities' locations.",
)
def coverage(
    communities_path: str,
    facilities_path: str,
    radius: float,
    network_path: str | None,
    fmt: str,
    types_text: str | None,
    missing_path: str | None,
    svg_path: str | None,
    suggest_type: str | None,
    k: int,
    candidates_path: str | None,
) -> None:
    """Coverage of communities by facilities within walking distance (一刻钟生活圈覆盖).

    Prints the spec's JSON (--format json) or a readable table; every output names the
    distance used (straight-line, or network with --network)."""
    from reports.circle_map import MapLabels
    from surveyapp.circle import (
        compute_coverage,
        coverage_json,
        coverage_map,
        missing_csv,
        read_communities,
        read_facilities,
        read_network,
        read_sites,
        suggest_sites,
        suggestions_json,
    )

    if not (radius > 0 and radius < 1e7):
        fail(f"--radius: {radius:g} is not a walking distance in metres (more than 0)")
    if candidates_path is not None and suggest_type is None:
        fail("--candidates goes with --suggest TYPE")
    types = _type_list(types_text)
    files: dict[str, Any] = {}
    for key, reader, path in (
        ("communities", read_communities, communities_path),
        ("facilities", read_facilities, facilities_path),
        ("network", read_network, network_path),
        ("candidates", read_sites, candidates_path),
    ):
        if path is not None:
            files[key] = _read(reader, path)
    if any(v is None for v in files.values()):
        sys.exit(2)  # every file's problems are printed, not only the first file's
    report = compute_coverage(
        files["communities"],
        files["facilities"],
        radius_m=radius,
        network=files.get("network"),
        types=types,
    )
    suggestion = None
    if suggest_type is not None:
        try:
            suggestion = suggest_sites(report, suggest_type.strip(), k, files.get("candidates"))
        except ValueError as exc:
            fail(str(exc))
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if missing_path is not None:
        _write(missing_path, "\ufeff" + missing_csv(report))
    if svg_path is not None:
        labels = MapLabels(
            title="一刻钟便民生活圈 15-minute service circle",
            legend="缺少的服务类型数（社区数）missing service types (communities)",
            facilities="设施 facilities",
            distance=_DISTANCE_WORDS[report.distance].split(" (")[0]
            + f", {report.result.radius_m:g} m",
        )
        _write(svg_path, coverage_map(report, labels))
    if fmt == "json":
        doc = coverage_json(report)
        if suggestion is not None:
            doc["suggestions"] = suggestions_json(suggestion)
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
        return
    click.echo("\n".join(_table(report, suggestion)))


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"{path}: cannot write the file: {exc.strerror or exc}")


# ---------------------------------------------------------------- the stored circle


@circle_group.group("communities")
def communities_group() -> None:
    """社区 / the communities stored in the app (the dashboard's circle)."""


@communities_group.command("import")
@click.argument("csv_path", metavar="C.csv", type=click.Path(dir_okay=False))
@pass_appctx
def communities_import(ctx: AppContext, csv_path: str) -> None:
    """Replace the stored communities by those of C.csv (community, district, population,
    lat, lon [, crs]; UTF-8 or GBK; GCJ-02 rows converted): every row or none."""
    from surveyapp.circle.communities import import_communities
    from surveyapp.responses.importer import ImportFailed

    if not Path(csv_path).is_file():
        fail(f"{csv_path}: no such file")
    with ctx.session() as session:
        try:
            summary = import_communities(session, csv_path, name=csv_path)
        except ImportFailed as exc:
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            click.echo(f"nothing imported ({len(exc.problems)} problem(s))", err=True)
            sys.exit(2)
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{summary.stored} communities in {summary.districts} district(s), "
        f"{summary.population:,} residents stored from {csv_path} "
        f"({summary.replaced} replaced)"
    )


@communities_group.command("export")
@click.option("--output", "-o", "out_path", default=None, metavar="FILE", help="Default: stdout.")
@pass_appctx
def communities_export(ctx: AppContext, out_path: str | None) -> None:
    """The stored communities as a communities file (WGS-84), importable again."""
    from surveyapp.circle.communities import communities_csv

    with ctx.session() as session:
        text = communities_csv(session)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        _write(out_path, "\ufeff" + text)


@circle_group.command("status")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@pass_appctx
def status(ctx: AppContext, fmt: str) -> None:
    """Coverage of the stored communities by the registry's open providers (the
    dashboard's numbers; settings CIRCLE_TYPES, CIRCLE_RADIUS_M, CIRCLE_NETWORK)."""
    from surveyapp.circle import coverage_json
    from surveyapp.circle.stored import stored_report

    with ctx.session() as session:
        try:
            report = stored_report(session)
        except ValueError as exc:  # a bad CIRCLE_RADIUS_M
            fail(str(exc))
    if report is None:
        fail("no communities stored: surveyapp circle communities import C.csv")
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if fmt == "json":
        doc = coverage_json(report)
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
        return
    click.echo("\n".join(_table(report, None)))
