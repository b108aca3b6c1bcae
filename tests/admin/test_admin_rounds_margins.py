"""Uploading population margins to a round: stored as {variable: {category: total}},
shown, replaceable and clearable; every bad file refused with what is wrong and where."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from surveyapp.demo import margins_csv, population_margins
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Round
from tests.admin.conftest import csrf

GOOD = margins_csv(population_margins())


@pytest.fixture
def code(make_round):
    return make_round("catering", code="cat-margins")


def _upload(admin, code, content: bytes, name: str = "margins.csv"):
    token = csrf(admin, f"/admin/rounds/{code}")
    # encoded here, in memory: the test client would spool a large body to a temporary
    # file that it never closes (a ResourceWarning, an error in this suite)
    fields = {"csrf_token": token, "file": FileStorage(io.BytesIO(content), name)}
    boundary, body = encode_multipart(MultiDict(fields))
    return admin.post(
        f"/admin/rounds/{code}/margins",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _stored(app, code):
    with app.app_context():
        return db.session.scalars(select(Round).where(Round.code == code)).one().margins


def _file_error(reply) -> str:
    page = reply.get_data(as_text=True)
    found = re.search(r'<p class="field-error" id="file-error-1"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no error next to the file input"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def test_good_file_is_stored_in_file_order_and_shown(app, admin, code):
    reply = _upload(admin, code, GOOD.encode("utf-8-sig"))  # Excel's "CSV UTF-8" has a BOM
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#margins")
    stored = _stored(app, code)
    assert stored == population_margins()
    assert list(stored) == list(population_margins())  # the raking order is kept
    page = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert "已保存 2 个变量的人口结构数据" in page
    assert "思茅区" in page and "326,040" in page
    with app.app_context():
        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "round.margins")).one()
        assert row.target == f"round:{code}" and row.actor == "admin-user"
        assert row.details == {
            "variables": ["district", "age_group"],
            "categories": 14,
            "file": "margins.csv",
        }


def test_margins_can_be_replaced_and_cleared(app, admin, code):
    assert _upload(admin, code, GOOD.encode()).status_code == 302
    smaller = "\n".join(line for line in GOOD.splitlines() if not line.startswith("age_group"))
    assert _upload(admin, code, smaller.encode()).status_code == 302
    assert list(_stored(app, code)) == ["district"]
    token = csrf(admin, f"/admin/rounds/{code}")
    reply = admin.post(f"/admin/rounds/{code}/margins/clear", data={"csrf_token": token})
    assert reply.status_code == 302
    assert _stored(app, code) is None
    assert "本轮尚未上传人口结构数据" in admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.details).where(AuditLog.action == "round.margins").order_by(AuditLog.id)
        ).all()
        assert actions[-1] == {"cleared": True} and len(actions) == 3


BAD_ROWS = [
    # (a change to the good file, Chinese location, English message part)
    (("326040", "many"), "文件第 2 行，population 列", "'many' is not a number"),
    (("326040", "-5"), "文件第 2 行，population 列", "the population must be positive"),
    (
        ("variable,category,population", "variable,category,people"),
        "文件表头，population 列",
        "missing",
    ),
    (
        ("district,西盟佤族自治县,67080", "district,西盟佤族自治县,67081"),
        "population 列",
        "add up to",
    ),
    (
        ("district,思茅区", "district,火星区"),
        "文件第 2 行，category 列",
        "district '火星区' is not in this round",
    ),
    (
        ("age_group,18-29", "age_group,18-30"),
        "category 列",
        "'18-30' is not an option of 'age_group'",
    ),
    (("age_group,", "income,"), "category", "is not a respondent question"),
    (
        ("district,西盟佤族自治县,67080\n", ""),
        "category 列",
        "no population for the category '西盟佤族自治县'",
    ),  # noqa: E501
]


@pytest.mark.parametrize(("change", "where", "message"), BAD_ROWS, ids=[b[2] for b in BAD_ROWS])
def test_bad_rows_are_named_by_row_and_column(app, admin, code, change, where, message):
    old, new = change
    assert old in GOOD
    bad = GOOD.replace(old, new)
    if "西盟" in old:  # a district left out, its people counted elsewhere: totals still agree
        bad = bad.replace("district,思茅区,326040", "district,思茅区,393120")
    if "income" in new:
        bad = bad.replace("age_group,", "income,")
        message, where = "'income' is not a respondent question", "variable 列"
    reply = _upload(admin, code, bad.encode())
    assert reply.status_code == 400
    text = _file_error(reply)
    assert where in text and message in text, text
    assert _stored(app, code) is None  # nothing half-stored


def test_a_previous_upload_survives_a_bad_one(app, admin, code):
    assert _upload(admin, code, GOOD.encode()).status_code == 302
    assert _upload(admin, code, GOOD.replace("326040", "x").encode()).status_code == 400
    assert _stored(app, code) == population_margins()


@pytest.mark.parametrize(
    ("content", "name", "zh", "en"),
    [
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200,
            "margins.xlsx",
            "这是 Excel 工作簿",
            "Excel workbook",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
            "margins.xls",
            "这是 Excel 工作簿",
            "CSV UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "不是文本文件", "binary data"),
        (
            "variable,category,population\ndistrict,思茅区,1\n".encode("gb18030"),
            "gbk.csv",
            "不是 UTF-8 编码（第 2 行起）",
            "not UTF-8 text",
        ),
        (b"", "empty.csv", "请选择要上传的 CSV 文件", "Choose a CSV file"),
    ],
    ids=["xlsx", "xls", "binary", "gb18030", "empty"],
)
def test_files_that_are_not_utf8_csv_are_refused_by_kind(app, admin, code, content, name, zh, en):
    reply = _upload(admin, code, content, name)
    assert reply.status_code == 400
    text = _file_error(reply)
    assert zh in text and en in text and text.index(zh) < text.index(en)
    assert _stored(app, code) is None


def test_no_file_at_all(app, admin, code):
    token = csrf(admin, f"/admin/rounds/{code}")
    reply = admin.post(f"/admin/rounds/{code}/margins", data={"csrf_token": token})
    assert reply.status_code == 400 and "请选择要上传的 CSV 文件" in _file_error(reply)


def test_a_file_over_one_megabyte_is_refused(app, admin, code):
    """Over 1 MB: refused with the size, whatever the app's general request limit is."""
    padding = ("\n" * (1024 * 1024)).encode()
    reply = _upload(admin, code, GOOD.encode() + padding)
    assert reply.status_code == 400
    text = _file_error(reply)
    assert "文件过大" in text and "上限为 1 MB" in text and "at most 1 MB" in text
    assert _stored(app, code) is None


