"""``surveyapp credit``: the credit record, the risk classes and their rules
(see :mod:`surveyapp.credit`).

Thin wrappers over :mod:`surveyapp.credit.record` and :mod:`surveyapp.credit.classes`.
Bad input ends with exit status 2 and one line per problem naming the file, the row and
the column; an import is all or nothing.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.i18n import bilingual


@main.group("credit")
def credit_group() -> None:
    """信用风险分类 / Credit records and risk classes."""


@credit_group.group("rules")
def rules_group() -> None:
    """风险分类规则 / The rule file that decides the classes."""


@rules_group.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def validate(path: str | None) -> None:
    """Check a rule file (default: the shipped rules); exit 2 with one line per problem."""
    from surveyapp.credit.rules import DEFAULT, RulesError, read_rules

    try:
        rules = read_rules(path or DEFAULT)
    except RulesError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    cuts = ", ".join(f"{c} ≥ {rules.minimum[c]}" for c in ("B", "C", "D"))
    click.echo(f"规则有效 / valid: {len(rules.rules)} factors; {cuts} points")


def credit_settings(ctx: AppContext) -> Any:
    """The credit settings of the configuration, or exit 2 naming what is wrong."""
    from surveyapp.credit.classes import CreditSettings
    from surveyapp.credit.rules import RulesError

    try:
        return CreditSettings.from_config(ctx.app.config)
    except RulesError as exc:
        for problem in exc.problems:
            click.echo(f"error: SURVEYAPP_CREDIT_RULES: {problem}", err=True)
        sys.exit(2)
    except ValueError as exc:
        fail(f"configuration: {exc}")


def day_option(value: str | None, option: str) -> date:
    """A ``--as-of``-like option: the China day given, or today's."""
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import DateError, china_today, parse_day

    try:
        return parse_day(value) or china_today(utcnow())
    except DateError as exc:
        fail(f"{option}: {exc}")


def import_failed(exc: Any) -> None:
    """Print every problem of an :class:`ImportFailed`, then exit 2."""
    for line in exc.lines():
        click.echo(f"error: {line}", err=True)
    click.echo(bilingual("credit_nothing_imported", n=len(exc.problems)), err=True)
    sys.exit(2)


def ignored_note(file: str, ignored: tuple[str, ...]) -> None:
    if ignored:
        click.echo(f"note: {file}: columns ignored: {', '.join(ignored)}", err=True)


