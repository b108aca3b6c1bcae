"""``surveyapp questionnaires``: validate YAML files and publish them as versions."""

from __future__ import annotations

import sys

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.i18n import bilingual


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
    click.echo(bilingual("cli_files_valid", valid=len(files) - len(errors), total=len(files)))
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


@questionnaires_group.command("import-xlsform")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the YAML here (default: standard output).",
)
@click.option(
    "--sector",
    default=None,
    help="Sector of the questionnaire, when the settings sheet has no 'sector' column.",
)
def import_xlsform(path: str, out: str | None, sector: str | None) -> None:
    """Convert an XLSForm (.xlsx from ODK or KoboToolbox) to questionnaire YAML.

    The YAML is for review (then `questionnaires load`): nothing is published.  Rows
    that our format cannot hold are listed on stderr as notes.
    """
    from pathlib import Path

    from surveyapp.questionnaire.loader import questionnaire_errors
    from surveyapp.questionnaire.xlsform import XLSFormError, convert_xlsform

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    try:
        result = convert_xlsform(data, source=Path(path).name, sector=sector)
    except XLSFormError as exc:
        fail(f"{path}: {exc.zh} / {exc}")
    errors = questionnaire_errors(result.yaml, source="")
    if errors:
        first = errors[0]
        where = f"{first.key}: " if first.key else ""
        fail(f"{path}: the converted questionnaire is not valid: {where}{first.message}")
    label = bilingual("cli_note")
    for zh, en in zip(result.notes_zh, result.notes, strict=True):
        click.echo(f"{label}: {zh} / {en}", err=True)
    if out is None:
        click.echo(result.yaml, nl=False)
        return
    try:
        Path(out).write_text(result.yaml, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    click.echo(
        bilingual("cli_xlsform_wrote", out=out, id=result.document["id"], n=len(result.notes))
    )
