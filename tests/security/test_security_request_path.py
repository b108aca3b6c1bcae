"""The cheap request path (issue 15): the same behaviour with less work per request.

Rate-limit hooks only on the limited views, counters in memory without timer threads,
the session signer built once, each hook's sync check made once, the access line's
timestamp formatted once per second.  Speed itself is measured in bench/middleware;
these tests pin what must not change.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from flask import Flask, session
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from surveyapp.ops.hooks import MAX_REMEMBERED, remember_sync_checks
from surveyapp.ops.logs import iso_timestamp
from surveyapp.security import limit_storage
from surveyapp.security.limit_storage import LazyMemoryStorage, storage_uri
from surveyapp.security.limits import EXTENSION
from surveyapp.security.sessions import CachedSignerSessionInterface, init_sessions
from tests.api.test_submit import _payload


def _limiter_hooks(app: Flask) -> list:
    hooks = [
        *app.before_request_funcs.get(None, []),
        *app.after_request_funcs.get(None, []),
        *app.teardown_request_funcs.get(None, []),
    ]
    return [h for h in hooks if hasattr(h, "surveyapp_gated")]


def test_limiter_hooks_skip_unlimited_endpoints_and_limits_still_hold(
    app, make_app, make_round, keyed
):
    limited = make_app(RATELIMIT_API_KEY="2/minute")
    assert len(_limiter_hooks(limited)) == 3  # before, after, teardown: all three gated
    code = make_round("catering")
    client = limited.test_client()
    with client:
        assert client.get("/healthz").status_code == 200
        from flask import request

        # Flask-Limiter kept no per-request state for a view it does not limit
        assert not hasattr(request._get_current_object(), "_limiter_request_context")
    url = f"/api/v1/rounds/{code}/responses"
    body = _payload(app, code)
    statuses = [client.post(url, json=body, headers=keyed).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_round_limit_still_counts_only_accepted_posts(app, make_app, make_round, keyed):
    """The deduct-when limit is counted by the after-request hook, which stays on."""
    limited = make_app(RATELIMIT_API_ROUND="2/minute")
    code = make_round("catering")
    client = limited.test_client()
    url = f"/api/v1/rounds/{code}/responses"
    assert client.post(url, json={"answers": "x"}, headers=keyed).status_code == 400
    body = _payload(app, code)
    statuses = [client.post(url, json=body, headers=keyed).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_memory_storage_is_the_lazy_one_and_redis_is_untouched(make_app):
    limiter = make_app().extensions[EXTENSION]
    assert isinstance(limiter._storage, LazyMemoryStorage)
    assert storage_uri("memory://") == "surveyapp-memory://"
    assert storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert isinstance(storage_from_string("surveyapp-memory://"), MemoryStorage)


def test_lazy_storage_counts_like_memory_without_starting_threads(monkeypatch):
    storage = LazyMemoryStorage()
    window = FixedWindowRateLimiter(storage)
    item = parse("3/minute")
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    assert [window.hit(item, "k") for _ in range(4)] == [True, True, True, False]
    assert started == []


def test_lazy_storage_sweeps_expired_counters_once_due(monkeypatch):
    storage = LazyMemoryStorage()
    storage.incr("gone", expiry=1)
    storage.expirations["gone"] = 0  # its window ended long ago; nobody reads it again
    storage.incr("other", expiry=60)
    assert "gone" in storage.storage  # not yet due: the sweep waits for SWEEP_EVERY
    now = limit_storage.time.monotonic()
    monkeypatch.setattr(
        limit_storage.time, "monotonic", lambda: now + 2 * limit_storage.SWEEP_EVERY
    )
    storage.incr("other", expiry=60)
    assert "gone" not in storage.storage and storage.get("other") == 2


def test_session_signer_is_built_once_per_key(make_app):
    app = make_app()
    interface = app.session_interface
    assert isinstance(interface, CachedSignerSessionInterface)
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "another-secret-of-at-least-32-characters"
    assert interface.get_signing_serializer(app) is not first


def _session_app(secret: str, fallbacks: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []
    init_sessions(app)

    @app.get("/set")
    def set_():
        session["n"] = 7
        return "ok"

    @app.get("/get")
    def get_():
        return {"n": session.get("n"), "new": session.new, "empty": not session}

    return app


def test_session_cookie_round_trip_forgery_and_key_rotation():
    app = _session_app("a" * 40)
    client = app.test_client()
    assert client.get("/get").get_json() == {"n": None, "new": False, "empty": True}
    client.get("/set")
    cookie = client.get_cookie("session").value
    assert client.get("/get").get_json()["n"] == 7
    forged = app.test_client()
    forged.set_cookie("session", cookie[:-2] + "xx")
    assert forged.get("/get").get_json()["n"] is None
    rotated = _session_app("b" * 40, fallbacks=["a" * 40]).test_client()
    rotated.set_cookie("session", cookie)
    assert rotated.get("/get").get_json()["n"] == 7  # signed with the previous key
    stranger = _session_app("c" * 40).test_client()
    stranger.set_cookie("session", cookie)
    assert stranger.get("/get").get_json()["n"] is None


def test_a_chosen_session_interface_is_kept():
    app = Flask(__name__)

    class Own(CachedSignerSessionInterface):
        pass

    app.session_interface = own = Own()
    init_sessions(app)
    assert app.session_interface is own


def test_sync_check_is_made_once_per_function():
    app = Flask(__name__)
    calls = []
    original = app.ensure_sync

    def counting(func):
        calls.append(func)
        return original(func)

    app.ensure_sync = counting  # type: ignore[method-assign]
    remember_sync_checks(app)
    remember_sync_checks(app)  # idempotent

    def view():
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    assert calls == [view]

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self):
            return "ok"

    odd = Unhashable()
    assert app.ensure_sync(odd) is odd and app.ensure_sync(odd) is odd
    assert calls == [view, odd, odd]  # asked each time, as Flask would
    assert MAX_REMEMBERED >= 1000


def test_sync_check_of_a_wired_app_serves_views_and_hooks(make_app):
    app = make_app()
    assert getattr(app.ensure_sync, "surveyapp_cached", False)
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 200 and reply.headers["X-Request-ID"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "created",
    [0.0, 1.0005, 1.9995, 1_765_000_000.4939995, 1_765_000_000.9999996, 1_093_683_779.4939995],
)
def test_access_line_timestamp_is_datetimes_iso_text(created):
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert iso_timestamp(created) == expected
    assert iso_timestamp(created) == expected  # from the per-second cache this time
