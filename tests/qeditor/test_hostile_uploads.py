"""Hostile uploads: refused with a message on the web page (400) and the CLI (exit 2).

Before these checks, a DTD in a sheet (the "billion laughs" or an external entity) or
a sheet whose XML breaks after the first rows raised ``ParseError`` out of the XLSForm
import, a 500 on the web and a traceback on the command line, and a cell of any length
was carried into the questionnaire; a YAML alias bomb typed into the editor held a
worker for half a minute, and deep nesting raised ``RecursionError``.
"""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.questionnaire.loader import parse_questionnaire
from surveyapp.questionnaire.reading import MAX_DEPTH, MAX_NODES
from surveyapp.questionnaire.xlsform import MAX_CELL_CHARS, XLSFormError, convert_xlsform
from tests.auth.helpers import csrf_of, sign_in_as
from tests.qeditor.xlsforms import SURVEY, with_lying_size, with_member, xlsform_bytes
from tests.questionnaire.test_limits import ALIAS_BOMB

SHEET = "xl/worksheets/sheet1.xml"
DTD_REFUSED = "the workbook's XML declares a DTD or entities, which an XLSForm never has"

LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)
EXTERNAL = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_dtd(dtd: bytes, entity: bytes, member: str = SHEET) -> bytes:
    """The test workbook with ``dtd`` before ``member``'s root and ``entity`` in a label."""

    def change(body: bytes) -> bytes:
        if body.startswith(b"<?xml"):
            end = body.index(b"?>") + 2
            body = body[:end] + dtd + body[end:]
        else:
            body = dtd + body
        return body.replace(b">hyg_clean<", b">" + entity + b"<", 1)

    return with_member(xlsform_bytes(), member, change)


HOSTILE = {
    "billion-laughs": (_with_dtd(LAUGHS, b"&lol9;"), DTD_REFUSED),
    "external-entity": (_with_dtd(EXTERNAL, b"&xxe;"), DTD_REFUSED),
    "dtd-in-content-types": (
        _with_dtd(b"<!DOCTYPE Types [<!ENTITY a 'a'>]>", b"", "[Content_Types].xml"),
        DTD_REFUSED,
    ),
    "xml-broken-after-the-first-rows": (
        with_member(
            xlsform_bytes(),
            SHEET,
            lambda body: body.replace(b"</sheetData>", b'<row r="99"><c r="A99"></sheetData>'),
        ),
        "not a readable .xlsx workbook (ParseError)",
    ),
    "zip-bomb-lying-about-its-size": (
        with_lying_size(xlsform_bytes(), SHEET, 100 * 2**20),
        "not a readable .xlsx workbook (BadZipFile)",
    ),
    "cell-too-long": (
        xlsform_bytes(
            survey=[*SURVEY, ("select_one sat5", "long", "长" * (MAX_CELL_CHARS + 1), "L", "")]
        ),
        f"the 'survey' sheet, cell C15: more than {MAX_CELL_CHARS} characters",
    ),
    "header-too-long": (
        xlsform_bytes(
            survey_header=("type", "name", "label::zh", "label::en", "x" * (MAX_CELL_CHARS + 1))
        ),
        f"the 'survey' sheet, cell E1: more than {MAX_CELL_CHARS} characters",
    ),
}


def test_the_bombs_fit_in_an_upload():
    for data, _message in HOSTILE.values():
        assert len(data) < 256 * 1024


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_convert_refuses_with_a_message(case):
    data, message = HOSTILE[case]
    with pytest.raises(XLSFormError) as info:
        convert_xlsform(data, source="form.xlsx")
    assert message in str(info.value)


def test_a_cell_at_the_limit_is_read():
    label = "长" * MAX_CELL_CHARS
    survey = [*SURVEY, ("select_one sat5", "long", label, "L", "")]
    q = parse_questionnaire(convert_xlsform(xlsform_bytes(survey=survey)).yaml)
    assert q.items[-1].text.zh == label


@pytest.fixture
def admin(app, make_user):
    client = app.test_client()
    sign_in_as(app, client, make_user("root", "admin"))
    return client


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_web_import_is_a_400_with_the_message(admin, case):
    data, message = HOSTILE[case]
    token = csrf_of(admin.get("/admin/questionnaires/new").get_data(as_text=True))
    response = admin.post(
        "/admin/questionnaires/import",
        data={"csrf_token": token, "sector": "", "workbook": (io.BytesIO(data), "form.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "无法导入该 XLSForm：" in page
    assert message.replace("'", "&#39;") in page


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_cli_import_exits_2_with_one_line(tmp_path, case):
    data, message = HOSTILE[case]
    source = tmp_path / "form.xlsx"
    source.write_bytes(data)
    result = CliRunner().invoke(
        main, ["questionnaires", "import-xlsform", str(source)], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {source}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


# ------------------------------------------------------------------ YAML in the editor

YAML_REFUSED = {
    "alias-bomb": (
        ALIAS_BOMB,
        6,
        f"YAML refused: more than {MAX_NODES} values once aliases (*name) are expanded",
    ),
    "10000-deep": (
        "id: x\ndeep: " + "[" * 10_000 + "]" * 10_000 + "\n",
        2,
        f"YAML refused: lists and mappings nested more than {MAX_DEPTH} deep",
    ),
}


@pytest.mark.parametrize("how", ["typed", "uploaded"])
@pytest.mark.parametrize("action", ["validate", "publish"])
@pytest.mark.parametrize("case", sorted(YAML_REFUSED))
def test_hostile_yaml_is_a_400_at_its_line(admin, case, action, how):
    text, line, message = YAML_REFUSED[case]
    token = csrf_of(admin.get("/admin/questionnaires/new").get_data(as_text=True))
    data: dict[str, object] = {"csrf_token": token, "source": text if how == "typed" else ""}
    if how == "uploaded":
        data["upload"] = (io.BytesIO(text.encode()), "q.yaml")
    response = admin.post(
        f"/admin/questionnaires/{action}", data=data, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<a href="#line-{line}">第 {line} 行</a>' in page
    assert message in page
