"""``surveyapp inspections``: the 双随机 draw, its inspector pool and its results
(see :mod:`surveyapp.inspections`).

No command publishes a drawn list: a plan is sealed (its inputs' hash kept) and shown to
the bureau that drew it; the list is published only with its results (一公开).
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Any

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.cli.credit import credit_settings, day_option, ignored_note, import_failed
from surveyapp.i18n import bilingual


@main.group("inspections")
def inspections_group() -> None:
    """双随机抽查 / Risk-based inspection draws."""


def _districts(districts: str | None) -> list[str]:
    """``--districts D1,D2`` as a list (empty: all districts)."""
    return [d.strip() for d in (districts or "").split(",") if d.strip()]


def _stored(session: Any, sector: str, period: str, districts: str | None) -> Any:
    """The stored plan of the options, or exit 2 naming them."""
    from surveyapp.inspections.service import stored_plan

    plan = stored_plan(session, sector, period, _districts(districts))
    if plan is None:
        fail(f"no plan of {sector} {period} for these districts")
    return plan


def _verify(verify: str) -> None:
    from surveyapp.inspections import PlanError, verify_plan

    try:
        with open(verify, encoding="utf-8-sig") as handle:
            plan = json.load(handle)
    except OSError as exc:
        fail(f"{verify}: cannot be read ({exc.strerror})")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{verify}: not a JSON file ({exc})")
    try:
        problems = verify_plan(plan)
    except PlanError as exc:
        fail(f"{verify}: {exc}")
    if problems:
        for problem in problems:
            click.echo(f"{verify}: {problem}", err=True)
        click.echo("未能复现 / NOT reproduced")
        sys.exit(1)
    click.echo(
        f"已复现 / reproduced: seed {plan['seed']}, inputs {plan['inputs_sha256'][:16]}…, "
        f"{len(plan.get('drawn', []))} drawn, {len(plan.get('unassigned', []))} unassigned"
    )


@inspections_group.command("draw")
@click.option("--sector", default=None)
@click.option("--period", default=None, help="e.g. 2026Q4 (2026M09, 2026H1, 2026).")
@click.option("--districts", default=None, help="Comma-separated districts (default: all).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Default: a fresh one.")
@click.option("--as-of", "as_of", default=None, help="The classes' day; default today.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--dry-run", is_flag=True, help="Draw and print; store nothing.")
@click.option(
    "--verify",
    "verify",
    type=click.Path(dir_okay=False),
    default=None,
    help="Re-run the draw of a published plan (JSON) from the inputs it carries.",
)
@pass_appctx
def draw_command(
    ctx: AppContext,
    sector: str | None,
    period: str | None,
    districts: str | None,
    seed: int | None,
    as_of: str | None,
    fmt: str,
    dry_run: bool,
    verify: str | None,
) -> None:
    """Draw the providers to inspect and their inspectors, or check a plan (--verify).

    The draw reads the sector's open providers (of the districts), their current risk
    classes, the rates (SURVEYAPP_INSPECTION_RATES), the active inspectors, their
    declared conflicts and the previous period's pairs; the plan is sealed and stored
    unless --dry-run.  With --verify, exit 0 only if the plan is reproduced exactly
    (1 if not; 2 for a file that is not a plan).
    """
    if verify is not None:
        if sector or period:
            fail("--verify takes the plan file only (no --sector or --period)")
        _verify(verify)
        return
    from surveyapp.indices.periods import PERIOD_RE
    from surveyapp.inspections import PlanError, canonical_json, draw
    from surveyapp.inspections.service import gather_inputs, store_plan
    from surveyapp.sectors import sector as sector_of

    if not sector or not period:
        fail("give --sector and --period (or --verify PLAN.json)")
    if sector_of(sector) is None:
        fail(f"--sector: unknown sector {sector!r}")
    if not PERIOD_RE.match(period):
        fail(f"--period: {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    chosen = _districts(districts)
    day = day_option(as_of, "--as-of")
    settings = credit_settings(ctx)
    if seed is None:
        seed = secrets.randbelow(2**63)
    with ctx.session() as session:
        try:
            inputs = gather_inputs(session, settings, sector, period, chosen, day)
            plan = draw(inputs, seed)
            row = None if dry_run else store_plan(session, plan, "cli")
        except PlanError as exc:
            fail(str(exc))
        row_id = None if row is None else row.id
    data = plan.as_json()
    if fmt == "json":
        click.echo(canonical_json(data).decode("utf-8"))
    else:
        click.echo(f"seed {data['seed']}  inputs_sha256 {data['inputs_sha256']}")
        for entry in data["drawn"]:
            click.echo(f"{entry['class']}  {entry['id']}  {' '.join(entry['inspectors'])}")
        for entry in data["unassigned"]:
            click.echo(f"{entry['class']}  {entry['id']}  -")
    if row_id is None:
        click.echo(bilingual("insp_dry_run"), err=True)
    else:
        click.echo(bilingual("insp_plan_sealed", id=row_id, sha=data["inputs_sha256"]), err=True)


@inspections_group.command("plan")
@click.option("--sector", required=True)
@click.option("--period", required=True)
@click.option("--districts", default=None)
@pass_appctx
def plan_command(ctx: AppContext, sector: str, period: str, districts: str | None) -> None:
    """Print a stored plan as it was sealed (for --verify; not for publication before
    its results)."""
    from surveyapp.inspections import canonical_json

    with ctx.session() as session:
        row = _stored(session, sector, period, districts)
        click.echo(canonical_json(row.plan).decode("utf-8"))


@inspections_group.group("inspectors")
def inspectors_group() -> None:
    """执法人员名录 / The inspector pool."""


@inspectors_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@pass_appctx
def inspectors_import(ctx: AppContext, csv_path: str) -> None:
    """Add or update inspectors (inspector_id, name, conflicts, status); all or nothing."""
    from surveyapp.inspections.service import import_inspectors, read_inspectors
    from surveyapp.responses.importer import ImportFailed

    with ctx.session() as session:
        try:
            _, records, ignored = read_inspectors(session, csv_path, name=csv_path)
        except ImportFailed as exc:
            import_failed(exc)
        added, updated = import_inspectors(session, records, "cli", csv_path)
    ignored_note(csv_path, ignored)
    click.echo(bilingual("insp_inspectors_imported", added=added, updated=updated))


@inspections_group.group("results")
def results_group() -> None:
    """检查结果 / Results of a plan's inspections."""


