"""No export lets a phone or ID number out of an open answer unmasked: CSV, XLSX, SPSS
and the read API's pages, each read back the way its user would read it."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyreadstat
import pytest

from surveyapp.extensions import db
from surveyapp.responses.exporter import export_csv, export_page
from surveyapp.responses.formats import export_sav, export_xlsx
from surveyapp.rounds.service import get_round
from tests.responses.export_helpers import submit_suggestions

ID_NUMBER = "11010519491231002X"  # GB 11643's example: valid check character
TEXTS = [
    "请联系我 138 1234 5678，菜太咸",
    f"身份证 {ID_NUMBER} 办卡被拒",
    "订单号 202611251234567890 没有发票",  # a long number that is not personal
    "<b>原样</b> & 照录",
]
MASKED = [
    "请联系我 138****5678，菜太咸",
    "身份证 110105********002X 办卡被拒",
    "订单号 202611251234567890 没有发票",
    "<b>原样</b> & 照录",
]
SECRETS = ("1234 5678", "19491231")  # the phone's middle, the ID's birth date


@pytest.fixture
def code(app, make_round):
    code = make_round("catering", code="catering-pii")
    submit_suggestions(app, code, TEXTS)
    return code


def test_csv_and_api_pages_are_masked(app, code):
    with app.app_context():
        round_ = get_round(db.session, code)
        text = "".join(export_csv(db.session, round_))
        page = export_page(db.session, round_, limit=10)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["suggestions"] for r in rows] == MASKED
    column = page.columns.index("suggestions")
    assert [row[column] for row in page.rows] == MASKED
    assert not any(s in text for s in SECRETS)


def test_xlsx_and_sav_are_masked(app, code, tmp_path):
    with app.app_context():
        round_ = get_round(db.session, code)
        export_xlsx(db.session, round_, tmp_path / "r.xlsx")
        export_sav(db.session, round_, tmp_path / "r.sav")
    sheet = pd.read_excel(tmp_path / "r.xlsx", sheet_name="responses")
    frame, _ = pyreadstat.read_sav(str(tmp_path / "r.sav"))
    assert sheet["suggestions"].tolist() == MASKED == frame["suggestions"].tolist()
    for path in (tmp_path / "r.xlsx", tmp_path / "r.sav"):
        assert "138 1234" not in path.read_bytes().decode("latin-1")


def test_xlsx_survives_control_characters(app, make_round, tmp_path):
    """A control character in an open answer (possible through the JSON API) would make
    the workbook's XML invalid; it is dropped, the rest of the text kept."""
    code = make_round("catering", code="catering-ctl")
    submit_suggestions(app, code, ["a\x01b\x0bc"])
    with app.app_context():
        export_xlsx(db.session, get_round(db.session, code), tmp_path / "c.xlsx")
    assert pd.read_excel(tmp_path / "c.xlsx", sheet_name="responses")["suggestions"].tolist() == [
        "abc"
    ]


def test_an_empty_round_exports_its_columns(app, make_round, tmp_path):
    """A round nobody has answered yet still gives files with the columns (and labels)."""
    code = make_round("catering", code="catering-empty")
    with app.app_context():
        round_ = get_round(db.session, code)
        assert export_xlsx(db.session, round_, tmp_path / "e.xlsx") == 0
        assert export_sav(db.session, round_, tmp_path / "e.sav") == 0
    sheet = pd.read_excel(tmp_path / "e.xlsx", sheet_name="responses")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "e.sav"))
    assert len(sheet) == len(frame) == 0
    assert list(sheet.columns) == list(frame.columns) and "suggestions" in frame.columns
    assert meta.variable_value_labels["overall"][5.0] == "非常满意"
