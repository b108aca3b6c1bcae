"""A round that requires invitation tokens cannot be answered around them.

Each test removes one way in: no token, an empty or forged token, a token of
another round, a replayed token (another device and address), a cleared cookie
(the fingerprint still knows the browser), and a last page posted without its token.
"""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Invitation
from surveyapp.rounds.service import get_round, issue_invitations
from surveyapp.survey.device import DEVICE_COOKIE
from tests.api.test_submit import _payload


def _tokens(app, code, n):
    with app.app_context():
        tokens = issue_invitations(db.session, get_round(db.session, code), n)
        db.session.commit()
    return tokens


def _used(app) -> list:
    with app.app_context():
        return sorted(str(v) for v in db.session.scalars(select(Invitation.used_at)) if v)


def _api(client, code, body, keyed, ip="198.51.100.80"):
    return client.post(
        f"/api/v1/rounds/{code}/responses",
        json=body,
        headers={**keyed, "Accept-Language": "en"},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_api_refuses_missing_empty_forged_and_foreign_tokens(
    app, client, make_round, stored, keyed
):
    code = make_round("catering", require_token=True)
    other = make_round("catering", code="catering-other", require_token=True)
    _tokens(app, code, 1)
    [foreign] = _tokens(app, other, 1)
    body = _payload(app, code)
    expected = {
        None: "this round requires an invitation token",
        "": "this round requires an invitation token",
        "ZZZZ-ZZZZ": "unknown invitation token",
        foreign: "unknown invitation token",
        "x" * 65: "unknown invitation token",
    }
    for token, message in expected.items():
        reply = _api(client, code, dict(body, token=token), keyed)
        assert reply.status_code == 400, token
        assert reply.get_json()["fields"] == {"token": message}
    assert stored(code) == [] and _used(app) == []


def test_api_replayed_token_is_refused_from_anywhere(app, client, make_round, stored, keyed):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)
    body = _payload(app, code, token=token)
    assert _api(client, code, dict(body, device_id="kiosk-device-000001"), keyed).status_code == 201
    used = _used(app)
    for n, device in enumerate(["kiosk-device-000002", None]):
        replay = _api(client, code, dict(body, device_id=device), keyed, ip=f"192.0.2.{n + 1}")
        assert replay.status_code == 409
        assert replay.get_json()["error"] == "token_used"
    assert len(stored(code)) == 1 and _used(app) == used  # first use kept as it was


def test_survey_cleared_cookie_with_a_new_token_is_a_new_resident(app, make_round, survey, stored):
    """Issue 14, item 5: the device cookie and the invitation are the identity; one
    phone handed to a neighbour with the neighbour's own letter may answer (the shared
    address + browser is a signal on the anomaly panel)."""
    code = make_round("catering", require_token=True)
    first_token, second_token = _tokens(app, code, 2)
    browser = app.test_client()
    s = survey(code, browser)
    s.open(f"?t={first_token}")
    s.walk()
    assert s.response.status_code == 303

    # same phone, cookies cleared, a second invitation (a neighbour's letter)
    browser.delete_cookie(DEVICE_COOKIE, path="/s/")
    again = survey(code, browser)
    page = again.open(f"?t={second_token}")
    assert "您已参与过本轮调查" not in page.get_data(as_text=True)
    again.walk()
    assert again.response.status_code == 303
    rows = stored(code)
    assert len(rows) == 2 and rows[0].fingerprint_hash == rows[1].fingerprint_hash
    assert len(_used(app)) == 2

    # the first invitation once more, from that phone: refused, nothing stored
    browser.delete_cookie(DEVICE_COOKIE, path="/s/")
    reply = browser.post(f"/s/{code}", data={"go": "submit", "token": first_token})
    assert reply.status_code in (400, 409)
    assert len(stored(code)) == 2


def test_survey_last_page_without_its_token_is_refused(app, make_round, survey, stored):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)
    s = survey(code, app.test_client())
    s.open(f"?t={token}")
    s.walk(submit=False)
    s.send("submit", {"token": ""})  # the hidden token removed by hand
    assert s.response.status_code == 400
    assert s.page.errors == {"token": "错误：本轮调查需要邀请码"}
    assert stored(code) == [] and _used(app) == []


def test_survey_replayed_token_from_another_phone_stores_nothing(app, make_round, survey, stored):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)
    s = survey(code, app.test_client())
    s.open(f"?t={token}")
    s.walk()
    assert s.response.status_code == 303
    used = _used(app)

    phone = app.test_client()
    phone.environ_base.update(REMOTE_ADDR="203.0.113.44", HTTP_USER_AGENT="another phone")
    replay = survey(code, phone)
    replay.open(f"?t={token}")
    assert replay.page.errors == {"token": "错误：该邀请码已经使用过"}  # said on opening
    replay.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"})
    assert replay.response.status_code == 400  # refused on the first page, not after the last
    assert len(stored(code)) == 1 and _used(app) == used
