"""AUXILIARIES.csv: read and checked against the round's districts, every problem with
its row and column."""

from __future__ import annotations

import pytest

from surveyapp.csvtable import InputError
from surveyapp.indices.auxiliaries_file import AuxiliariesInvalid, read_auxiliaries

DISTRICTS = ["甲", "乙", "丙", "丁", "戊"]
GOOD = "district,elderly,venues\n甲,0.10,3\n乙,0.12,5\n丙,0.15,4\n丁,0.09,7\n戊,0.2,2\n"


def _problems(text: str, districts=DISTRICTS) -> list[tuple[object, object, str]]:
    with pytest.raises(AuxiliariesInvalid) as caught:
        read_auxiliaries(text.encode("utf-8"), districts, name="aux.csv")
    return [(p.row, p.column, p.kind) for p in caught.value.problems]


def test_a_good_file_in_file_order_with_a_bom():
    got = read_auxiliaries(("\ufeff" + GOOD).encode("utf-8"), DISTRICTS, name="aux.csv")
    assert list(got) == DISTRICTS
    assert got["丙"] == {"elderly": 0.15, "venues": 4.0}


def test_every_problem_with_row_and_column():
    text = "district,elderly,venues\n甲,0.10,x\n乙,0.12,5\n乙,0.1,5\n己,0.1,1\n,1,1\n丁,inf,7\n"
    assert _problems(text) == [
        (2, "venues", "not_number"),
        (4, "district", "duplicate"),
        (5, "district", "district"),
        (6, "district", "empty_district"),
        (7, "elderly", "not_number"),
    ]


def test_header_and_coverage():
    assert _problems("area,elderly\n甲,1\n") == [("header", "district", "missing_column")]
    assert _problems("district\n甲\n") == [("header", None, "no_covariates")]
    missing = _problems("district,elderly\n甲,1\n乙,2\n丙,3\n")
    assert missing == [("header", "district", "missing_district")] * 2
    assert _problems("district,elderly\n", []) == [(2, None, "no_rows")]


def test_the_model_must_be_estimable():
    few = "district,a,b,c,d\n甲,1,2,3,4\n乙,2,1,3,5\n丙,3,3,1,2\n丁,1,1,1,1\n戊,5,4,2,1\n"
    assert _problems(few) == [("header", None, "too_few")]
    constant = "district,a,b\n甲,1,2\n乙,2,2\n丙,3,2\n丁,1,2\n戊,5,2\n"
    assert _problems(constant) == [("header", "b", "dependent")]
    combination = "district,a,b\n甲,1,2\n乙,2,4\n丙,3,6\n丁,1,2\n戊,5,10\n"
    assert _problems(combination) == [("header", "b", "dependent")]


def test_one_line_for_the_cli():
    with pytest.raises(InputError) as caught:
        read_auxiliaries(b"district,a\n\xe7\x94\xb2,x\n", [], name="aux.csv")
    assert str(caught.value).startswith("aux.csv")
    assert "row 2" in str(caught.value) and "a" in str(caught.value)
