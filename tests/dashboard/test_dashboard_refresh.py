"""Stale-while-revalidate: a view after new responses (or new margins) gets the last
analysis at once, said to be updating, while one background thread computes the new one."""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from surveyapp.accounts.service import create_user
from surveyapp.api.tokens import create_token
from surveyapp.demo import population_margins
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, live, margins_digest, options_for
from surveyapp.indices.cache import AnalysisCache
from surveyapp.indices.state import STATE_KEY, indices_state
from surveyapp.models import Round

# --- the cache on its own ------------------------------------------------------------------


class _Scope:
    """A ``session_scope`` handing out a marker "session" per background computation."""

    def __init__(self) -> None:
        self.opened: list[object] = []

    @contextmanager
    def __call__(self):
        session = object()
        self.opened.append(session)
        yield session


def _computer(version, value, calls, gate=None, fail=0):
    """A ``compute(session)`` recording (session, thread) per call, optionally waiting for
    ``gate`` and raising on its first ``fail`` calls."""

    def compute(session):
        calls.append((session, threading.current_thread().name))
        if gate is not None:
            assert gate.wait(timeout=60), "the test never opened the gate"
        if len(calls) <= fail:
            raise RuntimeError("the database went away")
        return version, value

    return compute


def test_first_view_computes_in_the_caller_with_its_session():
    scope = _Scope()
    cache = AnalysisCache(session_scope=scope)
    calls: list = []
    request_session = object()
    served = cache.serve("fam", 1, request_session, _computer(1, "v1", calls))
    assert (served.value, served.stale) == ("v1", False)
    assert calls == [(request_session, threading.current_thread().name)] and not scope.opened
    again = cache.serve("fam", 1, request_session, _computer(1, "other", calls))
    assert (again.value, again.stale, len(calls)) == ("v1", False, 1)


def test_a_new_version_serves_the_old_value_and_refreshes_in_a_thread_with_its_own_session():
    scope = _Scope()
    cache = AnalysisCache(session_scope=scope)
    calls: list = []
    request_session = object()
    cache.serve("fam", 1, request_session, _computer(1, "v1", calls))
    gate = threading.Event()
    served = cache.serve("fam", 2, request_session, _computer(2, "v2", calls, gate))
    # returned while the refresh still waits at the gate: the view did not wait for it
    assert (served.value, served.version, served.stale) == ("v1", 1, True)
    gate.set()
    assert cache.wait_idle(timeout=60)
    session, thread = calls[-1]
    assert session is scope.opened[0] and session is not request_session
    assert thread == "dashboard-refresh"
    fresh = cache.serve("fam", 2, request_session, _computer(2, "unused", calls))
    assert (fresh.value, fresh.stale, cache.refreshes, len(calls)) == ("v2", False, 1, 2)


