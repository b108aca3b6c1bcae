"""Input that once reached a parser's limits: a 4xx JSON naming the problem, never a 500.

``started_at`` at the ends of the calendar overflowed when converted to UTC (year 0001
at +08:00 is year 0 in UTC), and a body nested deeper than Python's recursion limit
must not reach the recursive parts of the application.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.responses.validate import InvalidSubmission, validate_submission
from surveyapp.rounds.service import get_round
from tests.api.test_submit import _count, _payload

OUT_OF_RANGE = [
    "0001-01-01T00:00:00+08:00",  # year 0 in UTC: OverflowError
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC: OverflowError
    "1899-12-31T23:59:59Z",
]


@pytest.mark.parametrize("started_at", OUT_OF_RANGE)
def test_started_at_out_of_range_is_a_400_naming_the_field(
    app, client, make_round, keyed, started_at
):
    code = make_round("catering")
    reply = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, started_at=started_at),
        headers={**keyed, "Accept-Language": "en"},
    )
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    data = reply.get_json()
    assert data["error"] == "invalid"
    assert list(data["fields"]) == ["started_at"] and data["fields"]["started_at"]
    assert _count(app) == 0


@pytest.mark.parametrize(
    "started_at", ["1970-01-01T00:00:05Z", "2026-09-01T10:02:11+08:00", "2100-01-01T00:00:00Z"]
)
def test_started_at_from_a_wrong_clock_is_still_accepted(
    app, client, make_round, keyed, started_at
):
    """A kiosk whose clock reset to 1970 still stores its residents' answers."""
    code = make_round("catering")
    reply = client.post(
        f"/api/v1/rounds/{code}/responses",
        json=_payload(app, code, started_at=started_at),
        headers=keyed,
    )
    assert reply.status_code == 201, reply.get_json()
    assert _count(app) == 1


def test_validate_submission_refuses_out_of_range_started_at(app, make_round):
    code = make_round("catering")
    with app.app_context():
        q = questionnaire_of(get_round(db.session, code).questionnaire_version)
    for started_at in [*OUT_OF_RANGE, datetime(1, 1, 1, tzinfo=UTC)]:
        with pytest.raises(InvalidSubmission) as info:
            validate_submission(q, _payload(app, code, started_at=started_at))
        assert list(info.value.fields) == ["started_at"], started_at


@pytest.mark.parametrize("depth", [100, 1_000, 50_000])
@pytest.mark.parametrize("where", ["top", "answer", "open"])
def test_deeply_nested_bodies_are_a_400(app, client, make_round, keyed, depth, where):
    code = make_round("catering")
    nested = "[" * depth + "]" * depth
    if where == "top":
        text = nested
    elif where == "answer":
        text = '{"answers": {"overall": ' + nested + "}}"
    else:
        text = '{"open": {"suggestions": ' + nested + '}, "respondent": ' + nested + "}"
    reply = client.post(
        f"/api/v1/rounds/{code}/responses",
        data=text,
        content_type="application/json",
        headers=keyed,
    )
    assert reply.status_code == 400, reply.get_data(as_text=True)[:300]
    assert reply.get_json()["error"] in ("bad_json", "invalid")
    assert reply.get_json()["message"]
    assert _count(app) == 0
