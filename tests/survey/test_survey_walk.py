"""Every shipped questionnaire, answered page by page like a browser, is stored exactly."""

from __future__ import annotations

import random

import pytest

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.codec import unpack_answers, unpack_profile

SHIPPED = ["catering", "lodging", "supermarket", "elderly_care", "domestic", "logistics"]
IP = "203.0.113.77"
UA = "Mozilla/5.0 (Linux; Android 9; Redmi 7A) AppleWebKit/537.36 MicroMessenger/8.0"


def test_the_six_shipped_questionnaires_are_the_ones_tested():
    assert sorted(p.stem for p in builtin_dir().glob("*.yaml")) == sorted(SHIPPED)


@pytest.mark.parametrize("qid", SHIPPED)
def test_walk_whole_survey_stores_exactly_what_was_sent(qid, app, make_round, survey, stored):
    code = make_round(qid)
    q = load_questionnaire(builtin_dir() / f"{qid}.yaml")
    rng = random.Random(f"walk-{qid}")  # seeded: the same answers on every run

    browser = app.test_client()
    browser.environ_base.update(REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    s = survey(code, browser)
    assert s.open().status_code == 200
    assert s.page.progress == (1, len(q.dimensions) + 2)
    assert s.page.hidden_value("started")

    def choose(name: str, options: list[str]) -> str:
        return rng.choice(options)  # includes "na" (not applicable) for optional ratings

    def text(name: str) -> str:
        return f"{name}：希望增加无障碍通道 <b>&amp; 老年人优惠</b>"

    sent = s.walk(choose, text)
    assert s.response.status_code == 303
    assert s.response.headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
    thanks = browser.get(s.response.headers["Location"])
    assert thanks.status_code == 200
    assert "感谢您的参与" in thanks.get_data(as_text=True)

    # every question was on some page, exactly once
    expected_names = (
        {f"r_{r.id}" for r in q.respondent}
        | {f"a_{aid}" for aid in q.answer_ids}
        | {f"o_{oq.id}" for oq in q.open_questions}
    )
    assert set(sent) == expected_names

    rows = stored(code)
    assert len(rows) == 1
    row = rows[0]
    with app.app_context():
        stored_q = questionnaire_of(
            db.session.get(QuestionnaireVersion, row.questionnaire_version_id)
        )
    answers = unpack_answers(stored_q, row.answers)
    profile = unpack_profile(stored_q, row.profile)
    assert answers == {
        aid: (None if sent[f"a_{aid}"] == "na" else int(sent[f"a_{aid}"])) for aid in q.answer_ids
    }
    assert profile == {r.id: sent[f"r_{r.id}"] for r in q.respondent}
    assert row.open_answers == {oq.id: sent[f"o_{oq.id}"] for oq in q.open_questions}
    assert row.channel == "web"
    if "district" in profile:
        assert row.district == profile["district"]
    assert row.duration_seconds is not None and 0 <= row.duration_seconds < 60
    assert row.started_at is not None and row.started_at <= row.submitted_at
    assert row.device_hash and row.fingerprint_hash
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        text_value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        assert IP not in text_value and UA not in text_value, column.key
