"""The token-authenticated read API: tokens, indices, paged responses, errors, limits."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.api.tokens import create_token, hash_token, revoke_token, verify_token
from surveyapp.background import close_app
from surveyapp.dashboard.service import build_dashboard
from surveyapp.extensions import db
from surveyapp.indices import AnalysisCache, indices_state, serve_round, settings_from_config
from surveyapp.models import ApiToken, Response, Round
from surveyapp.models.base import utcnow
from surveyapp.models.user import AuditLog, User
from surveyapp.responses.exporter import export_csv
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user


@pytest.fixture
def demo_size() -> tuple[int, int]:
    return 40, 5


@pytest.fixture
def demo(demo) -> dict[str, str]:
    """The shared demo data (tests/conftest.py), 40 responses a round: the codes of the
    open catering and lodging rounds."""
    current = demo["current"].lower()
    return {"catering": f"catering-{current}", "lodging": f"lodging-{current}"}


@pytest.fixture
def token_for(app, make_user):
    """``token_for("bureau", sectors=["catering"])`` → a plain token of a new account."""
    made = 0

    def _token(role: str = "evaluator", **kwargs) -> str:
        nonlocal made
        made += 1
        user_id = make_user(f"{role}{made}", role, **kwargs)
        with app.app_context():
            owner = db.session.get(User, user_id)
            _, plain = create_token(db.session, owner, "test", actor="cli")
            db.session.commit()
        return plain

    return _token


def _row(token: str) -> ApiToken:
    """The stored row of a plain token (inside an app context)."""
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _csv_rows(app, code: str) -> list[list[str]]:
    """The CSV export of a round, parsed back: header first."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        text = "".join(export_csv(db.session, round_))
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# --- authentication ------------------------------------------------------------------------

READ_URLS = ("/api/v1/indices?round={code}", "/api/v1/rounds/{code}/responses")


@pytest.mark.parametrize("url", READ_URLS)
def test_no_token_is_401_with_a_bearer_challenge(client, demo, url):
    reply = client.get(url.format(code=demo["catering"]), headers={"Accept-Language": "en"})
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="surveyapp"'
    body = reply.get_json()
    assert body["error"] == "token_missing"
    assert "Authorization: Bearer" in body["message"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer not-a-real-token", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "token_malformed"),
        ("Bearer", "token_malformed"),
        ("Bearer two words", "token_malformed"),
    ],
)
def test_bad_tokens_are_401(client, demo, header, code):
    reply = client.get(
        f"/api/v1/indices?round={demo['catering']}", headers={"Authorization": header}
    )
    assert reply.status_code == 401
    assert reply.get_json()["error"] == code
    assert reply.headers["WWW-Authenticate"].startswith('Bearer realm="surveyapp", error=')


def test_a_signed_in_browser_session_does_not_authenticate_the_api(app, client, demo, make_user):
    helpers.sign_in_as(app, client, make_user("root", "admin"))
    assert client.get("/dashboard").status_code == 200  # the cookie is a valid session
    for url in READ_URLS:
        assert client.get(url.format(code=demo["catering"])).status_code == 401


def test_a_revoked_token_stops_at_once(app, client, demo, token_for):
    token = token_for("evaluator")
    url = f"/api/v1/indices?round={demo['catering']}"
    assert client.get(url, headers=bearer(token)).status_code == 200
    with app.app_context():
        revoke_token(db.session, _row(token), actor="cli")
        db.session.commit()
    reply = client.get(url, headers=bearer(token))
    assert reply.status_code == 401
    assert reply.get_json()["error"] == "token_revoked"


def test_a_token_of_a_disabled_account_is_refused(app, client, demo, token_for):
    token = token_for("admin")
    with app.app_context():
        _row(token).user.active = False
        db.session.commit()
    reply = client.get(f"/api/v1/rounds/{demo['catering']}/responses", headers=bearer(token))
    assert reply.status_code == 401
    assert reply.get_json()["error"] == "token_inactive"


def test_only_the_hash_is_stored_and_use_is_recorded(app, client, demo, token_for):
    token = token_for("viewer")
    with app.app_context():
        row = _row(token)
        assert len(row.token_hash) == 64 and token not in row.token_hash
        assert row.last_used_at is None
    assert (
        client.get(f"/api/v1/indices?round={demo['catering']}", headers=bearer(token)).status_code
        == 200
    )
    with app.app_context():
        row = _row(token)
        assert row.last_used_at is not None
        first = row.last_used_at
        # within a minute the timestamp is not rewritten (reads stay reads)
        assert verify_token(db.session, token, now=first + timedelta(seconds=30)).status == "ok"
        assert not db.session.dirty
        verify_token(db.session, token, now=first + timedelta(minutes=2))
        assert row.last_used_at == first + timedelta(minutes=2)
        db.session.rollback()


