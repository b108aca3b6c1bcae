"""One response per device and round: the signed device cookie (the fingerprint is a
signal, not an identity)."""

from __future__ import annotations

from surveyapp.survey.device import DEVICE_COOKIE


def _answer_all(s):
    return s.walk(lambda name, options: options[-1], lambda name: "多设置休息座椅")


def test_second_submit_from_same_device_is_refused_and_stores_nothing(make_round, survey, stored):
    code = make_round("catering")
    first = survey(code)
    first.open()
    _answer_all(first)
    assert first.response.status_code == 303
    assert len(stored(code)) == 1

    # the same browser comes back: told at once, on GET
    again = survey(code)
    page = again.open()
    assert page.status_code == 200
    assert "您已参与过本轮调查" in page.get_data(as_text=True)
    assert again.page.radios == {}  # no form shown


def test_replayed_post_from_same_device_is_refused(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(submit=False)
    last_page = s.page
    s.send("submit")
    assert s.response.status_code == 303
    # the same final POST sent once more (double tap, resend after a timeout)
    s.page = last_page
    s.send("submit")
    assert s.response.status_code == 409
    assert "您已参与过本轮调查" in s.response.get_data(as_text=True)
    assert len(stored(code)) == 1


def test_second_resident_on_same_address_and_browser_is_welcome(app, make_round, survey, stored):
    """Issue 14, item 5: the device cookie (and the invitation) is the identity; the
    address + browser fingerprint is a signal on the anomaly panel, never a refusal."""
    code = make_round("catering")
    first = survey(code)
    first.open()
    _answer_all(first)
    assert len(stored(code)) == 1

    # a neighbour on the same venue Wi-Fi with the same phone and browser: a new cookie
    fresh = app.test_client()
    fresh_survey = survey(code, fresh)
    page = fresh_survey.open()
    assert "您已参与过本轮调查" not in page.get_data(as_text=True)
    assert fresh.get_cookie(DEVICE_COOKIE, path="/s/") is not None  # it did get a new id
    _answer_all(fresh_survey)
    assert fresh_survey.response.status_code == 303
    rows = stored(code)
    assert len(rows) == 2
    # both stored with the same fingerprint hash: the shared-device signal
    assert rows[0].fingerprint_hash is not None
    assert rows[0].fingerprint_hash == rows[1].fingerprint_hash


def test_same_device_cookie_is_still_refused_after_a_neighbour_answered(
    app, make_round, survey, stored
):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(submit=False)  # a second tab, opened before the first one was sent
    first = survey(code)
    first.open()
    _answer_all(first)
    s.send("submit")  # the same cookie: the same resident
    assert s.response.status_code == 409
    assert len(stored(code)) == 1


def test_other_device_behind_another_address_may_answer(app, make_round, survey, stored):
    code = make_round("catering")
    for n, ip in enumerate(["198.51.100.1", "198.51.100.2"]):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = ip
        s = survey(code, browser)
        s.open()
        _answer_all(s)
        assert s.response.status_code == 303
        assert len(stored(code)) == n + 1


def test_fingerprint_signal_can_be_switched_off(app, make_round, survey, stored):
    app.config["FINGERPRINT_DEDUPE"] = False
    code = make_round("catering")
    for n in range(2):
        s = survey(code, app.test_client())  # same IP and browser, no shared cookie
        s.open()
        _answer_all(s)
        assert s.response.status_code == 303
        assert len(stored(code)) == n + 1
    assert all(row.fingerprint_hash is None for row in stored(code))


def test_device_cookie_is_signed_httponly_lax_and_long_lived(client, make_round):
    code = make_round("catering")
    response = client.get(f"/s/{code}")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Max-Age=34560000" in header  # DEVICE_COOKIE_DAYS = 400
    cookie = client.get_cookie(DEVICE_COOKIE, path="/s/")
    assert "." in cookie.value  # value.signature

    # a second visit keeps the same id: no new cookie
    again = client.get(f"/s/{code}")
    assert not [h for h in again.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE)]

    # a forged cookie is replaced by a fresh signed id
    client.set_cookie(DEVICE_COOKIE, "forged-device-id-0123456789", path="/s/")
    forged = client.get(f"/s/{code}")
    assert [h for h in forged.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE)]
    assert client.get_cookie(DEVICE_COOKIE, path="/s/").value != "forged-device-id-0123456789"
