"""Rate limits shared through Redis (several servers), and failing open without it.

Redis is expected at ``SURVEYAPP_TEST_REDIS_URL`` (default redis://127.0.0.1:6379).
Without it the shared-storage test is skipped on a workstation but FAILS in CI
(``CI`` set): CI starts Redis, so its absence there is a broken set-up.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.api.test_submit import _payload

REDIS_URL = os.environ.get("SURVEYAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_url():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must start redis-server)")
        pytest.skip(message)
    prefix = f"surveyapp-test-{uuid.uuid4().hex[:12]}"
    yield REDIS_URL, prefix, client
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _browser(app, ip):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    return browser


def test_two_servers_share_the_counters_in_redis(app, make_app, make_round, redis_url, keyed):
    url, prefix, redis_client = redis_url
    settings = {
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_API_KEY": "3/minute",
        "RATELIMIT_BURST": "2/minute",
    }
    server_a, server_b = make_app(**settings), make_app(**settings)
    code = make_round("catering")
    body = _payload(app, code)
    path = f"/api/v1/rounds/{code}/responses"
    statuses = [
        _browser(server, "198.51.100.70").post(path, json=body, headers=keyed).status_code
        for server in (server_a, server_b, server_a, server_b)
    ]
    assert statuses == [201, 201, 201, 429]
    assert server_b.extensions["surveyapp.limiter"].storage.check()
    keys = [k.decode() for k in redis_client.scan_iter(match=f"*{prefix}*")]
    assert keys, "the counters are in Redis"
    assert not any("198.51.100.70" in key for key in keys)  # no address
    assert not any(keyed["Authorization"].split()[1] in key for key in keys)  # nor the key


def test_unreachable_redis_fails_open(app, make_app, make_round, keyed):
    """Redis down: the limiter falls back to memory; residents can still answer."""
    limited = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1", RATELIMIT_API_KEY="2/minute")
    code = make_round("catering")
    body = _payload(app, code)
    client = _browser(limited, "198.51.100.71")
    statuses = [
        client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]  # the in-memory fallback keeps the same limits
