"""The JSON API under random and adversarial bodies: never a 5xx, never a partial write.

Every reply is a 201 with the new id (exactly one more row) or a 4xx with a JSON body
naming the error (no new row, no invitation consumed).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.rounds.service import get_round, issue_invitations
from tests.api.test_submit import _payload
from tests.reliability.fuzzing import FUZZ, JSON_VALUES, TEXT, count_rows, dumps, nested

ALLOWED = {201, 400, 404, 409, 410, 413, 415}
FIELDS = ("respondent", "answers", "open", "started_at", "channel", "token", "device_id")


@pytest.fixture
def api(app, make_app, make_round, keyed):
    """A client of a wired app (limits off: the fuzzer is one key), a round and a body.

    The client sends a valid channel key with every request, so the bodies reach the
    validation they are meant to fuzz.
    """
    wired = make_app(RATELIMIT_ENABLED=False, MAX_CONTENT_LENGTH=64 * 1024, ACCESS_LOG=False)
    code = make_round("catering", require_token=False)
    token_code = make_round("catering", code="catering-tokens", require_token=True)
    with app.app_context():
        tokens = issue_invitations(db.session, get_round(db.session, token_code), 3)
        db.session.commit()
    client = wired.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = keyed["Authorization"]
    return wired, client, code, token_code, tokens, _payload(app, code)


def _check(app, reply, before):
    status = reply.status_code
    assert status in ALLOWED, (status, reply.get_data(as_text=True)[:300])
    assert reply.mimetype == "application/json"
    data = reply.get_json()
    responses, used = count_rows(app)
    if status == 201:
        assert responses == before[0] + 1
        with app.app_context():
            row = db.session.scalars(db.select(Response).where(Response.uid == data["id"])).one()
            assert row.answers and row.profile is not None
            db.session.remove()
    else:
        assert isinstance(data["error"], str) and data["error"]
        assert isinstance(data["message"], str) and data["message"]
        assert (responses, used) == before  # nothing written, no invitation consumed
    return status


@FUZZ
@given(body=JSON_VALUES)
def test_any_json_value_as_the_body(api, body):
    wired, client, code, *_ = api
    before = count_rows(wired)
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=dumps(body), content_type="application/json"
    )
    assert _check(wired, reply, before) in {400, 413}


@FUZZ
@given(
    field=st.sampled_from(FIELDS),
    value=JSON_VALUES,
    extra=st.dictionaries(TEXT, JSON_VALUES, max_size=2),
    section_key=st.one_of(
        TEXT, st.sampled_from(["hyg_clean", "district", "overall", "suggestions"])
    ),
)
def test_one_field_of_a_valid_body_replaced(api, field, value, extra, section_key):
    wired, client, code, _, _, base = api
    body = json.loads(json.dumps(base))
    if field in ("respondent", "answers", "open") and isinstance(body.get(field), dict):
        body[field][section_key] = value
    else:
        body[field] = value
    body.update({k: v for k, v in extra.items() if k not in FIELDS})
    before = count_rows(wired)
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=dumps(body), content_type="application/json"
    )
    _check(wired, reply, before)


@FUZZ
@given(token=st.one_of(TEXT, JSON_VALUES), reuse=st.booleans())
def test_tokens_of_every_shape(api, token, reuse):
    wired, client, _, token_code, tokens, base = api
    body = dict(base, token=tokens[0] if reuse else token)
    before = count_rows(wired)
    reply = client.post(
        f"/api/v1/rounds/{token_code}/responses", data=dumps(body), content_type="application/json"
    )
    status = _check(wired, reply, before)
    if reuse and before[1] > 0:
        assert status == 409  # a used token stays used


@FUZZ
@given(
    raw=st.binary(max_size=600),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
            "application/json; charset=utf-16",
        ]
    ),
)
def test_raw_bytes_and_content_types(api, raw, content_type):
    wired, client, code, *_ = api
    before = count_rows(wired)
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=raw, content_type=content_type or None
    )
    assert _check(wired, reply, before) in {400, 415}


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b'{"answers": {"overall": 5}, "x": "\xc3\x28"}',
        b"\xef\xbb\xbf{}",
        nested(100_000).encode(),
        ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
        b'{"open": {"suggestions": "' + b"x" * 70_000 + b'"}}',
        b"1" * 70_000,
        b'{"respondent": {"district": "\\ud800"}}',
        b'{"open": {"suggestions": "\\udfff"}}',
        b"[" + b"{}," * 5000 + b"{}]",
        b'{"answers": ' + b"9" * 5000 + b"}",
    ],
)
def test_adversarial_bodies(api, body):
    wired, client, code, *_ = api
    before = count_rows(wired)
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=body, content_type="application/json"
    )
    assert _check(wired, reply, before) in {400, 413}


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\x00\x00", "\u202e" * 10, "😀" * 200])
def test_unicode_edges_in_an_open_answer(api, text):
    wired, client, code, _, _, base = api
    before = count_rows(wired)
    body = dict(base, open={"suggestions": text})
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=dumps(body), content_type="application/json"
    )
    status = _check(wired, reply, before)
    if status == 201:
        with wired.app_context():
            row = db.session.scalars(db.select(Response).order_by(Response.id.desc())).first()
            stored = (row.open_answers or {}).get("suggestions", "")
            db.session.remove()
        stored.encode("utf-8")  # whatever was kept is valid text


@pytest.mark.parametrize(
    "body",
    [
        b'{"open": {"suggestions": "\\ud800"}}',  # a lone surrogate, spelled as a JSON escape
        b'{"respondent": {"\\udc00": "x"}}',
        b'{"answers": {"overall": NaN}}',
        b'{"answers": {"overall": Infinity}}',
        b'{"answers": {"overall": ' + b"4" * 5000 + b"}}",  # past Python's int digit limit
        b"\xff{}",
    ],
)
def test_bodies_that_are_not_utf8_json_are_bad_json(api, body):
    wired, client, code, *_ = api
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=body, content_type="application/json"
    )
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "bad_json"
    assert count_rows(wired) == (0, 0)


def test_a_surrogate_pair_is_fine(api):
    wired, client, code, _, _, base = api
    body = json.dumps(dict(base, open={"suggestions": "好评😀"}), ensure_ascii=True).encode()
    reply = client.post(
        f"/api/v1/rounds/{code}/responses", data=body, content_type="application/json"
    )
    assert reply.status_code == 201
