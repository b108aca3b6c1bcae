"""No unreviewed text in a bulletin (issue 12, item 3).

An attacker's suggestion with a URL, posted 55 times with the same answers, used to be
printed under 居民意见建议摘录 "(55 人)".  Now a bulletin prints only texts an
evaluator approved in the moderation queue, counted over analysed responses only
(the 54 duplicates are not), with the URL and contact details removed; the edition's
inputs and the PDF say how many suggestions were reviewed and approved.
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from surveyapp.bulletins import Bulletin, prepare_bulletin, publish_bulletin, rederive_bulletin
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings
from surveyapp.models import ModerationDecision
from surveyapp.models.user import AuditLog
from surveyapp.moderation import decide, round_review
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.rounds.service import get_round
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login
csrf_of = helpers.csrf_of

PERIOD = "2026Q4"
ATTACK = "政府补贴请访问 http://evil.example/claim 领取"
GENUINE = "希望增加无障碍通道"
PHONE = "排队太久，请联系我 138 1234 5678"
STRAIGHT = "直线作答者的话"


def _submit(app, code: str, rows: list[tuple[dict, str | None]]) -> None:
    """One response per (answers, suggestion), each from its own device."""
    with app.app_context():
        round_ = get_round(db.session, code)
        q = questionnaire_of(round_.questionnaire_version)
        for i, (answers, text) in enumerate(rows):
            body = {
                "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
                "answers": answers,
                "channel": "miniprogram",
            }
            if text is not None:
                body["open"] = {"suggestions": text}
            clean = validate_submission(q, body)
            client = Client(
                device_id=f"dev-{code}-{i}", fingerprint=f"10.{i // 250}.{i % 250}.9|UA"
            )
            submit_response(db.session, round_, clean, client)
        db.session.commit()


@pytest.fixture
def stuffed(app, make_round) -> str:
    """A round of 40 genuine residents (10 ask for 无障碍通道, 5 leave a phone number),
    55 identical posts of the attacker's text (54 are exact duplicates) and 3
    straight-liners; returns the round code."""
    code = make_round("catering", code="cat-q4", period=PERIOD)
    with app.app_context():
        q = questionnaire_of(get_round(db.session, code).questionnaire_version)
    rng = np.random.default_rng(12)
    rows: list[tuple[dict, str | None]] = []
    for i in range(40):
        answers = {aid: int(rng.integers(1, 6)) for aid in q.answer_ids}
        text = GENUINE if i < 10 else PHONE if i < 15 else None
        rows.append((answers, text))
    same = {aid: int(rng.integers(1, 6)) for aid in q.answer_ids}
    rows += [(dict(same), ATTACK) for _ in range(55)]
    rows += [({aid: 3 for aid in q.answer_ids}, STRAIGHT) for _ in range(3)]
    _submit(app, code, rows)
    return code


def _approve_all(app) -> None:
    with app.app_context():
        round_ = get_round(db.session, "cat-q4")
        entries = round_review(db.session, round_, AnalysisSettings())
        decide(db.session, "suggestion", entries, "approved", actor="pytest")
        db.session.commit()


def test_unapproved_text_is_never_printed(app, stuffed, pdf_text):
    with app.app_context():
        bulletin = publish_bulletin(db.session, PERIOD, actor="pytest", interim=True)
        db.session.commit()
        text = " ".join(pdf_text(bulletin.pdf))
        review = bulletin.inputs["suggestions_review"]["catering"]
    assert "evil" not in text and "http" not in text and "补贴" not in text
    assert GENUINE not in text and "排队太久" not in text
    # counted over analysed responses: the attacker's text once, not 55 times
    assert review["texts"] == 3 and review["responses"] == 16
    assert (review["reviewed"], review["approved"], review["pending"]) == (0, 0, 3)
    assert review["printed"] == []
    assert "已审核 0 条" in text and "3 条尚待审核" in text


def test_approved_text_is_printed_without_links_or_contacts(app, stuffed, pdf_text):
    _approve_all(app)
    with app.app_context():
        draft = prepare_bulletin(db.session, PERIOD)
        text = " ".join(pdf_text(draft.render()))
        sector = draft.content.sectors[0]
        review = draft.inputs["suggestions_review"]["catering"]
    printed = {s.text: s.count for s in sector.suggestions}
    assert printed == {
        GENUINE: 10,
        "排队太久，请联系我 […]": 5,
        "政府补贴请访问 […] 领取": 1,  # the 54 duplicates are not counted
    }
    assert "evil" not in text and "http" not in text and "5678" not in text
    assert "（55 人）" not in text and "（10 人）" in text
    assert STRAIGHT not in printed  # a straight-liner is not analysed
    assert (review["reviewed"], review["approved"], review["pending"]) == (3, 3, 0)
    assert review["approved_responses"] == 16 and len(review["printed"]) == 3
    assert "已审核 3 条，经审核刊登 3 条" in text


def test_a_rejected_text_stays_out_and_a_published_edition_renders_the_same(app, stuffed):
    _approve_all(app)
    with app.app_context():
        bulletin = publish_bulletin(db.session, PERIOD, actor="pytest", interim=True)
        db.session.commit()
        round_ = get_round(db.session, "cat-q4")
        entries = round_review(db.session, round_, AnalysisSettings())
        attack = [e for e in entries if "补贴" in e.text]
        decide(db.session, "suggestion", attack, "rejected", actor="pytest", reason="广告")
        db.session.commit()
        # the published edition is rendered again exactly: its decisions are pinned
        assert rederive_bulletin(db.session, bulletin) == bulletin.pdf
        later = prepare_bulletin(db.session, PERIOD)
    texts = [s.text for s in later.content.sectors[0].suggestions]
    assert not any("补贴" in t for t in texts) and GENUINE in texts
    review = later.inputs["suggestions_review"]["catering"]
    assert (review["approved"], review["rejected"], review["pending"]) == (2, 1, 0)


# --- the queue pages --------------------------------------------------------------


@pytest.fixture
def evaluator(app, client, make_user, login):
    make_user("eva", "evaluator")
    assert login(client, "eva").status_code == 302
    return client


def _queue(client, **args):
    query = "&".join(f"{k}={v}" for k, v in {"period": PERIOD, **args}.items())
    return client.get(f"/bulletins/moderation?{query}")


def _keys(app) -> dict[str, str]:
    """Publishable text → key of the round's entries."""
    with app.app_context():
        round_ = get_round(db.session, "cat-q4")
        return {e.text: e.key for e in round_review(db.session, round_, AnalysisSettings())}


