"""``surveyapp inspections``: the 双随机 draw's plans (see :mod:`surveyapp.inspections`)."""

from __future__ import annotations

import json
import sys

import click

from surveyapp.cli.base import fail, main


@main.group("inspections")
def inspections_group() -> None:
    """双随机抽查 / Risk-based inspection draws."""


@inspections_group.command("draw")
@click.option(
    "--verify",
    "verify",
    type=click.Path(dir_okay=False),
    required=True,
    help="Re-run the draw of a published plan (JSON) from the inputs it carries.",
)
def draw_command(verify: str) -> None:
    """Check a published draw plan: exit 0 only if it is reproduced exactly.

    The plan's sealed ``inputs_sha256`` must match its inputs, and drawing again from
    those inputs and its seed must give the same providers and inspectors.  A plan
    that does not reproduce exits 1 and says what differs; a file that is not a plan
    exits 2.
    """
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
