"""The supervision pages: the draws and their progress for a bureau's own sectors, the
results form (CSRF, the CSV import's check, audited), publishing with the results only,
the public page (never an unpublished draw) and the consumer-warning proposals."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.models.complaint import ConsumerWarning
from surveyapp.models.supervision import InspectionResult, WarningProposalDismissal
from tests.auth.helpers import csrf_of

BASE = "/dashboard/supervision"


def _result(client, world, key, **values):
    page = client.get(f"{BASE}/plans/{world.plan_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "credit_code": key, "inspected_on": "2026-12-01",
            "result": "合格", "findings": "", "inspectors": ""}  # fmt: skip
    data.update(values)
    return client.post(f"{BASE}/plans/{world.plan_id}/results", data=data)


def test_a_drawn_but_unpublished_plan_is_not_reachable_publicly(app, world, signed):
    anonymous = app.test_client()
    page = anonymous.get("/inspections")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not any(key in html for key in world.drawn)
    assert anonymous.get("/inspections/editions/1.pdf").status_code == 404
    assert anonymous.get(f"{BASE}/plans/{world.plan_id}").status_code == 302  # to the login
    assert signed("evaluator").get(f"{BASE}/plans/{world.plan_id}").status_code == 403
    # a bureau of another sector: not its plan, not on its list
    other = signed("other")
    assert other.get(f"{BASE}/plans/{world.plan_id}").status_code == 404
    assert world.drawn[0] not in other.get(BASE).get_data(as_text=True)


def test_the_bureau_enters_results_and_sees_the_progress(app, world, signed):
    client = signed("bureau")
    html = client.get(BASE).get_data(as_text=True)
    assert f"已录入 0 / {len(world.drawn)} 户" in html
    no_token = client.post(f"{BASE}/plans/{world.plan_id}/results",
                           data={"credit_code": world.drawn[0], "inspected_on": "2026-12-01",
                                 "result": "合格"})  # fmt: skip
    assert no_token.status_code == 400
    bad = _result(client, world, world.drawn[0], result="不合格", inspected_on="2099-01-01")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "不合格须填写检查发现的问题" in text and "不晚于今天" in text
    assert 'aria-invalid="true"' in text
    ok = _result(client, world, world.drawn[0], result="不合格", findings="灭蝇设施缺失")
    assert ok.status_code == 303
    twice = _result(client, world, world.drawn[0])
    assert twice.status_code == 400 and "尚未录入结果的经营者" in twice.get_data(as_text=True)
    html = client.get(BASE).get_data(as_text=True)
    assert f"已录入 1 / {len(world.drawn)} 户" in html
    with app.app_context():
        row = db.session.scalar(select(InspectionResult))
        assert (row.via, row.entered_by, row.provider_key) == ("form", "shangwu", world.drawn[0])
        assert (
            db.session.scalar(select(func.count()).where(AuditLog.action == "inspections.result"))
            == 1
        )


def test_publication_waits_for_every_result_then_is_public(app, world, signed):
    client = signed("bureau")

    def publish(**data):
        page = client.get(f"{BASE}/plans/{world.plan_id}").get_data(as_text=True)
        return client.post(f"{BASE}/plans/{world.plan_id}/publish",
                           data={"csrf_token": csrf_of(page), **data})  # fmt: skip

    early = publish()
    assert early.status_code == 409
    assert "名单只能与全部结果一并公示" in early.get_data(as_text=True)
    for key in world.drawn:
        assert _result(client, world, key).status_code == 303
    assert publish().status_code == 303
    assert publish().status_code == 409  # again: only as a correction
    assert publish(replaces="1").status_code == 303
    public = app.test_client().get("/inspections").get_data(as_text=True)
    assert "第 1 期" in public and "第 2 期" in public and "已由第 2 期更正" in public
    pdf = app.test_client().get("/inspections/editions/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv = app.test_client().get("/inspections/editions/2.csv").get_data(as_text=True)
    assert all(key in csv for key in world.drawn)
    assert app.test_client().get("/inspections/editions/1.txt").status_code == 404


def test_proposals_are_reviewed_and_published_or_dismissed_by_a_person(app, world, signed):
    assert world.drawn[0] not in signed("other").get(f"{BASE}/proposals").get_data(as_text=True)
    client = signed("bureau")
    page = client.get(f"{BASE}/proposals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and all(key in html for key in world.drawn)
    assert "D 类" in html
    first, second = sorted(world.drawn)[:2]
    token = csrf_of(html)
    empty = client.post(f"{BASE}/proposals/{first}/warn", data={"csrf_token": token, "title": ""})
    assert empty.status_code == 400
    warned = client.post(f"{BASE}/proposals/{first}/warn",
                         data={"csrf_token": token, "title": "消费提示", "body": "请理性消费。"})  # fmt: skip
    assert warned.status_code == 303
    no_reason = client.post(f"{BASE}/proposals/{second}/dismiss", data={"csrf_token": token})
    assert no_reason.status_code == 400
    dismissed = client.post(f"{BASE}/proposals/{second}/dismiss",
                            data={"csrf_token": token, "reason": "已约谈整改"})  # fmt: skip
    assert dismissed.status_code == 303
    html = client.get(f"{BASE}/proposals").get_data(as_text=True)
    assert first not in html and second not in html
    other = signed("other")
    own = csrf_of(other.get(f"{BASE}/proposals").get_data(as_text=True))
    assert other.post(f"{BASE}/proposals/{first}/dismiss",
                      data={"csrf_token": own, "reason": "x"}).status_code == 404  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConsumerWarning)) == 1
        assert db.session.scalar(select(WarningProposalDismissal.reason)) == "已约谈整改"