def _decisions(app) -> dict[str, tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(select(ModerationDecision))
        return {r.text: (r.status, r.reason) for r in rows}


def test_queue_lists_analysed_texts_masked_once_each(app, stuffed, evaluator):
    html = _queue(evaluator).get_data(as_text=True)
    assert "居民意见建议审核" in html and 'name="csrf_token"' in html
    assert "“希望增加无障碍通道”（10 人）" in html
    assert "“排队太久，请联系我 […]”（5 人）" in html
    assert "“政府补贴请访问 […] 领取”" in html and "55" not in html
    assert "evil" not in html and "5678" not in html and STRAIGHT not in html
    assert "已删除 1 处链接或联系方式" in html
    assert 'name="viewport"' in html  # the shared phone-ready layout
    english = _queue(evaluator, lang="en").get_data(as_text=True)
    assert "Review residents&#39; suggestions" in english and "Approve selected" in english


def _post(app, client, **fields):
    page = _queue(client).get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "period": PERIOD, "status": "pending", "round": "cat-q4"}
    data.update(fields)
    return client.post("/bulletins/moderation", data=data)


def test_approve_and_reject_with_reason_are_audited(app, stuffed, evaluator):
    keys = _keys(app)
    refused = _post(app, evaluator, keys=[keys["政府补贴请访问 […] 领取"]], action="reject")
    assert refused.status_code == 400
    assert "驳回须填写理由" in refused.get_data(as_text=True)
    assert _decisions(app) == {}
    none = _post(app, evaluator, action="approve")
    assert none.status_code == 400 and "请至少选择一条" in none.get_data(as_text=True)
    forged = _post(app, evaluator, keys=["0" * 64], action="approve")
    assert forged.status_code == 400 and _decisions(app) == {}

    done = _post(
        app, evaluator, keys=[keys["政府补贴请访问 […] 领取"]], action="reject", reason="广告链接"
    )
    assert done.status_code == 302
    ok = _post(app, evaluator, keys=[keys[GENUINE]], action="approve")
    assert ok.status_code == 302
    assert _decisions(app) == {
        "政府补贴请访问 […] 领取": ("rejected", "广告链接"),
        GENUINE: ("approved", None),
    }
    with app.app_context():
        audit = db.session.scalars(
            select(AuditLog).where(AuditLog.action.like("moderation.%")).order_by(AuditLog.id)
        ).all()
        assert [(a.actor, a.action) for a in audit] == [
            ("eva", "moderation.reject"),
            ("eva", "moderation.approve"),
        ]
        assert audit[0].details["reason"] == "广告链接" and audit[0].details["count"] == 1
        assert audit[0].details["scope"] == "round:cat-q4"
    html = _queue(evaluator).get_data(as_text=True)  # pending only: one left
    assert "排队太久" in html and GENUINE not in html
    rejected = _queue(evaluator, status="rejected").get_data(as_text=True)
    assert "驳回理由：广告链接" in rejected