# --- sectors -------------------------------------------------------------------------------


def test_a_bureau_token_reads_only_its_sectors(client, demo, token_for):
    token = token_for("bureau", sectors=["catering"])
    own, other = demo["catering"], demo["lodging"]
    assert client.get(f"/api/v1/indices?round={own}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/rounds/{own}/responses", headers=bearer(token)).status_code == 200
    for url in (f"/api/v1/indices?round={other}", f"/api/v1/rounds/{other}/responses"):
        reply = client.get(url, headers={**bearer(token), "Accept-Language": "en"})
        assert reply.status_code == 403, url
        body = reply.get_json()
        assert body == {
            "error": "sector_forbidden",
            "message": "the account owning this token may not see this sector",
            "sector": "lodging",
        }


def test_a_viewer_token_reads_indices_but_no_individual_responses(client, demo, token_for):
    token = token_for("viewer")
    assert (
        client.get(f"/api/v1/indices?round={demo['catering']}", headers=bearer(token)).status_code
        == 200
    )
    reply = client.get(
        f"/api/v1/rounds/{demo['catering']}/responses",
        headers={**bearer(token), "Accept-Language": "en"},
    )
    assert reply.status_code == 403
    body = reply.get_json()
    assert body["error"] == "role_forbidden" and body["role"] == "viewer"
    assert "viewers read the aggregate indices only" in body["message"]


def test_every_page_read_is_audited_with_its_token(app, client, demo, token_for):
    token = token_for("bureau", sectors=["catering"])
    code = demo["catering"]
    pages = _walk(client, token, code, limit=15)
    client.get(f"/api/v1/indices?round={code}", headers=bearer(token))  # aggregates: not audited
    with app.app_context():
        token_id = _row(token).id
        rows = list(
            db.session.scalars(
                select(AuditLog).where(AuditLog.action == "responses.export").order_by(AuditLog.id)
            )
        )
    assert [r.actor for r in rows] == ["bureau1"] * 3
    assert {r.target for r in rows} == {f"round:{code}"}
    assert [r.details["rows"] for r in rows] == [len(p["rows"]) for p in pages] == [15, 15, 10]
    assert [r.details["after"] for r in rows][0] == 0
    assert all(r.details["format"] == "json" and r.details["token"] == token_id for r in rows)


@pytest.mark.parametrize(
    "code",
    ["nope-2026q4", "\x00x", "x" * 3000, "\ud800", "代码"],
    ids=["unknown", "nul", "long", "surrogate", "cjk"],
)
def test_unknown_round_is_404(client, demo, token_for, code):
    """Codes no round can have never reach the database (PostgreSQL refuses a NUL: a 500)."""
    from urllib.parse import quote

    token = token_for()
    quoted = quote(code, safe="", errors="surrogatepass")
    for url in (f"/api/v1/indices?round={quoted}", f"/api/v1/rounds/{quoted}/responses"):
        reply = client.get(url, headers=bearer(token))
        assert reply.status_code == 404, url
        assert reply.get_json()["error"] == "not_found"


def test_an_archived_round_named_explicitly_is_410_and_its_responses_stay_readable(
    app, client, demo, token_for
):
    """Archived = hidden from every analysis (dashboard, bulletins): the API says so
    instead of serving figures nobody else shows; the stored responses stay readable."""
    from surveyapp.rounds.service import archive_round, get_round

    token = token_for()
    code = demo["lodging"]
    assert client.get(f"/api/v1/indices?round={code}", headers=bearer(token)).status_code == 200
    with app.app_context():
        archive_round(db.session, get_round(db.session, code))
        db.session.commit()
    reply = client.get(f"/api/v1/indices?round={code}", headers=bearer(token))
    assert reply.status_code == 410
    body = reply.get_json()
    assert body["error"] == "round_archived" and body["round"] == code
    assert "归档" in body["message"]
    english = client.get(
        f"/api/v1/indices?round={code}", headers={**bearer(token), "Accept-Language": "en"}
    )
    assert english.get_json()["message"].startswith("this round is archived")
    rows = client.get(f"/api/v1/rounds/{code}/responses", headers=bearer(token))
    assert rows.status_code == 200 and len(rows.get_json()["rows"]) == 40


# --- responses, page by page ----------------------------------------------------------------


def _walk(client, token, code, limit):
    url = f"/api/v1/rounds/{code}/responses?limit={limit}"
    pages = []
    while url:
        reply = client.get(url, headers=bearer(token))
        assert reply.status_code == 200
        assert reply.headers["Cache-Control"] == "private, no-store"
        body = reply.get_json()
        pages.append(body)
        if body["next"]:
            assert reply.headers["Link"] == f'<{body["next"]}>; rel="next"'
            assert f"cursor={body['next_cursor']}" in body["next"]
        else:
            assert "Link" not in reply.headers
        url = body["next"]
    return pages


