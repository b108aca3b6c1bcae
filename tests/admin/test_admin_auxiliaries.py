"""Uploading district auxiliaries to a round (small-area estimates): stored as
{district: {covariate: value}}, shown, clearable, audited; every bad file refused with
what is wrong and where; the same file through ``surveyapp rounds auxiliaries``."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Round
from tests.admin.conftest import csrf


@pytest.fixture
def code(make_round):
    return make_round("catering", code="cat-aux")


def _districts(app, code) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Round).where(Round.code == code)).one().districts)


def _good(districts: list[str]) -> str:
    rows = [f"{d},{0.1 + 0.01 * i:.3f},{3 + (7 * i) % 5}" for i, d in enumerate(districts)]
    return "district,elderly,venues\n" + "\n".join(rows) + "\n"


def _upload(admin, code, content: bytes, name: str = "aux.csv"):
    token = csrf(admin, f"/admin/rounds/{code}")
    fields = {"csrf_token": token, "file": FileStorage(io.BytesIO(content), name)}
    boundary, body = encode_multipart(MultiDict(fields))
    return admin.post(
        f"/admin/rounds/{code}/auxiliaries",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _stored(app, code):
    with app.app_context():
        return db.session.scalars(select(Round).where(Round.code == code)).one().auxiliaries


def _errors(reply) -> list[str]:
    page = reply.get_data(as_text=True)
    found = re.findall(
        r'<p class="field-error" id="auxiliaries-error-\d+"[^>]*>(.*?)</p>', page, re.S
    )
    assert found, "no error next to the auxiliaries input"
    return [html.unescape(re.sub(r"<[^>]+>", "", f)) for f in found]


def test_good_file_is_stored_shown_audited_and_cleared(app, admin, code):
    districts = _districts(app, code)
    reply = _upload(admin, code, _good(districts).encode("utf-8-sig"))
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#auxiliaries")
    stored = _stored(app, code)
    assert list(stored) == districts
    assert stored[districts[1]] == {"elderly": 0.11, "venues": 5.0}
    page = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert f"已保存 {len(districts)} 个区县的辅助数据" in page
    assert '<th scope="col">elderly</th>' in page
    with app.app_context():
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "round.auxiliaries")
        ).one()
        assert entry.details == {"districts": len(districts), "file": "aux.csv"}
    token = csrf(admin, f"/admin/rounds/{code}")
    cleared = admin.post(f"/admin/rounds/{code}/auxiliaries/clear", data={"csrf_token": token})
    assert cleared.status_code == 302 and _stored(app, code) is None
    assert "尚未上传辅助数据" in admin.get(f"/admin/rounds/{code}").get_data(as_text=True)


def test_every_problem_named_with_row_and_column(app, admin, code):
    districts = _districts(app, code)
    lines = _good(districts).splitlines()
    lines[2] = f"{districts[1]},abc,5"  # row 3: not a number
    lines[4] = "不存在区,0.1,5"  # row 5: not a district of the round
    reply = _upload(admin, code, ("\n".join(lines) + "\n").encode())
    assert reply.status_code == 400
    errors = _errors(reply)
    assert errors[0].startswith("文件第 3 行，elderly 列：“abc”不是数字")
    assert "row 3, column elderly: abc is not a number" in errors[0]
    assert "第 5 行，district 列：“不存在区”不是本轮的区县" in errors[1]
    assert _stored(app, code) is None


def test_a_district_left_out_and_a_workbook_are_refused(app, admin, code):
    districts = _districts(app, code)
    short = "\n".join(_good(districts).splitlines()[:-1]) + "\n"
    errors = _errors(_upload(admin, code, short.encode()))
    assert any(f"缺少本轮区县 {districts[-1]} 的一行" in e for e in errors)
    xlsx = _upload(admin, code, b"PK\x03\x04" + b"\0" * 200, "aux.xlsx")
    assert xlsx.status_code == 400 and _stored(app, code) is None


def test_cli_stores_the_same_and_refuses_with_one_line(app, code, cli, tmp_path):
    districts = _districts(app, code)
    good = tmp_path / "aux.csv"
    good.write_text(_good(districts), encoding="utf-8")
    done = cli("rounds", "auxiliaries", code, str(good))
    assert done.exit_code == 0, done.output
    assert f"auxiliaries of {len(districts)} districts saved" in done.output
    assert list(_stored(app, code)) == districts
    bad = tmp_path / "bad.csv"
    bad.write_text("district,elderly\n" + f"{districts[0]},x\n", encoding="utf-8")
    refused = cli("rounds", "auxiliaries", code, str(bad))
    assert refused.exit_code == 2
    lines = [x for x in refused.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "bad.csv" in lines[0] and "row 2" in lines[0]
    assert "elderly" in lines[0] and "Traceback" not in refused.output
    assert list(_stored(app, code)) == districts  # unchanged


def test_a_file_over_the_limit_is_named_on_the_page(app, admin, code):
    from surveyapp.admin.margins import MAX_MARGINS_BYTES

    big = b"district,a\n" + b"x,1\n" * (MAX_MARGINS_BYTES // 2)  # twice the limit
    reply = _upload(admin, code, big)
    assert reply.status_code == 413
    assert _errors(reply)[0].startswith("文件过大：2 MB，上限为 1 MB")
    assert _stored(app, code) is None
