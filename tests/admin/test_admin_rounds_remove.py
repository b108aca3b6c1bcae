"""/admin/rounds: the one-round rule and the parallel-sample checkbox on the form;
deleting a round without responses and archiving one with them (confirmation page,
CSRF, ``confirm=yes``, audited, admin only) (issue 14, item 1)."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Round
from tests.admin.conftest import csrf
from tests.api.test_submit import _payload


def _round(app, code) -> Round | None:
    with app.app_context():
        return db.session.scalars(select(Round).where(Round.code == code)).first()


def _audits(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def _new_round_form(app, admin, publish, **fields):
    version_id = publish("catering")
    url = f"/admin/rounds/new?version={version_id}"
    data = {
        "csrf_token": csrf(admin, url),
        "version": str(version_id),
        "period": "2026Q4",
        "districts": ["思茅区"],
    }
    data.update(fields)
    return data


def test_the_form_refuses_a_second_round_next_to_the_parallel_box(app, admin, publish, make_round):
    make_round("catering", code="catering-2026q4", parallel=False)  # every district
    data = _new_round_form(app, admin, publish, code="catering-dup-2026q4")
    reply = admin.post("/admin/rounds/new", data=data)
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="parallel-error-1"[^>]*>(.*?)</p>', page, re.S)
    assert error, "no error next to the parallel-sample box"
    assert "轮次 catering-2026q4 已在 2026Q4 进行或已安排" in error.group(1)
    assert "tick “Parallel sample”" in error.group(1)
    assert _round(app, "catering-dup-2026q4") is None
    # ticked: a parallel sample is created, and says so
    data["parallel"] = "y"
    created = admin.post("/admin/rounds/new", data=data)
    assert created.status_code == 302
    assert _round(app, "catering-dup-2026q4").parallel is True
    assert "平行样本" in admin.get(created.headers["Location"]).get_data(as_text=True)


def test_delete_a_round_without_responses_after_confirming(app, admin, client, make_round):
    code = make_round("catering", code="cat-mistake")
    detail = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert f'href="/admin/rounds/{code}/delete"' in detail and "/archive" not in detail
    page = admin.get(f"/admin/rounds/{code}/delete").get_data(as_text=True)
    assert "确认删除调查轮次 cat-mistake" in page and 'name="confirm" value="yes"' in page
    token = csrf(admin, f"/admin/rounds/{code}/delete")

    assert admin.post(f"/admin/rounds/{code}/delete", data={"csrf_token": token}).status_code == 400
    assert admin.post(f"/admin/rounds/{code}/delete", data={"confirm": "yes"}).status_code == 400
    assert _round(app, code) is not None

    reply = admin.post(f"/admin/rounds/{code}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/admin/rounds")
    assert "调查轮次 cat-mistake 已删除" in admin.get("/admin/rounds").get_data(as_text=True)
    assert _round(app, code) is None
    assert client.get(f"/s/{code}").status_code == 404
    (row,) = _audits(app, "round.delete")
    assert (row.actor, row.target) == ("admin-user", "round:cat-mistake")
    assert row.details["period"] == "2026Q4"


def test_a_round_with_responses_is_archived_not_deleted(app, admin, client, keyed, make_round):
    code = make_round("catering", code="cat-answered")
    url = f"/api/v1/rounds/{code}/responses"
    assert client.post(url, json=_payload(app, code), headers=keyed).status_code == 201
    detail = admin.get(f"/admin/rounds/{code}").get_data(as_text=True)
    assert f'href="/admin/rounds/{code}/archive"' in detail and "/delete" not in detail

    # deleting is refused, on the page and by a forged POST
    page = admin.get(f"/admin/rounds/{code}/delete").get_data(as_text=True)
    assert "已有 1 份答卷，不能删除" in page and 'name="confirm"' not in page
    token = csrf(admin, f"/admin/rounds/{code}/archive")
    forged = admin.post(
        f"/admin/rounds/{code}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert forged.status_code == 409 and "cannot be deleted" in forged.get_data(as_text=True)
    assert _round(app, code) is not None and _audits(app, "round.delete") == []

    reply = admin.post(
        f"/admin/rounds/{code}/archive", data={"csrf_token": token, "confirm": "yes"}
    )
    assert reply.status_code == 302
    shown = admin.get(reply.headers["Location"]).get_data(as_text=True)
    assert "调查轮次 cat-answered 已归档" in shown and "已归档" in shown
    r = _round(app, code)
    assert r.archived_at is not None and r.status == "closed"
    assert "已归档" in admin.get("/admin/rounds").get_data(as_text=True)
    (row,) = _audits(app, "round.archive")
    assert (row.actor, row.details["responses"]) == ("admin-user", 1)
    again = admin.post(
        f"/admin/rounds/{code}/archive", data={"csrf_token": token, "confirm": "yes"}
    )
    assert again.status_code == 409


def test_only_an_admin_deletes_or_archives(app, client_as, make_round):
    code = make_round("catering", code="cat-guarded")
    for role in ("evaluator", "bureau", "viewer"):
        other = client_as(role)
        for action in ("delete", "archive"):
            assert other.get(f"/admin/rounds/{code}/{action}").status_code == 403
            assert other.post(f"/admin/rounds/{code}/{action}").status_code in (400, 403)
    assert _round(app, code) is not None and _round(app, code).archived_at is None
    anonymous = app.test_client()
    assert anonymous.get(f"/admin/rounds/{code}/delete").status_code in (302, 401)
