"""``surveyapp complaints``: import a complaints file, list cases with their deadlines,
make the month's publicity, clear complainants' data after the retention period.

Thin wrappers over :mod:`surveyapp.complaints`.  Bad input ends with exit status 2 and
one line per problem naming the file, the row (the file's own line number, header = 1)
and the column; an import is all or nothing.  No command prints a complainant's name
or phone.
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
from surveyapp.models.complaint import COMPLAINT_STATUSES


@main.group("complaints")
def complaints_group() -> None:
    """消费投诉 / consumer complaints: import, list, publicity, purge."""


def _settings(ctx: AppContext) -> Any:
    from surveyapp.complaints import ComplaintSettings

    try:
        return ComplaintSettings.from_config(ctx.app.config)
    except ValueError as exc:
        fail(f"configuration: {exc}")


def _calendar(settings: Any) -> Any:
    from surveyapp.workdays import CalendarError

    try:
        return settings.calendar()
    except CalendarError as exc:
        fail(f"holiday calendar (SURVEYAPP_HOLIDAYS_DIR): {exc}")


@complaints_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@pass_appctx
def import_(ctx: AppContext, csv_path: str) -> None:
    """Import a complaints file (UTF-8 or GBK/GB18030); nothing is stored unless every
    row is good."""
    from surveyapp.complaints import import_complaints, read_complaints
    from surveyapp.responses.importer import ImportFailed

    if not Path(csv_path).is_file():
        fail(f"{csv_path}: no such file")
    settings = _settings(ctx)
    with ctx.session() as session:
        try:
            file = read_complaints(session, csv_path, settings, name=csv_path)
            stored = import_complaints(session, file, "cli", settings)
        except ImportFailed as exc:
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            click.echo(f"nothing imported ({len(exc.problems)} problem(s))", err=True)
            sys.exit(2)
    if file.ignored:
        click.echo(f"note: {csv_path}: columns ignored: {', '.join(file.ignored)}", err=True)
    click.echo(f"{len(stored)} complaint(s) imported from {csv_path} ({file.encoding})")


def _iso(moment: Any) -> str | None:
    from surveyapp.i18n import CHINA_TZ

    return None if moment is None else moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _case(complaint: Any, deadlines: Any, today: Any) -> dict[str, Any]:
    accept_by, close_by = deadlines.accept_by, deadlines.close_by
    provider = complaint.provider
    return {
        "id": complaint.id,
        "external_id": complaint.external_id,
        "channel": complaint.channel,
        "status": complaint.status,
        "received_at": _iso(complaint.received_at),
        "accept_by": accept_by.day.isoformat(),
        "accept_by_provisional": accept_by.provisional,
        "close_by": close_by.day.isoformat() if close_by else None,
        "close_by_provisional": close_by.provisional if close_by else False,
        "overdue": deadlines.late(complaint, today),
        "credit_code": provider.key if provider else None,
        "provider_name": provider.name if provider else complaint.provider_name,
        "sector": complaint.sector,
        "category": complaint.category,
        "amount": None if complaint.amount is None else f"{complaint.amount:.2f}",
        "accepted_at": _iso(complaint.accepted_at),
        "closed_at": _iso(complaint.closed_at),
        "outcome": complaint.outcome,
    }


def _width(text: str) -> int:
    return sum(1 + (unicodedata.east_asian_width(c) in "WF") for c in text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(_width(r[j]) for r in (header, *rows)) for j in range(len(header))]
    for r in (header, ["-" * w for w in widths], *rows):
        cells = (v + " " * (w - _width(v)) for v, w in zip(r, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


def _day(value: str | None, provisional: bool) -> str:
    return "" if value is None else value + ("*" if provisional else "")


@complaints_group.command("list")
@click.option("--status", type=click.Choice(COMPLAINT_STATUSES), default=None)
@click.option(
    "--due",
    type=click.Choice(["overdue", "soon"]),
    default=None,
    help="Only open cases past their deadline, or due within 3 working days.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_appctx
def list_(ctx: AppContext, status: str | None, due: str | None, fmt: str) -> None:
    """List complaints with their deadlines (accept_by, close_by: China days; * or
    "provisional": past the loaded holiday calendar)."""
    from surveyapp.complaints import case_deadlines, due_soon, list_complaints, overdue
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import china_today

    settings = _settings(ctx)
    calendar = _calendar(settings)
    now = utcnow()
    today = china_today(now)
    if today.month >= 11 and (calendar.last_year or 0) <= today.year:
        click.echo(
            f"warning: the holiday calendar of {today.year + 1} is not loaded: deadlines in it "
            f"are provisional; put cn-holidays-{today.year + 1}.csv in SURVEYAPP_HOLIDAYS_DIR "
            "once the State Council publishes it",
            err=True,
        )
    with ctx.session() as session:
        if due == "overdue":
            found = overdue(session, now, calendar, settings)
        elif due == "soon":
            found = due_soon(session, now, calendar, settings)
        else:
            found = list_complaints(session, status)
        if due and status:
            found = [c for c in found if c.status == status]
        cases = [_case(c, case_deadlines(c, calendar, settings), today) for c in found]
    if fmt == "json":
        doc = {"calendar_last_year": calendar.last_year, "complaints": cases}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    header = ["external_id", "channel", "status", "received_at", "accept_by", "close_by",
              "overdue", "sector", "category", "provider"]  # fmt: skip
    rows = [
        [
            c["external_id"] or f"#{c['id']}",
            c["channel"],
            c["status"],
            (c["received_at"] or "")[:16].replace("T", " "),
            _day(c["accept_by"], c["accept_by_provisional"]),
            _day(c["close_by"], c["close_by_provisional"]),
            "yes" if c["overdue"] else "",
            c["sector"],
            c["category"],
            c["provider_name"] or "",
        ]  # fmt: skip
        for c in cases
    ]
    _table(header, rows)
    click.echo(f"{len(cases)} complaint(s)")
    if any(c["accept_by_provisional"] or c["close_by_provisional"] for c in cases):
        click.echo(
            f"* provisional: past the last loaded holiday calendar ({calendar.last_year}); "
            "weekends only are skipped there"
        )


@complaints_group.command("publicity")
@click.option("--period", required=True, help="The month, e.g. 2026-10.")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf"]), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@pass_appctx
def publicity_(ctx: AppContext, period: str, fmt: str, out: str, lang: str) -> None:
    """The month's complaint publicity (消费投诉公示) per provider, as CSV or PDF.

    Never contains a complainant's name or phone."""
    from surveyapp.complaints import publicity, publicity_csv
    from surveyapp.complaints.publicity import month_period
    from surveyapp.models.base import utcnow
    from surveyapp.rounds.dates import china_today

    try:
        month_period(period)
    except ValueError as exc:
        fail(str(exc))
    settings = _settings(ctx)
    with ctx.session() as session:
        pub = publicity(session, period, settings)
    if fmt == "csv":
        data = publicity_csv(pub)
    else:
        from reports.complaints_publicity import render_complaints_publicity
        from reports.fonts import load_fonts

        try:
            fonts = load_fonts(ctx.app.config.get("BULLETIN_FONT"))
        except ValueError as exc:
            fail(f"SURVEYAPP_BULLETIN_FONT: {exc}")
        city = ctx.app.config.get("BULLETIN_CITY")
        data = render_complaints_publicity(
            pub.lines,
            first=pub.first,
            last=pub.last,
            categories=pub.categories,
            outcomes=pub.outcomes,
            issued=china_today(utcnow()),
            unmatched=pub.unmatched,
            title=f"{city}消费投诉公示" if city and lang == "zh" else None,
            issuer=ctx.app.config.get("BULLETIN_ISSUER"),
            lang=lang,
            fonts=fonts,
        )
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror or exc})")
    click.echo(
        f"{out}: {len(pub.lines)} provider(s), {sum(x.complaints for x in pub.lines)} "
        f"complaint(s) of {pub.period}"
        + (f"; {pub.unmatched} not matched to a registered provider" if pub.unmatched else "")
    )


@complaints_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be cleared.")
@pass_appctx
def purge(ctx: AppContext, dry_run: bool) -> None:
    """Clear complainants' names and phones of cases ended
    SURVEYAPP_COMPLAINT_PII_RETENTION_DAYS ago (safe to run daily)."""
    from surveyapp.complaints import purge_complainant_data
    from surveyapp.models.base import utcnow

    settings = _settings(ctx)
    with ctx.session() as session:
        count = purge_complainant_data(session, utcnow(), settings.retention_days, dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    verb = "would clear" if dry_run else "cleared"
    click.echo(
        f"{verb} the complainant's name and phone of {count} case(s); "
        f"retention {settings.retention_days} day(s) after a case ends"
    )
