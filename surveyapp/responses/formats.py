"""Exports for spreadsheets and statistics packages: XLSX (Excel) and SPSS ``.sav``.

* XLSX is written with XlsxWriter's constant-memory mode, row by row from the same stream as
  the CSV export, so memory stays flat whatever the size of the round.  A second
  sheet is the codebook (question texts and scale labels).
* ``.sav`` carries SPSS variable labels (the question texts) and value labels (the
  scale points, the respondent options).  pyreadstat writes from a data frame, so the
  round is held in memory once, as compact numeric columns (about 8 bytes per answer:
  some 200 MB for a million responses of 20 questions).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Round
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.exporter import export_rows


def _numeric(q: Questionnaire) -> set[str]:
    return set(q.answer_ids) | {"duration"}


def codebook(q: Questionnaire, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(column, label, value labels) for every exported column of ``q``."""
    rows = [("respondent_id", "Respondent id / 答卷编号", "")]
    for question in q.respondent:
        values = "; ".join(f"{i + 1} = {o.value}" for i, o in enumerate(question.options))
        rows.append((question.id, question.text.get(lang), values))
    rows.append(("period", "Period / 期次", ""))
    for item in q.items:
        scale = item.scale
        rows.append((item.id, item.text.get(lang),
                     "; ".join(f"{v} = {scale.label(v, lang)}" for v in scale.points)))
    overall = q.overall.scale
    rows.append((q.overall.id, q.overall.text.get(lang),
                 "; ".join(f"{v} = {overall.label(v, lang)}" for v in overall.points)))
    rows += [(oq.id, oq.text.get(lang), "") for oq in q.open_questions]
    rows += [("duration", "Completion time, seconds / 答题用时（秒）", ""),
             ("submitted_at", "Submitted at (UTC) / 提交时间", ""), ("channel", "Channel / 渠道", "")]
    return rows


def export_xlsx(session: Session, round_: Round, path: Path, lang: str = "zh") -> int:
    """Write the round to ``path`` as XLSX; return the number of responses.

    XlsxWriter in ``constant_memory`` mode flushes each row as it is written.
    """
    import xlsxwriter

    q = questionnaire_of(round_.questionnaire_version)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = wb.add_worksheet("responses")
        rows = export_rows(session, round_)
        header = next(rows)
        numeric = [name in _numeric(q) for name in header]
        sheet.write_row(0, 0, header)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, (value, num) in enumerate(zip(row, numeric, strict=True)):
                if value == "":
                    continue
                if num:
                    sheet.write_number(count, col, float(value))
                else:
                    sheet.write_string(count, col, value)
        book = wb.add_worksheet("codebook")
        book.write_row(0, 0, ["column", "label", "values"])
        for i, entry in enumerate(codebook(q, lang), start=1):
            book.write_row(i, 0, list(entry))
    finally:
        wb.close()
    return count


def export_sav(session: Session, round_: Round, path: Path, lang: str = "zh") -> int:
    """Write the round to ``path`` as an SPSS .sav file with variable and value labels."""
    import pandas as pd
    import pyreadstat

    q = questionnaire_of(round_.questionnaire_version)
    rows = export_rows(session, round_)
    header = next(rows)
    data: dict[str, list] = {name: [] for name in header}
    option_codes = {question.id: {o.value: i + 1 for i, o in enumerate(question.options)} for question in q.respondent}
    for row in rows:
        for name, value in zip(header, row, strict=True):
            data[name].append(value)
    frame = {}
    for name in header:
        values = data.pop(name)
        if name in option_codes:
            codes = option_codes[name]
            frame[name] = np.array([codes.get(v, np.nan) for v in values], dtype=np.float64)
        elif name in _numeric(q):
            frame[name] = np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)
        else:
            frame[name] = values
    df = pd.DataFrame(frame)
    labels = {col: label for col, label, _ in codebook(q, lang)}
    value_labels: dict[str, dict[float, str]] = {}
    for question in q.respondent:
        value_labels[question.id] = {float(i + 1): o.value for i, o in enumerate(question.options)}
    for aid in q.answer_ids:
        scale = q.scale_of(aid)
        value_labels[aid] = {float(v): scale.label(v, lang) for v in scale.points}
    pyreadstat.write_sav(df, str(path), column_labels=[labels[c] for c in df.columns],
                         variable_value_labels=value_labels)
    return len(df)
