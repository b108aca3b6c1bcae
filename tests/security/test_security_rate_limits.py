"""Rate limits per source and per round, 429 replies, holds beyond the per-source
threshold (in-memory storage)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.api.test_submit import _payload
from tests.survey.conftest import FormPage


def _rows(app) -> list[Response]:
    with app.app_context():
        rows = list(db.session.scalars(select(Response).order_by(Response.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _browser(app, ip: str, agent: str = "pytest-browser"):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    browser.environ_base["HTTP_USER_AGENT"] = agent
    return browser


def test_api_key_limit_is_429_json_with_retry_after_and_stores_nothing(
    app, make_app, make_round, keyed, channel_key
):
    limited = make_app(RATELIMIT_API_KEY="3/minute")
    code = make_round("catering")
    body = _payload(app, code)
    client = _browser(limited, "198.51.100.7")
    url = f"/api/v1/rounds/{code}/responses"
    assert [client.post(url, json=body, headers=keyed).status_code for _ in range(3)] == [201] * 3
    reply = client.post(url, json=body, headers={**keyed, "Accept-Language": "en"})
    assert reply.status_code == 429
    data = reply.get_json()
    assert data["error"] == "rate_limited"
    assert data["message"] == "too many requests; please try again later"
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    assert data["retry_after"] == int(reply.headers["Retry-After"])
    assert _count(app) == 3
    # refused requests count too: still limited, whatever the body
    assert client.post(url, data="x", content_type="text/plain", headers=keyed).status_code == 429

    # the same key from another address is the same source: still limited
    assert _browser(limited, "198.51.100.8").post(url, json=body, headers=keyed).status_code == 429
    # another key is a separate source, even from the same address
    other = {"Authorization": f"Bearer {channel_key(name='other')}"}
    assert client.post(url, json=body, headers=other).status_code == 201


def test_api_round_limit_counts_only_accepted_submissions(app, make_app, make_round, keyed):
    limited = make_app(RATELIMIT_API_ROUND="2/minute")
    code = make_round("catering")
    other_code = make_round("catering", code="catering-other")
    body = _payload(app, code)
    url = f"/api/v1/rounds/{code}/responses"
    bad = dict(body, answers={"overall": 9})
    for n in range(3):  # refused bodies do not use up the round's allowance
        reply = _browser(limited, f"203.0.113.{n}").post(url, json=bad, headers=keyed)
        assert reply.status_code == 400
    statuses = [
        _browser(limited, f"192.0.2.{n}").post(url, json=body, headers=keyed).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]  # one round, whoever posts
    assert _count(app) == 2
    other = _browser(limited, "192.0.2.99").post(
        f"/api/v1/rounds/{other_code}/responses", json=body, headers=keyed
    )
    assert other.status_code == 201


def _walk_until(page_client, code: str, status: int):
    """Open the survey and answer page after page until a POST returns ``status``."""
    reply = page_client.get(f"/s/{code}")
    page = FormPage(reply.get_data(as_text=True))
    while True:
        data = page.data()
        for name, options in {**page.radios, **page.selects}.items():
            data[name] = [o for o in options if o][-1]
        for name in page.textareas:
            data[name] = "多设置休息座椅"
        last = page.progress[0] == page.progress[1]
        data["go"] = "submit" if last else "next"
        reply = page_client.post(f"/s/{code}", data=data)
        if reply.status_code == status:
            return reply, data
        assert reply.status_code == 200, reply.status_code
        page = FormPage(reply.get_data(as_text=True))


def test_survey_limit_counts_submissions_not_page_posts_and_keeps_the_answers(
    app, make_app, make_round
):
    """Issue 14, item 5: one address's limit counts submitted responses (page posts are
    free), at ten times the one per-source threshold RATELIMIT_BURST."""
    code = make_round("catering")
    limited = make_app(RATELIMIT_BURST="1/minute")  # ceiling: 10 responses a minute
    for n in range(10):  # ~8 page posts each, far beyond 10 posts: none refused
        reply, _ = _walk_until(_browser(limited, "198.51.100.20", f"phone-{n}"), code, 303)
    assert _count(app) == 10
    browser = _browser(limited, "198.51.100.20", "phone-10")
    reply, sent = _walk_until(browser, code, 429)  # the address is at its ceiling
    html = reply.get_data(as_text=True)
    seconds = int(reply.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert "提交过于频繁" in html and f"{seconds} 秒" in html
    page = FormPage(html)
    for name, value in sent.items():  # every answer is still there, shown or carried
        if name.startswith(("r_", "a_", "o_")):
            assert page.data().get(name) == value, name
    assert _count(app) == 10

    # later (here: the threshold raised, a new window), the page on screen is sent again
    limited.config["RATELIMIT_BURST"] = "100/minute"
    reply, _ = _walk_until(browser, code, 303)
    assert _count(app) == 11


def test_survey_limit_on_an_unknown_round_is_its_notice_not_an_error(make_app, make_round):
    limited = make_app(RATELIMIT_BURST="1/minute")
    browser = _browser(limited, "198.51.100.21")
    assert browser.post("/s/no-such-round", data={"go": "next"}).status_code == 404
    second = browser.post("/s/no-such-round", data={"go": "next"})
    assert second.status_code == 404
    assert "未找到该调查" in second.get_data(as_text=True)


def test_trusted_network_is_exempt_from_the_address_limit_not_the_round_limit(
    app, make_app, make_round
):
    """A service hall's Wi-Fi (the API counts per key, see tests/api/test_channel_keys.py)."""
    limited = make_app(
        RATELIMIT_SURVEY_ROUND="2/minute",
        RATELIMIT_BURST="1/minute",
        RATELIMIT_TRUSTED="10.0.0.0/8, 192.0.2.1",
    )
    code = make_round("catering")
    for agent in ("hall-tablet-a", "hall-tablet-b"):  # many page posts, two residents
        reply, _ = _walk_until(_browser(limited, "10.20.30.40", agent), code, 303)
        assert reply.headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
    assert [row.review for row in _rows(app)] == ["counted", "counted"]  # trusted: never held
    # the round's limit still holds: a third resident is refused (429, answers kept)
    _walk_until(_browser(limited, "10.20.30.40", "hall-tablet-c"), code, 429)
    assert _count(app) == 2


