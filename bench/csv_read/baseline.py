"""The baseline: RESPONSES.csv read by the row loop ``surveyapp analyze`` used before
:mod:`surveyapp.csvtable` (the csv module, one Python iteration a row), kept here as it
was so the benchmark measures the two in the same process on the same file.

Only the reading and the checks of a good file are kept (errors are raised without the
detail of the real reader); the result is the same :class:`ResponseMatrix`, with the
category columns as object arrays of str, as that reader made them.
"""

from __future__ import annotations

import csv
import math
from array import array

import numpy as np

from analysis import ResponseMatrix
from surveyapp.questionnaire.model import Questionnaire

ID_COLUMN = "respondent_id"
DURATION_COLUMN = "duration"


def _score_parser(lo: int, hi: int):
    def parse(text: str) -> float:
        s = text.strip()
        if not s:
            return math.nan
        x = float(s)
        if not x.is_integer() or not lo <= x <= hi:
            raise ValueError(f"bad score {text!r}")
        return x

    return parse


def read_responses_rowwise(path: str, questionnaire: Questionnaire) -> ResponseMatrix:
    """RESPONSES.csv (UTF-8) by the former per-row loop."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        header = [h.strip() for h in next(reader)]
        pos = {name: i for i, name in enumerate(header)}
        q = questionnaire
        ov = q.overall
        answers = [(it.id, it.scale.min, it.scale.max) for it in q.items]
        answers.append((ov.id, ov.scale.min, ov.scale.max))
        answer_pos = [pos[a] for a, _, _ in answers]
        slow = [_score_parser(lo, hi) for _, lo, hi in answers]
        fast = []
        for _, lo, hi in answers:
            lut = {str(v): float(v) for v in range(lo, hi + 1)}
            lut[""] = math.nan
            fast.append(lut.get)
        pairs = list(zip(fast, answer_pos, strict=True))
        answer_cols = {a for a, _, _ in answers} | {ID_COLUMN, DURATION_COLUMN}
        questions = {rq.id: rq for rq in q.respondent}
        cats = [
            (
                name,
                pos[name],
                {},
                {},
                array("l"),
                (set(questions[name].values), questions[name].required)
                if name in questions
                else None,
            )
            for name in header
            if name not in answer_cols
        ]
        flat = array("d")
        durations = array("d")
        ids: list[str] = []
        first_row: dict[str, int] = {}
        id_pos = pos[ID_COLUMN]
        dur_pos = pos.get(DURATION_COLUMN)
        width = len(header)
        for number, fields in enumerate(reader, start=1):
            if len(fields) != width:
                if not fields or all(not f.strip() for f in fields):
                    continue
                raise ValueError(f"row {number}: {len(fields)} fields")
            rid = fields[id_pos].strip()
            if not rid or rid in first_row:
                raise ValueError(f"row {number}: bad respondent id {rid!r}")
            first_row[rid] = number
            ids.append(rid)
            values = [get(fields[p]) for get, p in pairs]
            if None in values:
                values = [parse(fields[p]) for parse, p in zip(slow, answer_pos, strict=True)]
            flat.extend(values)
            if dur_pos is not None:
                d = fields[dur_pos].strip()
                durations.append(float(d) if d else math.nan)
            for name, p, raw_codes, clean_codes, out, rule in cats:
                raw = fields[p]
                code = raw_codes.get(raw)
                if code is None:
                    value = raw.strip()
                    code = clean_codes.get(value)
                    if code is None:
                        if rule is not None and value not in rule[0] and (value or rule[1]):
                            raise ValueError(f"row {number}: {name}={value!r}")
                        code = clean_codes[value] = len(clean_codes)
                    raw_codes[raw] = code
                out.append(code)
    n = len(ids)
    table = np.frombuffer(flat, dtype=np.float64).reshape(n, len(answers))
    columns = {}
    for name, _, _, clean_codes, out, _ in cats:
        labels = np.array(list(clean_codes), dtype=object)
        columns[name] = labels[np.frombuffer(out, dtype=np.int_)]
    return ResponseMatrix(
        respondent_ids=np.array(ids, dtype=object),
        scores=np.ascontiguousarray(table[:, :-1]),
        overall=table[:, -1].copy(),
        columns=columns,
        durations=np.frombuffer(durations, dtype=np.float64).copy()
        if dur_pos is not None
        else None,
        levels={k.id: k.values for k in q.respondent if k.id in columns},
    )
