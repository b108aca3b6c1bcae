"""The survey form under random and adversarial POSTs: never a 5xx, never a partial write.

Each example is a fresh browser (its own device cookie and CSRF token) that posts a
complete, valid set of answers with a few fields replaced by anything at all.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.rounds.service import get_round
from surveyapp.security import HONEYPOT_FIELD
from surveyapp.survey.forms import definition_for
from tests.reliability.fuzzing import FUZZ, TEXT, count_rows
from tests.survey.conftest import FormPage

ALLOWED = {200, 303, 400, 409, 413, 415}
FORM_FUZZ = settings(FUZZ, max_examples=150)
# what a browser can send: text as UTF-8 (a lone surrogate goes out as "?");
# undecodable bytes are covered by the raw-body tests
FORM_TEXT = TEXT.map(lambda s: s.encode("utf-8", "replace").decode("utf-8"))


@pytest.fixture
def form_target(app, make_app, make_round):
    wired = make_app(RATELIMIT_ENABLED=False, FINGERPRINT_DEDUPE=False, ACCESS_LOG=False)
    code = make_round("catering")
    with app.app_context():
        definition = definition_for(
            questionnaire_of(get_round(db.session, code).questionnaire_version)
        )
        db.session.remove()
    valid = {}
    for q in definition.questions:
        if q.kind == "text":
            valid[q.name] = "多设置休息座椅"
        elif q.kind == "rating":
            scale = q.scale or definition.questionnaire.scale
            valid[q.name] = str(scale.points[-1])
        else:
            valid[q.name] = q.options[0][0]
    return wired, code, valid, len(definition.pages)


def _open(wired, code):
    browser = wired.test_client()
    html = browser.get(f"/s/{code}").get_data(as_text=True)
    hidden = dict(FormPage(html).hidden)
    assert "csrf_token" in hidden
    return browser, hidden


def _check(wired, code, reply, before, trapped):
    status = reply.status_code
    assert status in ALLOWED, (status, reply.get_data(as_text=True)[:300])
    after = count_rows(wired)
    if status == 303:
        assert reply.headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
        assert after[0] == before[0] + (0 if trapped else 1)
    else:
        assert after == before
        assert reply.mimetype == "text/html"
        html = reply.get_data(as_text=True)
        assert "<form" in html or "notice-page" in html
        assert "Traceback" not in html
    return status


@FORM_FUZZ
@given(
    data=st.data(),
    go=st.one_of(st.sampled_from(["submit", "next", "back", "stay"]), FORM_TEXT),
    page=st.one_of(st.none(), st.integers(-5, 50).map(str), FORM_TEXT),
    mutations=st.integers(min_value=0, max_value=3),
    trap=st.one_of(st.just(""), FORM_TEXT),
)
def test_valid_answers_with_a_few_fields_replaced(form_target, data, go, page, mutations, trap):
    wired, code, valid, pages = form_target
    browser, hidden = _open(wired, code)
    fields = {**hidden, **valid, "go": go, "page": str(pages - 1) if page is None else page}
    names = sorted(valid) + ["token", "started", "csrf_token", "page"]
    for _ in range(mutations):
        name = data.draw(st.sampled_from(names))
        fields[name] = data.draw(FORM_TEXT)
    fields[HONEYPOT_FIELD] = trap
    fields.update(data.draw(st.dictionaries(FORM_TEXT, FORM_TEXT, max_size=2)))
    before = count_rows(wired)
    reply = browser.post(f"/s/{code}", data=fields)
    _check(wired, code, reply, before, trapped=bool(trap.strip()))


@FORM_FUZZ
@given(
    raw=st.binary(max_size=400),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=zz",
            "text/plain",
            "application/json",
            "application/x-www-form-urlencoded; charset=gbk",
        ]
    ),
)
def test_raw_bodies(form_target, raw, content_type):
    wired, code, _, _ = form_target
    browser, _ = _open(wired, code)
    before = count_rows(wired)
    reply = browser.post(f"/s/{code}", data=raw, content_type=content_type)
    assert _check(wired, code, reply, before, trapped=False) in {400, 413, 415}


@pytest.mark.parametrize(
    "suffix",
    [
        b"&o_suggestions=%FF%FE%80",
        b"&o_suggestions=" + b"x" * 300_000,
        b"&a_overall=%00",
        b"&r_district=%E6%80",
        b"&page=99999999999999999999",
        b"&go=%ED%A0%80",
    ],
)
def test_adversarial_form_encodings(form_target, suffix):
    from urllib.parse import urlencode

    wired, code, valid, pages = form_target
    browser, hidden = _open(wired, code)
    body = urlencode({**hidden, **valid, "go": "submit", "page": str(pages - 1)}).encode() + suffix
    before = count_rows(wired)
    reply = browser.post(f"/s/{code}", data=body, content_type="application/x-www-form-urlencoded")
    status = _check(wired, code, reply, before, trapped=False)
    if status == 303:  # taken: whatever text was kept is valid UTF-8 without NUL
        with wired.app_context():
            from surveyapp.models import Response

            row = db.session.scalars(db.select(Response).order_by(Response.id.desc())).first()
            for value in (row.open_answers or {}).values():
                value.encode("utf-8")
                assert "\x00" not in value
            db.session.remove()


def test_json_or_oversized_posts_get_a_notice_page(form_target):
    wired, code, valid, _ = form_target
    browser, hidden = _open(wired, code)
    as_json = browser.post(f"/s/{code}", json={**hidden, **valid, "go": "submit"})
    assert as_json.status_code == 415
    assert "请在调查页面上填写并提交问卷" in as_json.get_data(as_text=True)
    huge = browser.post(f"/s/{code}", data={**hidden, **valid, "o_suggestions": "长" * 300_000})
    assert huge.status_code == 413
    assert "提交内容过大" in huge.get_data(as_text=True)
    assert count_rows(wired) == (0, 0)
