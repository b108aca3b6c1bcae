"""Request ids and the JSON access log: one line per request, nothing personal in it."""

from __future__ import annotations

import json
import logging
import re

import pytest

from surveyapp.ops.logs import ACCESS_LOGGER, JsonFormatter
from tests.api.test_submit import _payload
from tests.auth.helpers import PASSWORD, csrf_of, wire_auth

ACCESS_FIELDS = {
    "ts",
    "level",
    "event",
    "request_id",
    "method",
    "path",
    "endpoint",
    "status",
    "duration_ms",
}


def test_request_id_is_generated_and_echoed(make_app):
    client = make_app().test_client()
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-3f2a9c.01_b"})
    assert given.headers["X-Request-ID"] == "nginx-3f2a9c.01_b"


@pytest.mark.parametrize("bad", ["", "x" * 129, "a b", "id\r\nSet-Cookie: x=1", "<script>", "日志"])
def test_unsafe_request_ids_are_replaced(make_app, access_log, bad):
    reply = make_app().test_client().get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": bad})
    rid = reply.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert [r["request_id"] for r in access_log.events("request")] == [rid]


def test_one_json_line_per_request_with_its_fields(make_app, make_round, access_log):
    wired = make_app()
    code = make_round("catering")
    client = wired.test_client()
    replies = [client.get(f"/s/{code}"), client.get("/s/missing"), client.get("/readyz")]
    lines = access_log.events("request")
    assert len(lines) == 3 and len(access_log.formatted) == 3
    for reply, line, text in zip(replies, lines, access_log.formatted, strict=True):
        assert set(json.loads(text)) == ACCESS_FIELDS
        assert "\n" not in text
        assert line["request_id"] == reply.headers["X-Request-ID"]
        assert line["status"] == reply.status_code and line["method"] == "GET"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert [line["path"] for line in lines] == [f"/s/{code}", "/s/missing", "/readyz"]
    assert [line["status"] for line in lines] == [200, 404, 200]


def test_no_address_query_body_or_password_is_logged(app, make_app, make_round, access_log, keyed):
    wired = wire_auth(make_app())
    code = make_round("catering")
    client = wired.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    client.get(f"/s/{code}?t=SECRET-TOKEN-42")
    body = _payload(app, code, open={"suggestions": "住在幸福路12号的张三"})
    client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.get_data(as_text=True)),
            "username": "ann",
            "password": "hunter2-" + PASSWORD,
        },
    )
    text = "\n".join(access_log.formatted)
    assert len(access_log.events("request")) == 4
    for secret in ("203.0.113.77", "SECRET-TOKEN-42", "幸福路", "hunter2", "ann", "csrf"):
        assert secret not in text, secret


def test_log_lines_are_json_on_stderr(make_app, capsys):
    logger = logging.getLogger(ACCESS_LOGGER)
    assert any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers)
    make_app().test_client().get("/healthz")
    lines = [ln for ln in capsys.readouterr().err.splitlines() if '"event":"request"' in ln]
    assert json.loads(lines[-1])["path"] == "/healthz"


def test_access_log_can_be_switched_off_ids_stay(make_app, access_log):
    reply = make_app(ACCESS_LOG=False).test_client().get("/healthz")
    assert reply.headers["X-Request-ID"]
    assert access_log.events("request") == []


def test_access_log_switched_off_from_the_environment(make_app, access_log, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_ACCESS_LOG", "off")
    make_app().test_client().get("/healthz")
    assert access_log.events("request") == []