def test_pages_walk_every_row_once_and_equal_the_csv_export(app, client, demo, token_for):
    token = token_for("bureau", sectors=["catering"])
    code = demo["catering"]
    pages = _walk(client, token, code, limit=7)
    exported = _csv_rows(app, code)
    assert len(exported) - 1 == 40
    assert [len(p["rows"]) for p in pages] == [7, 7, 7, 7, 7, 5]
    assert all(p["count"] == len(p["rows"]) and p["limit"] == 7 for p in pages)
    assert all(p["columns"] == exported[0] for p in pages)
    rows = [row for p in pages for row in p["rows"]]
    assert rows == exported[1:]
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids) == 40


def test_a_page_that_ends_the_round_exactly_has_no_next(client, demo, token_for):
    pages = _walk(client, token_for(), demo["catering"], limit=20)
    assert [len(p["rows"]) for p in pages] == [20, 20]
    assert pages[-1]["next"] is None and pages[-1]["next_cursor"] is None


def test_default_limit_and_responses_arriving_during_a_walk(app, client, demo, token_for):
    token = token_for()
    code = demo["catering"]
    first = client.get(
        f"/api/v1/rounds/{code}/responses?limit=30", headers=bearer(token)
    ).get_json()
    # a response stored between two pages shows up once, on a later page
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        template = db.session.scalar(
            select(Response).where(Response.round_id == round_.id).limit(1)
        )
        db.session.add(
            Response(
                uid="late-arrival",
                round_id=round_.id,
                questionnaire_version_id=template.questionnaire_version_id,
                submitted_at=utcnow(),
                profile=template.profile,
                answers=template.answers,
                channel="kiosk",
                flags=None,
            )
        )
        db.session.commit()
    rest = client.get(first["next"], headers=bearer(token)).get_json()
    assert [r[0] for r in rest["rows"]][-1] == "late-arrival"
    assert len(first["rows"]) + len(rest["rows"]) == 41
    whole = client.get(f"/api/v1/rounds/{code}/responses", headers=bearer(token)).get_json()
    assert whole["limit"] == 500 and whole["count"] == 41 and whole["next"] is None


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=5001", "limit"),
        ("limit=ten", "limit"),
        ("limit=-5", "limit"),
        ("cursor=abc", "cursor"),
        ("cursor=-1", "cursor"),
        ("cursor=1234567890123456789", "cursor"),
    ],
)
def test_bad_paging_parameters_are_400_naming_the_parameter(
    client, demo, token_for, query, parameter
):
    reply = client.get(
        f"/api/v1/rounds/{demo['catering']}/responses?{query}",
        headers={**bearer(token_for()), "Accept-Language": "en"},
    )
    assert reply.status_code == 400
    body = reply.get_json()
    assert body["error"] == "bad_parameter"
    assert body["parameter"] == parameter
    assert body["message"].startswith(f"bad parameter {parameter}: ")


def test_a_cursor_past_every_id_is_an_empty_last_page(client, demo, token_for):
    """Past the largest INTEGER id too (PostgreSQL refused such a parameter: a 500)."""
    token = token_for()
    for cursor in ("2147483647", "2147483648", "999999999999999999"):
        reply = client.get(
            f"/api/v1/rounds/{demo['catering']}/responses?cursor={cursor}", headers=bearer(token)
        )
        assert reply.status_code == 200, cursor
        body = reply.get_json()
        assert body["rows"] == [] and body["next"] is None and body["columns"][0] == "respondent_id"


def test_limit_bounds_are_accepted(client, demo, token_for):
    token = token_for()
    for limit, count in (("1", 1), ("5000", 40)):
        body = client.get(
            f"/api/v1/rounds/{demo['catering']}/responses?limit={limit}", headers=bearer(token)
        ).get_json()
        assert body["count"] == count


# --- indices -------------------------------------------------------------------------------


def test_indices_are_the_dashboards_numbers(app, client, demo, token_for, make_user):
    code = demo["catering"]
    body = client.get(
        f"/api/v1/indices?round={code}&by=district,dimension", headers=bearer(token_for())
    ).get_json()
    with app.app_context():
        # computed afresh (a new cache), as the dashboard page computes it
        settings = settings_from_config(app.config)
        viewer = db.session.get(User, make_user("look", "viewer"))
        board = build_dashboard(db.session, viewer, settings, AnalysisCache(), sector="catering")
        card = board.cards[0]
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        result = serve_round(db.session, round_, settings, AnalysisCache()).result
    assert card.round_code == code
    assert body["index"]["estimate"] == card.estimate.estimate
    assert body["index"]["ci"] == list(card.estimate.ci)
    assert body["index"]["se"] == card.estimate.se
    assert body["verdict"] == card.verdict
    assert body["n"] == card.n == result.n
    assert body["n_received"] == card.n_received == 40
    assert body["goal"] == card.goal
    assert body["satisfaction_rate"] == result.satisfaction_rate.to_dict()
    assert body["index"] == result.index.to_dict()
    shown = {row.district: row for row in card.districts if row.estimate is not None}
    assert {row["district"] for row in body["districts"]} == set(shown)
    for row in body["districts"]:
        assert row["index"]["estimate"] == shown[row["district"]].estimate.estimate
        assert row["n"] == shown[row["district"]].n
        assert row["verdict"] == shown[row["district"]].verdict
        assert row["label"]["zh"] == shown[row["district"]].label
    assert [d["id"] for d in body["dimensions"]] == [d.id for d in card.dimensions]
    for got, want in zip(body["dimensions"], card.dimensions, strict=True):
        assert got["estimate"] == want.estimate.estimate
        assert got["label"]["zh"] == want.label