@credit_group.command("classes")
@click.option("--sector", default=None, help="Only the providers of this sector.")
@click.option("--as-of", "as_of", default=None, help="The day (China time); default today.")
@click.option("--record", "period", default=None, help="Keep the classes as this period's.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_appctx
def classes_command(
    ctx: AppContext, sector: str | None, as_of: str | None, period: str | None, fmt: str
) -> None:
    """Every provider's risk class (A-D) with the factors that decided it."""
    from surveyapp.credit.classes import compute_classes, record_classes
    from surveyapp.credit.signals import update_signals, uses_signals
    from surveyapp.indices.periods import PERIOD_RE
    from surveyapp.sectors import sector as sector_of

    if sector is not None and sector_of(sector) is None:
        fail(f"--sector: unknown sector {sector!r}")
    if period is not None and not PERIOD_RE.match(period):
        fail(f"--record: period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    day = day_option(as_of, "--as-of")
    settings = credit_settings(ctx)
    with ctx.session() as session:
        classes = compute_classes(session, settings, day, sector=sector)
        if period is not None:
            record_classes(session, period, classes)
            if uses_signals(settings.rules):  # the record shows what the low-score factor counts
                update_signals(session, settings.indicators, day, "cli")
    if fmt == "json":
        data = {"as_of": day.isoformat(), "sector": sector, "rules": settings.rules.name,
                "providers": [p.as_json() for p in classes]}  # fmt: skip
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for p in classes:
            why = "; ".join(f.label["zh"] for f in p.computed.factors) or "-"
            mark = "*" if p.override else ""
            click.echo(f"{p.cls}{mark}  {p.key}  {p.computed.points:>4}  {p.name}  {why}")
    if period is not None:
        click.echo(bilingual("credit_classes_recorded", n=len(classes), period=period), err=True)


@credit_group.group("events")
def events_group() -> None:
    """信用事件 / Events of the credit record from other systems."""


@events_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@pass_appctx
def events_import(ctx: AppContext, csv_path: str) -> None:
    """Import inspections, penalties, abnormal listings and honours (UTF-8 or GBK);
    nothing is stored unless every row is good."""
    from surveyapp.credit.record import import_events, read_events
    from surveyapp.responses.importer import ImportFailed

    with ctx.session() as session:
        try:
            file = read_events(session, csv_path, name=csv_path)
        except ImportFailed as exc:
            import_failed(exc)
        n = import_events(session, file, "cli")
    ignored_note(csv_path, file.ignored)
    click.echo(bilingual("credit_events_imported", n=n, file=csv_path))


@credit_group.command("repair")
@click.argument("event_id", type=int)
@click.option("--on", "on", required=True, help="The day the event stops counting.")
@click.option("--reason", required=True)
@pass_appctx
def repair_command(ctx: AppContext, event_id: int, on: str, reason: str) -> None:
    """信用修复 / Credit repair: end an event's effect on a day, with a reason (audited)."""
    from surveyapp.credit.record import CreditError, end_event

    day = day_option(on, "--on")
    with ctx.session() as session:
        try:
            end_event(session, event_id, day, reason, "cli")
        except CreditError as exc:
            fail(str(exc))
    click.echo(bilingual("credit_repaired", id=event_id, day=day.isoformat()))


@credit_group.command("override")
@click.argument("key", metavar="CREDIT_CODE")
@click.option("--class", "cls", required=True, type=click.Choice(["A", "B", "C", "D"]))
@click.option("--reason", required=True)
@click.option("--expires", required=True, help="The last day the override holds.")
@click.option("--bureau", required=True, help="The deciding bureau (sector code or name).")
@pass_appctx
def override_command(
    ctx: AppContext, key: str, cls: str, reason: str, expires: str, bureau: str
) -> None:
    """Set a provider's class until a day, with a reason (audited)."""
    from surveyapp.credit.record import CreditError, override_class

    day = day_option(expires, "--expires")
    with ctx.session() as session:
        try:
            override_class(session, key, cls, reason, day, bureau, "cli")
        except CreditError as exc:
            fail(str(exc))
    click.echo(bilingual("credit_overridden", code=key, cls=cls, day=day.isoformat()))


@credit_group.command("record")
@click.argument("key", metavar="CREDIT_CODE")
@click.option("--as-of", "as_of", default=None)
@click.option("--public", "public_only", is_flag=True, help="Only what the public may see.")
@pass_appctx
def record_command(ctx: AppContext, key: str, as_of: str | None, public_only: bool) -> None:
    """A provider's credit record (JSON), newest first."""
    from surveyapp.credit.csvfile import providers_by_key
    from surveyapp.credit.record import timeline

    day = day_option(as_of, "--as-of")
    with ctx.session() as session:
        provider = providers_by_key(session, [key]).get(key)
        if provider is None:
            fail(f"{key} is not in the registry")
        entries = timeline(session, provider, day, public_only=public_only)
        data = {"id": provider.key, "name": provider.name, "as_of": day.isoformat(),
                "events": [e.as_json() for e in entries]}  # fmt: skip
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


@credit_group.command("signals")
@click.option("--as-of", "as_of", default=None, help="The day (China time); default today.")
@pass_appctx
def signals_command(ctx: AppContext, as_of: str | None) -> None:
    """评分预警信号 / Raise and end the rating signals of the credit records: a posterior
    score below SURVEYAPP_CREDIT_LOW_SCORE in two consecutive windows (idempotent)."""
    from surveyapp.credit.signals import update_signals

    day = day_option(as_of, "--as-of")
    settings = credit_settings(ctx)
    with ctx.session() as session:
        run = update_signals(session, settings.indicators, day, "cli")
    for key in run.raised:
        click.echo(f"+ {key}")
    for key in run.ended:
        click.echo(f"- {key}")
    click.echo(bilingual("sup_signals_run", raised=len(run.raised), ended=len(run.ended),
                         open=run.still_open, day=day.isoformat()))  # fmt: skip