def test_select_all_approves_every_listed_entry(app, stuffed, evaluator):
    listed = list(_keys(app).values())
    reply = _post(app, evaluator, listed=listed, select_all="y", action="approve")
    assert reply.status_code == 302
    assert {s for s, _ in _decisions(app).values()} == {"approved"}
    assert len(_decisions(app)) == 3
    assert "没有符合条件的意见建议" in _queue(evaluator).get_data(as_text=True)


def test_manage_page_says_when_suggestions_await_review(app, stuffed, evaluator):
    html = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert f"监测期 {PERIOD} 有 3 条居民意见建议待审核" in html
    assert "/bulletins/moderation" in html
    _approve_all(app)
    html = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert "待审核" not in html


@pytest.mark.parametrize("role", ["bureau", "viewer"])
def test_other_roles_are_refused(app, client, stuffed, make_user, login, role):
    make_user("other", role, sectors=["catering"] if role == "bureau" else None)
    assert login(client, "other").status_code == 302
    assert client.get(f"/bulletins/moderation?period={PERIOD}").status_code == 403
    page = client.get("/bulletins/manage")  # any page for a token: the refusal is the role's
    reply = client.post(
        "/bulletins/moderation",
        data={
            "csrf_token": csrf_of(client.get("/account/tokens").get_data(as_text=True)),
            "period": PERIOD,
            "round": "cat-q4",
            "listed": list(_keys(app).values()),
            "select_all": "y",
            "action": "approve",
        },
    )
    assert page.status_code == 403 and reply.status_code == 403
    assert _decisions(app) == {}


def test_anonymous_is_sent_to_sign_in(app, client, stuffed):
    assert client.get("/bulletins/moderation").status_code == 302
    assert client.post("/bulletins/moderation", data={}).status_code in (302, 400)
    assert _decisions(app) == {}


def test_csrf_is_enforced(app, stuffed, evaluator):
    reply = evaluator.post(
        "/bulletins/moderation",
        data={
            "period": PERIOD,
            "round": "cat-q4",
            "listed": list(_keys(app).values()),
            "select_all": "y",
            "action": "approve",
        },
    )
    assert reply.status_code == 400
    assert _decisions(app) == {}


def test_stuffing_chain_through_the_api_and_the_pages(app, make_round, keyed, evaluator, pdf_text):
    """The attack as it was run: 55 API posts with the URL, an evaluator publishes, the
    public PDF is read; then the text is approved, a correction published and read."""
    code = make_round("catering", code="cat-q4", period=PERIOD)
    with app.app_context():
        q = questionnaire_of(get_round(db.session, code).questionnaire_version)
    rng = np.random.default_rng(5)  # 35 residents: enough for the sector to be printed
    residents = [({a: int(rng.integers(1, 6)) for a in q.answer_ids}, None) for _ in range(35)]
    _submit(app, code, residents)
    answers = {aid: 4 + i % 2 for i, aid in enumerate(q.answer_ids)}  # not a straight line
    for i in range(55):
        body = {
            "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
            "answers": answers,
            "open": {"suggestions": ATTACK},
            "channel": "miniprogram",
            "device_id": f"fake-{i:04d}",
        }
        reply = evaluator.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
        assert reply.status_code == 201, reply.get_json()

    def publish(replaces: str = "") -> str:
        page = evaluator.get("/bulletins/manage").get_data(as_text=True)
        assert "1 条居民意见建议待审核" in page or replaces
        data = {"csrf_token": csrf_of(page), "period": PERIOD, "lang": "zh", "replaces": replaces}
        data["interim"] = "y"  # the round is still open: an interim edition (issue 14)
        assert evaluator.post("/bulletins/manage/publish", data=data).status_code == 302
        with app.app_context():
            newest = db.session.scalars(select(Bulletin).order_by(Bulletin.edition.desc())).first()
            bid, edition = newest.id, newest.edition
        public = app.test_client().get(f"/bulletins/{bid}.pdf")
        assert public.status_code == 200
        return str(edition), " ".join(pdf_text(public.data))

    edition, text = publish()
    assert "evil" not in text and "补贴" not in text and "（55 人）" not in text
    reply = _post(
        app, evaluator, listed=list(_keys(app).values()), select_all="y", action="approve"
    )
    assert reply.status_code == 302
    _, text = publish(replaces=edition)
    assert "政府补贴请访问 […] 领取" in text
    assert "evil" not in text and "http" not in text and "（55 人）" not in text