def test_limits_can_be_switched_off_for_the_benchmark(
    app, make_app, make_round, monkeypatch, keyed
):
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_ENABLED", "0")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_API_CLIENT", "1/minute")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_API_KEY", "1/minute")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_BURST", "1/minute")
    unlimited = make_app()
    assert unlimited.config["RATELIMIT_ENABLED"] is False
    code = make_round("catering")
    body = _payload(app, code)
    client = _browser(unlimited, "198.51.100.30")
    statuses = [
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code
        for _ in range(4)
    ]
    assert statuses == [201] * 4
    assert all(row.review == "counted" for row in _rows(app))


def test_settings_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_BURST", "7/minute")
    configured = make_app()
    assert configured.config["RATELIMIT_BURST"] == "7/minute"
    # a mapping passed to the factory wins over the environment
    assert make_app(RATELIMIT_BURST="9/minute").config["RATELIMIT_BURST"] == "9/minute"


def test_one_per_source_setting():
    """Issue 14, item 5: the survey has no second per-address figure."""
    from surveyapp.config import DEFAULTS

    assert DEFAULTS["RATELIMIT_BURST"] == "100/10minutes"
    assert "RATELIMIT_SURVEY_CLIENT" not in DEFAULTS


def test_api_beyond_the_threshold_is_stored_and_held_not_dropped(
    app, make_app, make_round, keyed, channel_key
):
    limited = make_app(RATELIMIT_BURST="2/minute")
    code = make_round("catering")
    body = _payload(app, code)
    client = _browser(limited, "198.51.100.40")
    replies = [
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed) for _ in range(4)
    ]
    assert [r.status_code for r in replies] == [201] * 4
    rows = _rows(app)
    assert [row.uid for row in rows] == [r.get_json()["id"] for r in replies]
    assert [row.review for row in rows] == ["counted", "counted", "held", "held"]
    assert rows[2].wave_id is not None and rows[2].wave_id == rows[3].wave_id  # one wave
    # another key is not affected, even from the same address
    other = {"Authorization": f"Bearer {channel_key(name='other')}"}
    assert (
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=other).status_code == 201
    )
    assert _rows(app)[-1].review == "counted"


def test_survey_beyond_the_threshold_from_one_address_is_held(app, make_app, make_round):
    limited = make_app(RATELIMIT_BURST="1/minute")
    code = make_round("catering")
    for agent in ("browser-a", "browser-b"):  # two devices behind one address
        reply, _ = _walk_until(_browser(limited, "198.51.100.50", agent), code, 303)
        assert reply.headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
    assert [row.review for row in _rows(app)] == ["counted", "held"]


@pytest.mark.parametrize("spec", ["3/minute", "2/minute;100/hour"])
def test_limits_are_read_per_request(app, make_app, make_round, spec, keyed):
    limited = make_app()
    limited.config["RATELIMIT_API_KEY"] = spec
    code = make_round("catering")
    body = _payload(app, code)
    client = _browser(limited, "198.51.100.60")
    first = int(spec.split("/")[0])
    statuses = [
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code
        for _ in range(first + 1)
    ]
    assert statuses == [201] * first + [429]
