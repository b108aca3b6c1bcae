"""``surveyapp credit``: the risk-class rules (see :mod:`surveyapp.credit`)."""

from __future__ import annotations

import sys

import click

from surveyapp.cli.base import main


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
