"""``/admin/questionnaires``: roles, check with errors at the line, publish, uploads, import.

Every post goes through the real forms with their CSRF token, as a browser sends them.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.models.user import AuditLog
from surveyapp.qeditor.service import MAX_UPLOAD_BYTES, NEW_QUESTIONNAIRE
from surveyapp.questionnaire import builtin_dir
from tests.auth.helpers import csrf_of, sign_in_as
from tests.qeditor.xlsforms import xlsform_bytes

BASE = "/admin/questionnaires"
CATERING = (builtin_dir() / "catering.yaml").read_text(encoding="utf-8")


@pytest.fixture
def admin(app, make_user):
    client = app.test_client()
    sign_in_as(app, client, make_user("root", "admin"))
    return client


def _token(client) -> str:
    return csrf_of(client.get(f"{BASE}/new").get_data(as_text=True))


def _post(client, action: str, *, source: str = "", upload: bytes | None = None, name="q.yaml"):
    data: dict[str, object] = {"csrf_token": _token(client), "source": source}
    if upload is not None:
        data["upload"] = (io.BytesIO(upload), name)
    return client.post(f"{BASE}/{action}", data=data, content_type="multipart/form-data")


def _versions(app) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(QuestionnaireVersion.qid, QuestionnaireVersion.version).order_by(
                QuestionnaireVersion.qid, QuestionnaireVersion.version
            )
        )
        return [tuple(r) for r in rows]


def _audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(select(AuditLog.actor, AuditLog.action, AuditLog.target))
        return [tuple(r) for r in rows if r[1] == "questionnaire.publish"]


def _text(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize("path", ["", "/new", "/catering/edit", "/catering/v1"])
def test_pages_are_for_admins_only(app, make_user, publish, path):
    publish("catering")
    for role in ("evaluator", "bureau", "viewer"):
        client = app.test_client()
        sectors = ["catering"] if role == "bureau" else None
        sign_in_as(app, client, make_user(f"u-{role}", role, sectors=sectors))
        assert client.get(BASE + path).status_code == 403, role
    response = app.test_client().get(BASE + path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    admin = app.test_client()
    sign_in_as(app, admin, make_user("root", "admin"))
    assert admin.get(BASE + path).status_code == 200


def test_posts_are_for_admins_only(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = False  # the role check alone must refuse
    client = app.test_client()
    sign_in_as(app, client, make_user("view", "viewer"))
    for action in ("validate", "publish", "import"):
        response = client.post(f"{BASE}/{action}", data={"source": NEW_QUESTIONNAIRE})
        assert response.status_code == 403, action
    anonymous = app.test_client().post(f"{BASE}/publish", data={"source": NEW_QUESTIONNAIRE})
    assert anonymous.status_code == 302
    assert _versions(app) == []


# ------------------------------------------------------------------ list and view


def test_index_lists_versions_with_hash_and_yaml_view(app, admin, publish):
    publish("catering")
    page = _text(admin.get(BASE))
    with app.app_context():
        row = db.session.scalars(select(QuestionnaireVersion)).one()
        digest = row.content_hash
    assert "catering" in page and "v1" in page and digest[:12] in page
    assert "<td>餐饮</td>" in page  # the sector by its name
    assert f'href="{BASE}/catering/v1"' in page
    view = _text(admin.get(f"{BASE}/catering/v1"))
    assert "food safety and hygiene" in view.lower() or "食品安全与卫生" in view
    assert digest in view
    assert admin.get(f"{BASE}/catering/v9").status_code == 404
    assert admin.get(f"{BASE}/catering/v{2**63}").status_code == 404  # not a database error
    assert admin.get(f"{BASE}/nosuch/edit").status_code == 404


def test_edit_is_prefilled_with_the_latest_version(admin, publish):
    publish("catering")
    page = _text(admin.get(f"{BASE}/catering/edit"))
    textarea = re.search(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "id: catering" in textarea and "hyg_kitchen" in textarea


# ------------------------------------------------------------------ check


def test_valid_text_checks_without_publishing(app, admin):
    response = _post(admin, "validate", source=NEW_QUESTIONNAIRE)
    assert response.status_code == 200
    assert "校验通过：new_questionnaire 第 1 版" in _text(response)
    assert _versions(app) == []


def test_syntax_error_is_shown_at_its_line(admin):
    bad = NEW_QUESTIONNAIRE.replace("en: New questionnaire}", "en: New questionnaire")
    response = _post(admin, "validate", source=bad)
    page = _text(response)
    assert response.status_code == 400
    assert '<a href="#line-5">第 5 行</a>' in page
    assert "YAML syntax error: expected &#39;,&#39; or &#39;}&#39;" in page
    # the numbered copy marks line 5 and only line 5
    assert re.findall(r'<li id="line-(\d+)" value="\d+" class="qe-line-error">', page) == ["5"]


def test_schema_errors_are_all_listed_with_their_lines(admin):
    bad = (
        NEW_QUESTIONNAIRE.replace("max: 5", "max: five")
        .replace("weight: 1", "weight: -1")
        .replace("      - id: svc_attitude", "      - idd: svc_attitude")
    )
    page = _text(_post(admin, "validate", source=bad))
    assert "发现 3 处问题" in page
    found = re.findall(r'<a href="#line-(\d+)">第 \d+ 行</a>:\s*<code>([^<]+)</code>', page)
    assert found == [
        ("7", "scale.max"),
        ("17", "dimensions[0].weight"),
        ("19", "dimensions[0].items[0].idd"),
    ]
    assert "unknown key &#39;idd&#39; (did you mean &#39;id&#39;?)" in page
    assert re.findall(r'<li id="line-(\d+)" value="\d+" class="qe-line-error">', page) == [
        "7",
        "17",
        "19",
    ]


def test_shape_and_meaning_problems_are_listed_together(admin):
    """Issue 14: a misspelt key no longer hides an unknown sector until the next check:
    every problem is listed at once, each at its own line."""
    bad = NEW_QUESTIONNAIRE.replace("sector: catering", "sector: banking").replace(
        "weight: 1", "weight: 0"
    )
    page = _text(_post(admin, "validate", source=bad))
    found = re.findall(r'<a href="#line-(\d+)">第 \d+ 行</a>:\s*<code>([^<]+)</code>', page)
    assert found == [("3", "sector"), ("17", "dimensions[0].weight")]
    assert "发现 2 处问题" in page and "unknown sector &#39;banking&#39;" in page


def test_uploaded_file_problems_are_shown_in_chinese_with_english(admin):
    """Issue 14 item 7: each problem of an uploaded file reads "中文 / English", at its
    own line and key."""
    bad = NEW_QUESTIONNAIRE.replace("sector: catering", "sector: banking").replace(
        "weight: 1", "weight: -1"
    )
    page = _text(_post(admin, "validate", upload=bad.encode("utf-8"), name="bad.yaml"))
    found = re.findall(r'<a href="#line-(\d+)">第 \d+ 行</a>:\s*<code>([^<]+)</code>', page)
    assert found == [("3", "sector"), ("17", "dimensions[0].weight")]
    items = [
        re.sub(r"<[^>]+>", "", html.unescape(item))
        for item in re.findall(r"</code>:\s*(.*?)</li>", page, re.S)
    ]
    assert (
        items[0].startswith("未知的行业 'banking'（已知：")
        and "/ unknown sector 'banking'" in items[0]
    )
    assert items[1] == (
        "'weight' 应为大于 0 的数字（实际为 -1） / 'weight' must be a number greater than 0 (got -1)"
    )


def test_yaml_syntax_error_is_shown_in_chinese_with_english(admin):
    bad = NEW_QUESTIONNAIRE.replace("en: New questionnaire}", "en: New questionnaire")
    page = html.unescape(_text(_post(admin, "validate", upload=bad.encode("utf-8"))))
    assert "YAML 语法错误：expected ',' or '}'" in page
    assert "含有 ':'、'?'、',' 或括号的文本请加上引号" in page
    assert "/ <span lang=\"en\">YAML syntax error: expected ',' or '}'" in page


def test_english_page(admin):
    bad = NEW_QUESTIONNAIRE.replace("sector: catering", "sector: banking")
    data = {"csrf_token": _token(admin), "source": bad}
    page = _text(admin.post(f"{BASE}/validate?lang=en", data=data))
    assert '<a href="#line-3">line 3</a>' in page and "unknown sector &#39;banking&#39;" in page


def test_crlf_from_a_browser_keeps_line_numbers(admin):
    bad = NEW_QUESTIONNAIRE.replace("weight: 1", "weight: 0").replace("\n", "\r\n")
    page = _text(_post(admin, "validate", source=bad))
    assert '<a href="#line-17">第 17 行</a>' in page


def test_empty_post_asks_for_text(admin):
    response = _post(admin, "validate", source="  \n")
    assert response.status_code == 400
    assert "请填写 YAML 文本或上传文件。" in _text(response)


def test_expired_form_keeps_the_text(admin):
    response = admin.post(f"{BASE}/validate", data={"source": "id: kept_text"})
    assert response.status_code == 400
    page = _text(response)
    assert "页面已过期" in page and "id: kept_text" in page


# ------------------------------------------------------------------ publish


def test_upload_valid_then_publish_then_listed_and_audited(app, admin):
    response = _post(admin, "publish", upload=CATERING.encode("utf-8"), name="catering.yaml")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/catering/v1")
    shown = _text(admin.get(response.headers["Location"]))
    assert "已发布 catering 第 1 版。" in shown
    assert _versions(app) == [("catering", 1)]
    assert f'href="{BASE}/catering/v1"' in _text(admin.get(BASE))
    assert _audit(app) == [("root", "questionnaire.publish", "catering v1")]


def test_same_content_twice_is_one_version(app, admin):
    assert _post(admin, "publish", source=CATERING).status_code == 302
    # the same questionnaire re-laid-out (comments dropped, CRLF) is the same content
    again = "\r\n".join(line for line in CATERING.split("\n") if not line.startswith("#"))
    response = _post(admin, "publish", source=again)
    assert response.status_code == 302
    assert "内容与已发布的 catering 第 1 版相同，未新建版本。" in _text(
        admin.get(response.headers["Location"])
    )
    assert _versions(app) == [("catering", 1)]
    assert len(_audit(app)) == 1


def test_changed_content_becomes_a_new_version(app, admin):
    _post(admin, "publish", source=CATERING)
    changed = CATERING.replace("食材的新鲜程度", "食材新鲜")
    response = _post(admin, "publish", source=changed)
    page = _text(admin.get(response.headers["Location"]))
    assert "已发布 catering 第 2 版（文件中的第 1 版已被占用且内容不同）。" in page
    assert _versions(app) == [("catering", 1), ("catering", 2)]
    assert [a[2] for a in _audit(app)] == ["catering v1", "catering v2"]
    with app.app_context():
        stored = db.session.scalar(
            select(QuestionnaireVersion.source).where(QuestionnaireVersion.version == 2)
        )
    assert "食材新鲜" in stored


def test_invalid_text_is_not_published(app, admin):
    bad = NEW_QUESTIONNAIRE.replace("weight: 1", "weight: -1")
    response = _post(admin, "publish", source=bad)
    assert response.status_code == 400
    assert '<a href="#line-17">第 17 行</a>' in _text(response)
    assert _versions(app) == [] and _audit(app) == []


# ------------------------------------------------------------------ uploads refused


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "上传的文件不是文本文件"),
        (b"id: x\n\x00\x01\x02", "上传的文件不是文本文件"),
        ("id: x\ntitle: 餐饮\n".encode("gbk"), "上传的文件不是 UTF-8 编码的文本（第 2 行）"),
        (b"", "上传的文件是空的。"),
        (xlsform_bytes(), "上传的是电子表格，不是 YAML 文件"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(app, admin, data, message):
    response = _post(admin, "publish", upload=data)
    assert response.status_code == 400
    assert message in _text(response)
    assert _versions(app) == []


def test_upload_over_the_limit_is_refused(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 4 * MAX_UPLOAD_BYTES  # let the body reach the view
    big = CATERING.encode("utf-8") + b"# padding\n" * (MAX_UPLOAD_BYTES // 10)
    response = _post(admin, "publish", upload=big)
    assert response.status_code == 400
    assert "内容过大（" in _text(response) and "上限为 256 KB" in _text(response)
    assert _versions(app) == []


def test_request_over_the_server_limit_is_refused_with_a_message(app, admin):
    big = b"# padding\n" * (app.config["MAX_CONTENT_LENGTH"] // 10 + 10)
    response = _post(admin, "validate", upload=big)
    assert response.status_code == 413
    assert "上传内容过大，上限为 256 KB。" in _text(response)


# ------------------------------------------------------------------ XLSForm import


def _import(client, data: bytes, sector: str = "", name: str = "kobo.xlsx"):
    return client.post(
        f"{BASE}/import",
        data={"csrf_token": _token(client), "sector": sector, "workbook": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_xlsform_import_fills_the_editor_for_review_and_publishes_nothing(app, admin):
    response = _import(admin, xlsform_bytes())
    page = _text(response)
    assert response.status_code == 200
    assert "已从 XLSForm kobo.xlsx 转换" in page
    assert "row 12: type &#39;calculate&#39; is not supported" in page  # in the YAML
    assert "<li>第 12 行：不支持类型 &#39;calculate&#39;</li>" in page  # the page's language
    textarea = re.search(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "id: kobo_catering" in textarea and "hyg_clean" in textarea
    assert "校验通过：kobo_catering 第 2 版" in page
    assert _versions(app) == []


def test_xlsform_then_publish(app, admin):
    page = _text(_import(admin, xlsform_bytes()))
    textarea = re.search(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    response = _post(admin, "publish", source=html.unescape(textarea))
    assert response.status_code == 302
    assert _versions(app) == [("kobo_catering", 2)]


def test_xlsform_sector_chosen_on_the_form(admin):
    from tests.qeditor.xlsforms import SETTINGS

    settings = {k: v for k, v in SETTINGS.items() if k != "sector"}
    refused = _import(admin, xlsform_bytes(settings=settings))
    assert refused.status_code == 400 and "no sector" in _text(refused)
    assert "没有行业：请在 settings 表中加上 &#39;sector&#39; 列" in _text(refused)  # Chinese first
    page = _text(_import(admin, xlsform_bytes(settings=settings), sector="lodging"))
    assert "sector: lodging" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"type,name\ntext,x\n", "不是 .xlsx 工作簿"),
        (b"PK\x03\x04broken", "not a readable .xlsx workbook"),
    ],
)
def test_xlsform_bad_files(admin, data, message):
    response = _import(admin, data, name="form.csv")
    assert response.status_code == 400
    assert "无法导入该 XLSForm：" in _text(response) and message in _text(response)


def test_xlsform_without_a_file(admin):
    response = admin.post(f"{BASE}/import", data={"csrf_token": _token(admin), "sector": ""})
    assert response.status_code == 400 and "请选择要上传的文件。" in _text(response)


def test_account_navigation_links_the_editor_for_admins_only(app, admin, make_user):
    link = f'href="{BASE}">问卷管理</a>'
    assert link in _text(admin.get("/admin/users"))
    viewer = app.test_client()
    sign_in_as(app, viewer, make_user("view", "viewer"))
    page = _text(viewer.get("/dashboard"))
    assert viewer.get("/dashboard").status_code == 200 and BASE not in page


def test_typed_text_over_the_limit_is_refused(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 4 * MAX_UPLOAD_BYTES
    big = CATERING + "# 注释\n" * (MAX_UPLOAD_BYTES // 8)
    response = _post(admin, "publish", source=big)
    assert response.status_code == 400
    assert "内容过大（" in _text(response) and _versions(app) == []