@results_group.command("import")
@click.argument("csv_path", metavar="FILE.csv", type=click.Path(dir_okay=False))
@click.option("--sector", required=True)
@click.option("--period", required=True)
@click.option("--districts", default=None)
@pass_appctx
def results_import(
    ctx: AppContext, csv_path: str, sector: str, period: str, districts: str | None
) -> None:
    """Enter a plan's results (credit_code, inspected_on, result 合格/不合格, findings)
    into the providers' credit records; all or nothing."""
    from surveyapp.inspections.service import import_results, read_results
    from surveyapp.responses.importer import ImportFailed

    with ctx.session() as session:
        plan = _stored(session, sector, period, districts)
        try:
            _, drafts, ignored = read_results(session, plan, csv_path, name=csv_path)
        except ImportFailed as exc:
            import_failed(exc)
        n = import_results(session, plan, drafts, "cli", csv_path)
    ignored_note(csv_path, ignored)
    click.echo(bilingual("insp_results_imported", n=n, file=csv_path))


@inspections_group.command("status")
@click.option("--sector", default=None, help="Only this sector's plans.")
@pass_appctx
def status_command(ctx: AppContext, sector: str | None) -> None:
    """The stored plans with their progress: results entered of providers drawn, and the
    published edition if any."""
    from surveyapp.inspections.publication import plans_of

    with ctx.session() as session:
        for p in plans_of(session, None if sector is None else [sector]):
            published = f"edition {p.published}" if p.published else "-"
            click.echo(f"{p.plan.sector}  {p.plan.period}  {p.plan.districts or '*'}  "
                       f"{p.entered}/{p.drawn}  {published}")  # fmt: skip


@inspections_group.command("publish")
@click.option("--sector", required=True)
@click.option("--period", required=True)
@click.option("--districts", default=None)
@click.option("--replaces", type=int, default=None, help="The edition this one corrects.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the edition's PDF here (and the CSV beside it).",
)
@pass_appctx
def publish_command(
    ctx: AppContext,
    sector: str,
    period: str,
    districts: str | None,
    replaces: int | None,
    out: str | None,
) -> None:
    """一公开 / Publish a draw's list together with its results (PDF and CSV, immutable).

    Refused (exit 2) while any drawn provider has no result: the list is never public
    before the inspections.  A draw published before is published again only as a
    correction (--replaces EDITION)."""
    from pathlib import Path

    from surveyapp.inspections.publication import publish_results
    from surveyapp.publications import PublicationError

    with ctx.session() as session:
        plan = _stored(session, sector, period, districts)
        try:
            edition = publish_results(session, plan, "cli", replaces=replaces)
        except PublicationError as exc:
            session.rollback()
            fail(str(exc))
        session.commit()
        number, pdf, csv = edition.edition, edition.pdf, edition.csv
    if out is not None:
        Path(out).write_bytes(pdf)
        Path(out).with_suffix(".csv").write_bytes(csv)
    click.echo(bilingual("sup_published", n=number, sector=sector, period=period))