def test_one_refresh_per_family_at_a_time():
    cache = AnalysisCache(session_scope=_Scope())
    calls: list = []
    cache.serve("fam", 1, None, _computer(1, "v1", calls))
    cache.serve("other", 1, None, _computer(1, "o1", calls))
    gate = threading.Event()
    views = [cache.serve("fam", v, None, _computer(v, f"v{v}", calls, gate)) for v in (2, 3, 3)]
    # and from other threads too
    threads = [
        threading.Thread(target=cache.serve, args=("fam", 4, None, _computer(4, "v4", calls, gate)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v.value == "v1" and v.stale for v in views)
    cache.serve("other", 2, None, _computer(2, "o2", calls, gate))  # another family: its own
    gate.set()
    assert cache.wait_idle(timeout=60)
    background = [c for c in calls if c[1] == "dashboard-refresh"]
    assert len(background) == 2  # one for "fam" (the first new version seen), one for "other"
    assert cache.serve("fam", 2, None, _computer(2, "x", calls)).value == "v2"
    assert cache.serve("other", 2, None, _computer(2, "x", calls)).value == "o2"


def test_concurrent_first_views_compute_once():
    cache = AnalysisCache(session_scope=_Scope())
    calls: list = []
    gate = threading.Event()
    got: list = []

    def view():
        got.append(cache.serve("fam", 1, None, _computer(1, "v1", calls, gate)).value)

    threads = [threading.Thread(target=view) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert got == ["v1"] * 4 and len(calls) == 1 and cache.misses == 1


def test_a_failing_refresh_is_logged_and_the_next_view_retries(caplog):
    cache = AnalysisCache(session_scope=_Scope())
    calls: list = []
    cache.serve("fam", 1, None, _computer(1, "v1", calls))
    flaky = _computer(2, "v2", calls, fail=2)  # the first call was the cold one
    with caplog.at_level(logging.ERROR, logger="surveyapp.indices.cache"):
        first = cache.serve("fam", 2, None, flaky)
        assert cache.wait_idle(timeout=60)
    assert (first.value, first.stale) == ("v1", True)
    [record] = [r for r in caplog.records if r.name == "surveyapp.indices.cache"]
    assert record.levelno == logging.ERROR and "'fam'" in record.getMessage()
    assert "the database went away" in record.exc_text and cache.failures == 1
    # not lost: the next view still gets the old value and starts the refresh again
    second = cache.serve("fam", 2, None, flaky)
    assert (second.value, second.stale) == ("v1", True)
    assert cache.wait_idle(timeout=60)
    fresh = cache.serve("fam", 2, None, flaky)
    assert (fresh.value, fresh.stale, cache.refreshes, len(calls)) == ("v2", False, 1, 3)


def test_without_a_session_scope_the_caller_computes_the_new_version():
    cache = AnalysisCache()
    calls: list = []
    cache.serve("fam", 1, "s", _computer(1, "v1", calls))
    served = cache.serve("fam", 2, "s", _computer(2, "v2", calls))
    assert (served.value, served.stale, len(calls)) == ("v2", False, 2)


def test_a_large_round_is_analysed_in_the_background_even_on_its_first_view():
    """Above ``sync_max`` responses nothing kept means AnalysisPending, not minutes in the
    request; at or below it the first view still computes in the caller."""
    from surveyapp.indices.cache import AnalysisPending

    scope = _Scope()
    cache = AnalysisCache(session_scope=scope, sync_max=100)
    calls: list = []
    gate = threading.Event()
    with pytest.raises(AnalysisPending):
        cache.serve("big", 1, "request", _computer(1, "b1", calls, gate), size=101)
    with pytest.raises(AnalysisPending):  # still pending: no second computation starts
        cache.serve("big", 1, "request", _computer(1, "other", calls, gate), size=101)
    gate.set()
    assert cache.wait_idle(timeout=60)
    assert [c[1] for c in calls] == ["dashboard-refresh"] and calls[0][0] is scope.opened[0]
    served = cache.serve("big", 1, "request", _computer(1, "unused", calls), size=101)
    assert (served.value, served.stale, len(calls)) == ("b1", False, 1)
    small = cache.serve("small", 1, "request", _computer(1, "s1", calls), size=100)
    assert (small.value, calls[-1][0]) == ("s1", "request")


def test_margins_digest_follows_the_content():
    margins = population_margins()
    reordered = {k: dict(reversed(list(v.items()))) for k, v in reversed(list(margins.items()))}
    changed = {**margins, "age_group": {**margins["age_group"], "60+": 1}}
    assert margins_digest(None) == margins_digest({}) == ""
    assert margins_digest(margins) == margins_digest(reordered) != ""
    assert margins_digest(changed) != margins_digest(margins)


# --- through the page and the API ----------------------------------------------------------


def _catering(demo) -> Round:
    return db.session.scalar(
        select(Round).where(Round.code == f"catering-{demo['current'].lower()}")
    )


def _add_unhappy(add_response, demo) -> None:
    """One unhappy resident (ratings 1 and 2: not a straight-liner, so analysed)."""
    add_response(f"catering-{demo['current'].lower()}", lambda i: 1 + i % 2)


def _index(html: str) -> str:
    return re.search(r'<p class="index-value">([^<\s]+)', html).group(1)


@pytest.fixture
def gated(monkeypatch):
    """Background analyses wait at a gate the test opens (the page's own analyses do not)."""
    gate = threading.Event()

    def gated(session, round_, options, **kwargs):
        if threading.current_thread().name == "dashboard-refresh":
            assert gate.wait(timeout=120), "the test never opened the gate"
        return analyse_round(session, round_, options, **kwargs)

    monkeypatch.setattr(live, "analyse_round", gated)
    return gate


def test_a_view_after_a_new_response_shows_the_last_figures_then_the_new(
    app, as_role, demo, gated, add_response
):
    client = as_role("evaluator")
    url = "/dashboard?sector=catering"
    before = client.get(url).get_data(as_text=True)
    assert "收到 60" in before and "正在更新" not in before
    _add_unhappy(add_response, demo)
    stale = client.get(url).get_data(as_text=True)  # answered while the refresh waits
    cache: AnalysisCache = indices_state(app).cache
    assert "收到 60" in stale and _index(stale) == _index(before)
    note = re.search(
        r"数据截至 (\d{4})年(\d{1,2})月(\d{1,2})日 \d\d:\d\d（60 份答卷），正在更新", stale
    )
    assert note, "the stale page says how old its figures are, in Chinese first"
    english = client.get(url + "&lang=en").get_data(as_text=True)
    assert "Figures as of " in english and "(60 responses); an update is being computed" in english
    gated.set()
    assert cache.wait_idle(timeout=120)
    fresh = client.get(url + "&lang=zh").get_data(as_text=True)
    assert "收到 61" in fresh and "正在更新" not in fresh and "数据截至" not in fresh
    assert float(_index(fresh)) < float(_index(before))  # the unhappy resident counts
    assert cache.refreshes == 1


def test_a_failing_refresh_still_shows_the_page_and_is_retried(
    app, as_role, demo, monkeypatch, caplog, add_response
):
    client = as_role("evaluator")
    url = "/dashboard?sector=catering"
    client.get(url)
    _add_unhappy(add_response, demo)
    failures = []

    def broken(session, round_, options, **kwargs):
        if threading.current_thread().name == "dashboard-refresh" and not failures:
            failures.append(round_.id)
            raise RuntimeError("disk full")
        return analyse_round(session, round_, options, **kwargs)

    monkeypatch.setattr(live, "analyse_round", broken)
    cache: AnalysisCache = indices_state(app).cache
    with caplog.at_level(logging.ERROR, logger="surveyapp.indices.cache"):
        reply = client.get(url)
        assert cache.wait_idle(timeout=120)
    assert reply.status_code == 200 and "收到 60" in reply.get_data(as_text=True)
    logged = [r for r in caplog.records if r.name == "surveyapp.indices.cache"]
    assert len(logged) == 1 and "disk full" in logged[0].exc_text and cache.failures == 1
    retry = client.get(url).get_data(as_text=True)  # starts the refresh again
    assert "收到 60" in retry and "正在更新" in retry
    assert cache.wait_idle(timeout=120)
    assert "收到 61" in client.get(url).get_data(as_text=True)


def test_new_round_margins_change_the_numbers(app, as_role, demo):
    """An admin's margins upload changes no response (the stamp stays) but every weight:
    the next view is marked as updating and the one after shows the reweighted figures,
    equal to an analysis of the round with those margins."""
    client = as_role("evaluator")
    url = "/dashboard?sector=catering"
    before = client.get(url).get_data(as_text=True)
    margins = population_margins()
    skewed = {**margins, "age_group": {"18-29": 10, "30-44": 10, "45-59": 10, "60+": 5000}}
    with app.app_context():
        r = _catering(demo)
        r.margins = skewed
        db.session.commit()
    stale = client.get(url).get_data(as_text=True)
    assert "正在更新" in stale and _index(stale) == _index(before)
    cache: AnalysisCache = indices_state(app).cache
    assert cache.wait_idle(timeout=120)
    fresh = client.get(url).get_data(as_text=True)
    assert "正在更新" not in fresh and _index(fresh) != _index(before)
    with app.app_context():
        settings: AnalysisSettings = indices_state(app).settings
        r = _catering(demo)
        stored = analyse_round(db.session, r, options_for(settings, r, "sector"))
    assert stored.record["margins_source"].startswith("round ")
    assert _index(fresh) == f"{stored.result.index.estimate:,.1f}"


def test_the_api_states_which_responses_its_indices_are_of(app, client, demo, gated, add_response):
    with app.app_context():
        user, _ = create_user(db.session, "api-eva", "evaluator", "long enough password")
        _, token = create_token(db.session, user, "test", actor="cli")
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/indices?round=catering-{demo['current'].lower()}"
    doc = client.get("/api/v1/openapi.json").get_json()
    first = client.get(url, headers=auth).get_json()
    assert first["updating"] is False and first["n_received"] == 60
    assert first["stamp"]["responses"] == 60 and first["as_of"].endswith("+00:00")
    _add_unhappy(add_response, demo)
    stale = client.get(url, headers=auth).get_json()
    assert stale["updating"] is True
    assert {k: stale[k] for k in ("index", "n_received", "stamp", "as_of")} == {
        k: first[k] for k in ("index", "n_received", "stamp", "as_of")
    }
    gated.set()
    assert indices_state(app).cache.wait_idle(timeout=120)
    fresh = client.get(url, headers=auth).get_json()
    assert fresh["updating"] is False and fresh["n_received"] == 61
    assert fresh["stamp"]["responses"] == 61 and fresh["as_of"] > first["as_of"]
    assert fresh["stamp"]["last_response_id"] > first["stamp"]["last_response_id"]
    from jsonschema import Draft202012Validator

    schema = {"$ref": "#/components/schemas/Indices", "components": doc["components"]}
    for body in (first, stale, fresh):
        assert not list(Draft202012Validator(schema).iter_errors(body))


def test_the_first_view_of_a_large_round_says_it_is_computing_and_reloads(
    app, as_role, demo, gated, token_for_reader
):
    """With ``DASHBOARD_SYNC_MAX`` below the round's size, the first view in a worker is a
    short page that reloads itself (no script) while the analysis runs aside; the API
    answers 503 with Retry-After; once computed, both show the figures."""
    app.config["DASHBOARD_SYNC_MAX"] = 10
    app.extensions.pop(STATE_KEY, None)  # a worker started with that setting
    client = as_role("evaluator")
    url = "/dashboard?sector=catering"
    waiting = client.get(url)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="10">' in html and "正在计算分析结果" in html
    assert "收到" not in html
    code = f"catering-{demo['current'].lower()}"
    api = app.test_client().get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token_for_reader}"}
    )
    assert api.status_code == 503 and api.headers["Retry-After"] == "10"
    assert api.get_json()["error"] == "analysis_pending"
    gated.set()
    cache: AnalysisCache = indices_state(app).cache
    assert cache.wait_idle(timeout=120)
    ready = client.get(url).get_data(as_text=True)
    assert "收到 60" in ready and 'http-equiv="refresh"' not in ready
    api = app.test_client().get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token_for_reader}"}
    )
    assert api.status_code == 200 and api.get_json()["n_received"] == 60


@pytest.fixture
def token_for_reader(app) -> str:
    with app.app_context():
        user, _ = create_user(db.session, "api-reader", "evaluator", "long enough password")
        _, token = create_token(db.session, user, "reader", actor="cli")
        db.session.commit()
    return token
