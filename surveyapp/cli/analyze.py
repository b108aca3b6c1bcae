"""The ``surveyapp analyze`` command (analysis contract).

    surveyapp analyze --questionnaire Q.yaml --responses RESPONSES.csv \\
        [--margins MARGINS.csv] [--strata COLUMN] [--by COLUMN[,COLUMN]] [--goal 80] \\
        [--period P] [--min-n 30] [--exclude-flagged] [--format json|table] \\
        [--encoding utf-8|gb18030] [--trim K] [--compare-to PERIOD]
    surveyapp analyze --round CODE [...]

Bad input exits with status 2 and one line on stderr naming file, row and column.
``--by a,b`` groups by the combinations of ``a`` and ``b``; ``--by`` may be repeated
for several groupings.  CSV files: :mod:`surveyapp.analyze.files`; a stored round:
:mod:`surveyapp.analyze.stored`; output: :mod:`surveyapp.analyze.render`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from surveyapp.analyze.files import analyze_files, load_questionnaire_file
from surveyapp.analyze.render import render
from surveyapp.analyze.stored import analyze_stored
from surveyapp.analyze.threads import single_blas_thread
from surveyapp.cli.base import AppContext, fail, main
from surveyapp.cli.progress import progress_bar
from surveyapp.csvtable import InputError
from surveyapp.indices import RoundOptions
from surveyapp.indices.margins_file import read_margins

#: A responses file at least this large (bytes, about 50,000 respondents) shows a
#: progress bar on a terminal.
LARGE_FILE = 5_000_000


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # the reader names the problem


def _by(values: Sequence[str]) -> list[list[str]]:
    out = []
    for value in values:
        names = [v.strip() for v in value.split(",") if v.strip()]
        if names:
            out.append(names)
    return out


@main.command("analyze")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    default=None,
    metavar="QUESTIONNAIRE.yaml",
    help="The questionnaire the responses answer.",
)
@click.option(
    "--responses",
    "responses_path",
    default=None,
    metavar="RESPONSES.csv",
    help="One row a respondent: respondent_id, district, age_group, gender, period, items.",
)
@click.option(
    "--margins",
    "margins_path",
    default=None,
    metavar="MARGINS.csv",
    help="Population totals to rake to: variable,category,population.",
)
@click.option(
    "--strata", default=None, metavar="COLUMN", help="Strata of the design (default none)."
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="COLUMN[,COLUMN]",
    help="Group results (combinations of the columns); repeat for several groupings.",
)
@click.option(
    "--goal", type=float, default=None, help="Goal of the index [questionnaire's, else 80]."
)
@click.option(
    "--period", default=None, help="Period to analyse (needed when the file holds several)."
)
@click.option(
    "--min-n",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Fewer respondents make a result a small sample, with no verdict.",
)
@click.option(
    "--exclude-flagged", is_flag=True, help="Leave out speeders, straight-liners and duplicates."
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--encoding",
    type=click.Choice(["utf-8", "gb18030"], case_sensitive=False),
    default="utf-8",
    show_default=True,
    help="Encoding of the CSV files (a UTF-8 BOM is fine).",
)
@click.option(
    "--trim",
    type=click.FloatRange(min=1, min_open=True),
    default=None,
    metavar="K",
    help="Cap raked weights at K times the median and re-rake.",
)
@click.option(
    "--compare-to",
    "compare_to",
    default=None,
    metavar="PERIOD",
    help="Also analyse PERIOD and report the change from it to --period.",
)
@click.option(
    "--round",
    "round_code",
    default=None,
    metavar="CODE",
    help="Analyse a round stored in the database instead of CSV files "
    "(data-quality exclusions apply unless --include-flagged).",
)
@click.option(
    "--include-flagged",
    is_flag=True,
    help="With --round: keep speeders, straight-liners, duplicates.",
)
def analyze(
    questionnaire_path: str | None,
    responses_path: str | None,
    margins_path: str | None,
    strata: str | None,
    by: tuple[str, ...],
    goal: float | None,
    period: str | None,
    min_n: int,
    exclude_flagged: bool,
    fmt: str,
    encoding: str,
    trim: float | None,
    compare_to: str | None,
    round_code: str | None,
    include_flagged: bool,
) -> None:
    """Satisfaction index, rate and scores from CSV files or a stored round (分析调查数据).

    Prints the analysis contract's JSON (--format json) or a readable table.
    """
    single_blas_thread()  # narrow matrices: one thread is faster (surveyapp.analyze.threads)
    if round_code is not None:
        if questionnaire_path or responses_path:
            fail("--round analyses a stored round: leave out --questionnaire and --responses")
        _analyze_round(
            round_code,
            margins_path,
            strata,
            by,
            goal,
            min_n,
            include_flagged,
            fmt,
            encoding,
            trim,
            compare_to,
            period,
        )
        return
    if not questionnaire_path or not responses_path:
        fail("give --questionnaire and --responses (CSV files), or --round CODE")
        return
    try:
        questionnaire = load_questionnaire_file(questionnaire_path)
    except OSError as exc:
        fail(f"{questionnaire_path}: cannot read the file: {exc.strerror or exc}")
        return
    except ValueError as exc:  # QuestionnaireError names file, line and key
        fail(str(exc).replace("\n", " "))
        return
    large = _size(responses_path) >= LARGE_FILE
    try:
        with progress_bar("analysing 分析", enabled=large) as report:
            result, change = analyze_files(
                questionnaire,
                responses_path,
                margins_path,
                strata=strata,
                by=_by(by),
                goal=goal,
                period=period,
                min_n=min_n,
                exclude_flagged=exclude_flagged,
                encoding=encoding,
                trim=trim,
                compare_to=compare_to,
                items=fmt == "json",  # the table shows no item score
                progress=report,
            )
    except InputError as exc:
        fail(str(exc))
        return
    click.echo(render(result, fmt, questionnaire, change), nl=fmt == "json")


def _analyze_round(
    code: str,
    margins_path: str | None,
    strata: str | None,
    by: Sequence[str],
    goal: float | None,
    min_n: int,
    include_flagged: bool,
    fmt: str,
    encoding: str,
    trim: float | None,
    compare_to: str | None,
    period: str | None,
) -> None:
    ctx = click.get_current_context().find_object(AppContext) or AppContext(None)
    try:
        margins = read_margins(margins_path, encoding=encoding).margins if margins_path else None
        options = RoundOptions(
            margins=None if margins is None else margins.totals,
            margins_source=margins_path,
            margins_override=margins is not None,
            strata=strata,
            by=_by(by),
            goal=goal,
            min_n=min_n,
            exclude_flagged=not include_flagged,
            trim=trim,
        )
        with ctx.session() as session:
            questionnaire, result, change = analyze_stored(session, code, options, compare_to)
    except InputError as exc:
        fail(str(exc))
        return
    if period is not None and period != result.period:
        fail(f"--period {period}: round {code} is of period {result.period}")
        return
    click.echo(render(result, fmt, questionnaire, change), nl=fmt == "json")
