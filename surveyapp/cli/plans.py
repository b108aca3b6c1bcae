"""``surveyapp plans``: the plan indicators (validate, list, status) and their values.

Thin wrappers over :mod:`surveyapp.plans`.  ``validate`` prints one ``file:line: what``
line per problem and exits 2 when there is any; ``values import`` stores every row of
its file or none, naming each bad row and column.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx

_FORMAT = click.Choice(["table", "json"])
_PATHS = click.option(
    "--plans",
    "plan_paths",
    multiple=True,
    type=click.Path(),
    help="Plan files or folders (default: the shipped plans/).",
)
_TOLERANCE = click.option(
    "--tolerance",
    type=float,
    default=None,
    help="On-track band in percentage points of the baseline-to-target span "
    "(default: the PLAN_TOLERANCE_PP setting, 5).",
)


@main.group("plans")
def plans_group() -> None:
    """规划指标 / plan indicators: targets, values and progress."""


def _load(paths: Sequence[str]) -> list[Any]:
    from surveyapp.plans import PlanError, load_plans

    try:
        return load_plans(paths or None)
    except FileNotFoundError as exc:
        fail(f"{exc.filename}: no such file or folder")
    except PlanError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(2)


@plans_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check plan files (default: the shipped plans/); exit 2 if any is bad."""
    from surveyapp.plans import discover, validate_files

    try:
        files = discover(paths or None)
    except FileNotFoundError as exc:
        fail(f"{exc.filename}: no such file or folder")
    if not files:
        fail("no plan files found")
    problems = validate_files(files)[1]
    for line in problems:
        click.echo(line, err=True)
    bad = sum(any(line.startswith(f"{f}:") for line in problems) for f in files)
    click.echo(f"{len(files) - bad} of {len(files)} plan file(s) valid")
    if problems:
        sys.exit(2)


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _direction(direction: str) -> str:
    return "≥" if direction == "at_least" else "≤"


def _width(text: str) -> int:
    return len(text) + sum(unicodedata.east_asian_width(c) in "WF" for c in text)


def _echo_table(rows: Sequence[Sequence[str]]) -> None:
    """The first row is the header; columns padded to their display width."""
    widths = [max(map(_width, column)) for column in zip(*rows, strict=True)]
    for n, row in enumerate(rows):
        click.echo(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def _table(statuses: Sequence[Any]) -> None:
    header = ["方案 plan", "指标 indicator", "名称 name", "基线 baseline", "目标 target",
              "期限 deadline", "期间 period", "数值 value", "状态 status"]  # fmt: skip
    rows = [header]
    for s in statuses:
        i = s.indicator
        baseline = "—" if i.baseline is None else f"{i.baseline:g} ({i.baseline_date})"
        value = _number(s.value) + (" *" if s.small_sample else "")
        rows.append([
            s.plan.id, i.id, i.name.zh, baseline, f"{_direction(i.direction)} {i.target:g} {i.unit}",
            i.deadline.isoformat(), s.period or "—", value, f"{s.words[0]} {s.words[1]}",
        ])  # fmt: skip
    _echo_table(rows)
    if any(s.small_sample for s in statuses):
        click.echo("* 样本不足 small sample")


def _settings(ctx: AppContext, tolerance: float | None) -> tuple[Any, float, Any]:
    """The analysis settings, the tolerance and the complaint settings (the mediation
    rate counts the outcomes the publicity publishes)."""
    from surveyapp.complaints.settings import ComplaintSettings
    from surveyapp.indices import SettingsError, settings_from_config

    config = ctx.app.config
    try:
        settings = settings_from_config(config)
    except SettingsError as exc:
        fail(str(exc))
    tolerance = config.get("PLAN_TOLERANCE_PP", 5.0) if tolerance is None else tolerance
    if tolerance < 0:
        fail(f"--tolerance: must be 0 or more, not {tolerance:g}")
    try:
        complaints = ComplaintSettings.from_config(config)
    except ValueError as exc:
        fail(str(exc))
    return settings, float(tolerance), complaints


def _echo(plans: Sequence[Any], statuses: Sequence[Any], fmt: str, head: dict[str, Any]) -> None:
    if fmt == "json":
        doc = {
            **head,
            "plans": [p.to_dict() for p in plans],
            "indicators": [s.to_dict() for s in statuses],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        _table(statuses)


@plans_group.command("list")
@_PATHS
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
@_TOLERANCE
@pass_appctx
def list_(ctx: AppContext, plan_paths: tuple[str, ...], fmt: str, tolerance: float | None) -> None:
    """Every indicator with its baseline, target, deadline, latest value and status."""
    from surveyapp.plans import plan_overview
    from surveyapp.rounds.dates import china_today

    plans = _load(plan_paths)
    settings, tol, complaints = _settings(ctx, tolerance)
    now = datetime.now(UTC)
    with ctx.session() as session:
        statuses = plan_overview(
            session, plans, settings=settings, tolerance_pp=tol, now=now, complaints=complaints
        )
    head = {"as_of": china_today(now).isoformat(), "tolerance_pp": tol}
    _echo(plans, statuses, fmt, head)


@plans_group.command("status")
@click.option("--period", required=True, help="A period: 2025, 2025H2, 2025Q4 or 2025M12.")
@_PATHS
@click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
@_TOLERANCE
@pass_appctx
def status(
    ctx: AppContext, period: str, plan_paths: tuple[str, ...], fmt: str, tolerance: float | None
) -> None:
    """Every indicator's value for PERIOD and its status on the period's last day."""
    from surveyapp.plans import period_span, plan_status

    days = period_span(period)
    if days is None:
        fail(f"--period: {period!r} is not a period like 2025, 2025H2, 2025Q4 or 2025M12")
    plans = _load(plan_paths)
    settings, tol, complaints = _settings(ctx, tolerance)
    with ctx.session() as session:
        statuses = plan_status(
            session, plans, period, settings=settings, tolerance_pp=tol, complaints=complaints
        )
    head = {"period": period, "judged_on": days[1].isoformat(), "tolerance_pp": tol}
    _echo(plans, statuses, fmt, head)


@plans_group.group("values")
def values_group() -> None:
    """指标数值 / the values bureaus report per period."""


@values_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@_PATHS
@pass_appctx
def import_(ctx: AppContext, csv_path: str, plan_paths: tuple[str, ...]) -> None:
    """Import values (columns plan, indicator, period, value, note); every row or none.

    A value for an indicator and period that has one already corrects it: the earlier
    value is kept in the history, never overwritten."""
    from surveyapp.plans import EntryError, import_values, read_values
    from surveyapp.responses.importer import ImportFailed

    plans = _load(plan_paths)
    if not Path(csv_path).is_file():
        fail(f"{csv_path}: no such file")
    try:
        entries = read_values(csv_path, plans, name=csv_path)
    except ImportFailed as exc:
        for line in exc.lines():
            click.echo(f"error: {line}", err=True)
        click.echo(f"nothing imported ({len(exc.problems)} problem(s))", err=True)
        sys.exit(2)
    with ctx.session() as session:
        try:
            outcome = import_values(session, entries, "cli", file=csv_path)
        except EntryError as exc:  # another entry of the same values came first
            fail(f"{csv_path}: {exc.message}")
    click.echo(
        f"{len(entries)} value(s) in {csv_path}: {outcome.entered} new, "
        f"{outcome.corrected} corrected, {outcome.unchanged} unchanged"
    )
