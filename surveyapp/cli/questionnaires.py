"""``surveyapp questionnaires``: validate YAML files and publish them as versions."""

from __future__ import annotations

import sys

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx


@main.group("questionnaires")
def questionnaires_group() -> None:
    """问卷 / Questionnaire definitions."""


@questionnaires_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check YAML files (default: the shipped questionnaires/); exit 2 if any is bad."""
    from surveyapp.questionnaire import builtin_dir, discover, validate_files

    try:
        files = discover(paths or [builtin_dir()])
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if not files:
        fail("no questionnaire files found")
    errors = validate_files(files)
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(files) - len(errors)} of {len(files)} file(s) valid")
    if errors:
        sys.exit(2)


@questionnaires_group.command("load")
@click.argument("paths", nargs=-1, type=click.Path())
@pass_appctx
def load(ctx: AppContext, paths: tuple[str, ...]) -> None:
    """Publish files as frozen versions (default: the shipped questionnaires/)."""
    from surveyapp.questionnaire import QuestionnaireError, builtin_dir, discover

    try:
        files = discover(paths or [builtin_dir()])
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    with ctx.session() as session:
        try:
            for line in load_files(session, files):
                click.echo(line)
        except QuestionnaireError as exc:
            session.rollback()
            fail(str(exc))
        session.commit()


def load_files(session, files) -> list[str]:
    """Publish each file; all or none (the caller commits)."""
    from surveyapp.catalog import publish_questionnaire
    from surveyapp.questionnaire import load_questionnaire

    lines = []
    for path in files:
        q = load_questionnaire(path)
        outcome = publish_questionnaire(session, q, path.read_text(encoding="utf-8-sig"))
        v = outcome.version
        if not outcome.created:
            lines.append(f"{v.qid} v{v.version}: unchanged")
        elif outcome.renumbered_from is not None:
            lines.append(
                f"{v.qid} v{v.version}: published (v{outcome.renumbered_from} is frozen; "
                f"the changed file became v{v.version})"
            )
        else:
            lines.append(f"{v.qid} v{v.version}: published")
    return lines


@questionnaires_group.command("list")
@pass_appctx
def list_(ctx: AppContext) -> None:
    """List the newest published version of each questionnaire."""
    from surveyapp.catalog import latest_versions

    with ctx.session() as session:
        for v in latest_versions(session):
            click.echo(f"{v.qid}\tv{v.version}\t{v.sector}\t{v.title_zh}\t{v.content_hash[:12]}")