def test_a_body_far_over_the_limit_gets_the_page_not_a_bare_413(app, admin, code):
    reply = _upload(admin, code, b"x" * (2 * 1024 * 1024))
    assert reply.status_code == 413
    text = _file_error(reply)
    assert "文件过大" in text and "2 MB" in text
    assert _stored(app, code) is None


def test_other_forms_keep_the_app_limit_and_get_the_general_notice(app, admin, code):
    """The upload limit is raised for the margins only (the app's is sized for answers)."""
    token = csrf(admin, f"/admin/rounds/{code}")
    limit = app.config["MAX_CONTENT_LENGTH"]
    reply = admin.post(
        f"/admin/rounds/{code}/invitations", data={"csrf_token": token, "count": "1" * limit}
    )
    assert reply.status_code == 413
    text = reply.get_data(as_text=True)
    assert "提交的内容超出了允许的大小" in text and "larger than allowed" in text
    assert "文件过大" not in text


def test_every_problem_is_listed_with_its_row_in_chinese_and_english(app, admin, code):
    """Issue 14: a file with three bad rows lists all three (not the first only), each
    with the file's own row number (the header is row 1) and in Chinese first."""
    lines = GOOD.splitlines()
    assert lines[0] == "variable,category,population"
    lines[1] = lines[1].rsplit(",", 1)[0] + ",many"  # row 2
    lines[3] = lines[3].rsplit(",", 1)[0] + ",0"  # row 4
    lines[5] = "district,火星区," + lines[5].rsplit(",", 1)[1]  # row 6
    reply = _upload(admin, code, ("\n".join(lines) + "\n").encode())
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    errors = [
        html.unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(
            r'<p class="field-error" id="file-error-\d+"[^>]*>(.*?)</p>', page, re.S
        )
    ]
    assert len(errors) >= 3, errors
    assert errors[0].startswith("文件第 2 行，population 列：人口数“many”不是数字"), errors[0]
    assert "row 2, column population: 'many' is not a number" in errors[0]
    assert errors[1].startswith("文件第 4 行，population 列：人口数须为正数"), errors[1]
    assert any(e.startswith("文件第 6 行，category 列") and "火星区" in e for e in errors[2:])
    assert _stored(app, code) is None