def test_indices_share_the_dashboards_cache(app, client, demo, token_for):
    token = token_for()
    with app.app_context():
        cache = indices_state(app).cache
    url = f"/api/v1/indices?round={demo['catering']}"
    client.get(url, headers=bearer(token))
    misses = cache.misses
    client.get(url + "&by=district", headers=bearer(token))
    assert cache.misses == misses and cache.hits >= 1  # grouped rows come from the same analysis


def test_indices_without_by_have_no_rows_and_by_may_repeat(client, demo, token_for):
    token = token_for()
    plain = client.get(
        f"/api/v1/indices?round={demo['catering']}", headers=bearer(token)
    ).get_json()
    assert plain["by"] == [] and "districts" not in plain and "dimensions" not in plain
    assert plain["verdict"] in {"met", "not_met", "inconclusive", "small"}
    both = client.get(
        f"/api/v1/indices?round={demo['catering']}&by=dimension&by=district", headers=bearer(token)
    ).get_json()
    assert both["by"] == ["dimension", "district"] and both["districts"] and both["dimensions"]


def test_a_round_without_responses_has_no_index(app, client, make_round, token_for):
    code = make_round("catering", code="empty-round")
    body = client.get(
        f"/api/v1/indices?round={code}&by=district", headers=bearer(token_for())
    ).get_json()
    assert body["n"] == 0 and body["index"] is None and body["verdict"] == "small"
    assert body["districts"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "round"),
        ("round=", "round"),
        ("round={code}&by=age", "by"),
        ("round={code}&by=district,x", "by"),
    ],
)
def test_bad_index_parameters_are_400_naming_the_parameter(
    client, demo, token_for, query, parameter
):
    reply = client.get(
        "/api/v1/indices?" + query.format(code=demo["catering"]), headers=bearer(token_for())
    )
    assert reply.status_code == 400
    body = reply.get_json()
    assert body["parameter"] == parameter
    assert parameter in body["message"]  # zh by default: 参数 by 无效：…
    assert body["message"].startswith("参数")


# --- rate limits ---------------------------------------------------------------------------


def test_read_endpoints_are_rate_limited_like_the_api(app, demo, database_url, make_user):
    from surveyapp import create_app
    from tests.conftest import TEST_SECRET

    limited = create_app(
        {
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATELIMIT_API_CLIENT": "2/minute",
        }
    )
    try:
        with limited.app_context():
            owner = db.session.get(User, make_user("limited", "evaluator"))
            _, token = create_token(db.session, owner, "x", actor="cli")
            db.session.commit()
        client = limited.test_client()
        url = f"/api/v1/rounds/{demo['catering']}/responses?limit=1"
        assert [client.get(url, headers=bearer(token)).status_code for _ in range(2)] == [200, 200]
        reply = client.get(url, headers=bearer(token))
        assert reply.status_code == 429
        assert reply.get_json()["error"] == "rate_limited" and reply.headers["Retry-After"]
        # guessing tokens is limited too
        assert client.get(url, headers=bearer("guess")).status_code == 429
    finally:
        close_app(limited)


# --- the token service -----------------------------------------------------------------------


def test_token_service_audits_and_refuses_what_it_should(app, make_user):
    from surveyapp.api.tokens import TokenError

    with app.app_context():
        owner = db.session.get(User, make_user("ops", "evaluator"))
        token, plain = create_token(db.session, owner, "  nightly sync  ", actor=owner)
        assert token.name == "nightly sync" and len(plain) >= 43
        revoke_token(db.session, token, actor=owner)
        with pytest.raises(TokenError, match="already revoked"):
            revoke_token(db.session, token, actor=owner)
        with pytest.raises(TokenError, match="1-100"):
            create_token(db.session, owner, " ", actor=owner)
        owner.active = False
        with pytest.raises(TokenError, match="disabled"):
            create_token(db.session, owner, "x", actor=owner)
        db.session.commit()
        actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions[-2:] == ["token.create", "token.revoke"]
