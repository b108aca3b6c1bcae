"""``POST /api/v1/providers/<provider>/ratings`` with a channel key."""

from __future__ import annotations

URL = "/api/v1/providers/{}/ratings"


def test_a_keyed_rating_is_stored_and_a_second_of_its_device_replaces_it(
    make_provider, client, keyed, ratings
):
    code = make_provider()
    body = {"stars": {"overall": 4, "hygiene": 5}, "comment": "干净", "device_id": "kiosk-7-user"}
    first = client.post(URL.format(code), json=body, headers=keyed)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    assert answer["provider"] == code and answer["sector"] == "catering"
    assert answer["form"] == {"id": "rating-catering", "version": 1}
    assert answer["replaced"] is False
    again = client.post(URL.format(code), json=body | {"stars": {"overall": 2}}, headers=keyed)
    assert again.status_code == 201 and again.get_json()["replaced"] is True
    assert again.get_json()["id"] == answer["id"]
    (row,) = ratings()
    assert (row.overall, row.channel, row.channel_key_id is not None) == (2, "miniprogram", True)
    # without a device id a rating is never matched to another
    for _ in range(2):
        client.post(URL.format(code), json={"stars": {"overall": 5}}, headers=keyed)
    assert [r.overall for r in ratings()] == [2, 5, 5]


def test_invalid_ratings_are_refused_with_every_field_and_nothing_stored(
    make_provider, client, keyed, ratings
):
    code = make_provider()
    sent = client.post(
        URL.format(code),
        json={"stars": {"hygiene": 7, "smell": 3}, "comment": 5, "extra": 1},
        headers=keyed | {"Accept-Language": "en"},
    )
    assert sent.status_code == 400
    body = sent.get_json()
    assert body["error"] == "invalid" and body["message"]
    assert set(body["fields"]) == {
        "stars.hygiene",
        "stars.smell",
        "stars.overall",
        "comment",
        "extra",
    }
    assert client.post(URL.format(code), json=[1], headers=keyed).status_code == 400
    assert client.post(URL.format(code), data="x", headers=keyed).status_code == 415
    wrong_sector = client.post(
        URL.format(code), json={"stars": {"overall": 5}, "sector": "lodging"}, headers=keyed
    )
    assert wrong_sector.status_code == 400 and "sector" in wrong_sector.get_json()["fields"]
    assert ratings() == []


def test_refusals_are_json_with_a_message(
    make_provider, make_practitioner, client, keyed, channel_key, make_round
):
    assert client.post(URL.format("NOSUCH"), json={}, headers=keyed).get_json()["error"] == (
        "rate_not_found"
    )
    code = make_provider(sectors=["domestic"])
    stranger = client.post(URL.format(code), json={"stars": {"overall": 5}, "practitioner": 999},
                           headers=keyed)  # fmt: skip
    assert stranger.status_code == 404 and stranger.get_json()["error"] == "rate_no_practitioner"
    worker = make_practitioner(code)
    ok = client.post(URL.format(code), json={"stars": {"overall": 5}, "practitioner": worker},
                     headers=keyed)  # fmt: skip
    assert ok.status_code == 201
    unkeyed = client.post(URL.format(code), json={"stars": {"overall": 5}})
    assert unkeyed.status_code == 401 and unkeyed.get_json()["error"]
    make_round("catering", code="cat-q3")
    round_key = {"Authorization": f"Bearer {channel_key(rounds=['cat-q3'])}"}
    limited = client.post(URL.format(code), json={"stars": {"overall": 5}}, headers=round_key)
    assert limited.status_code == 403 and limited.get_json()["error"] == "rate_key_forbidden"
    closed = make_provider(credit_code="9144030071526726XG", status="closed")
    gone = client.post(URL.format(closed), json={"stars": {"overall": 5}}, headers=keyed)
    assert gone.status_code == 410 and gone.get_json()["message"]
