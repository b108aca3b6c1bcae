"""A round's dates are China days, the closing day inclusive, stored as UTC — the same in
the service, the command line and the API; answers at the day boundaries (00:00 and
23:59:59 China time of the first and the last day) (issue 14, item 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.i18n import CHINA_TZ
from surveyapp.models import QuestionnaireVersion, Response, Round
from surveyapp.responses.submit import Client, SubmissionRefused, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.rounds.dates import (
    DateError,
    closes_after,
    day_start,
    last_day,
    parse_instant,
    period_days,
)
from surveyapp.rounds.service import create_round, current_quarter, get_round, quarter_bounds
from tests.api.test_submit import _payload


def china(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


def test_a_day_is_a_china_day_and_the_closing_day_is_included():
    assert day_start(date(2026, 10, 1)) == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert closes_after(date(2026, 12, 31)) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert last_day(closes_after(date(2026, 12, 31))) == date(2026, 12, 31)
    assert parse_instant("2026-12-31", closing=True) == china(2027, 1, 1)
    assert parse_instant("2026/10/1", closing=False) == china(2026, 10, 1)
    # a time of day is that instant; without an offset it is China time
    assert parse_instant("2026-12-31T18:00", closing=True) == china(2026, 12, 31, 18)
    assert parse_instant("2026-12-31T18:00+00:00", closing=True) == datetime(
        2026, 12, 31, 18, tzinfo=UTC
    )
    assert parse_instant("", closing=True) is None
    for bad in ("2026-13-01", "31.12.2026x", "soon"):
        with pytest.raises(DateError):
            parse_instant(bad, closing=False)


def test_periods_and_quarters_are_china_days():
    assert period_days("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_days("2026M02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days("2026H2") == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_days("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_days("Q4") is None
    assert quarter_bounds("2027Q1") == (china(2027, 1, 1), china(2027, 4, 1))
    # 00:30 on 1 January in Beijing is still 31 December in UTC: already the new quarter
    assert current_quarter(china(2027, 1, 1, 0, 30)) == "2027Q1"


@pytest.fixture
def q4_round(app, publish):
    """A catering round created with the service's defaults for 2026Q4."""
    version_id = publish("catering")
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        r = create_round(db.session, version, "2026Q4", code="cat-q4", now=china(2026, 9, 1))
        db.session.commit()
        return r.code


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (china(2026, 9, 30, 23, 59, 59), "not_open"),
        (china(2026, 10, 1, 0, 0, 0), "open"),  # 00:00 of the first day
        (china(2026, 10, 1, 0, 0, 1), "open"),
        (china(2026, 12, 31, 0, 0, 0), "open"),  # 00:00 of the last day
        (china(2026, 12, 31, 23, 59, 59), "open"),  # 23:59:59 of the last day
        (china(2027, 1, 1, 0, 0, 0), "closed"),
    ],
)
def test_default_dates_are_the_quarter_in_china_time(app, q4_round, moment, state):
    with app.app_context():
        r = get_round(db.session, q4_round)
        assert r.state(moment) == state


def test_answers_at_the_day_boundaries(app, q4_round):
    """00:00 of the first day and 23:59:59 of the last day are accepted, the instant
    before and after refused: residents are not shut out from 00:00 to 08:00."""
    body = _payload(app, q4_round)
    with app.app_context():
        r = get_round(db.session, q4_round)
        clean = validate_submission(questionnaire_of(r.questionnaire_version), body)
        outcomes = []
        for i, moment in enumerate(
            [
                china(2026, 9, 30, 23, 59, 59),
                china(2026, 10, 1, 0, 0, 0),
                china(2026, 10, 1, 7, 59, 59),
                china(2026, 12, 31, 23, 59, 59),
                china(2027, 1, 1, 0, 0, 0),
            ]
        ):
            try:
                submit_response(db.session, r, clean, Client(device_id=f"dev-{i}"), moment)
                outcomes.append("stored")
            except SubmissionRefused as exc:
                db.session.rollback()
                outcomes.append(exc.code)
        assert outcomes == ["round_not_open", "stored", "stored", "stored", "round_closed"]
        assert db.session.query(Response).count() == 3


def test_the_cli_reads_china_days_and_includes_the_closing_day(app, cli):
    cli("questionnaires", "load")
    made = cli(
        "rounds", "create", "--questionnaire", "catering", "--period", "2026Q4",
        "--code", "cat-cli-dates", "--opens", "2026-10-01", "--closes", "2026-12-31",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "2026-10-01 – 2026-12-31 (China time, last day included)" in made.output
    with app.app_context():
        r = db.session.scalar(select(Round).where(Round.code == "cat-cli-dates"))
        assert r.opens_at == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 00:00 Oct 1, Beijing
        assert r.closes_at == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # after 23:59:59 Dec 31
        assert r.state(china(2026, 12, 31, 23, 59, 59)) == "open"
        assert r.state(china(2026, 10, 1, 0, 0, 0)) == "open"
    bad = cli(
        "rounds", "create", "--questionnaire", "catering", "--period", "2026Q4",
        "--code", "cat-bad", "--closes", "2026-12-32",
    )  # fmt: skip
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "error: --closes: '2026-12-32' is not a date of the calendar"
    ]


def test_the_api_shows_the_round_in_china_time(app, client, q4_round):
    body = client.get(f"/api/v1/rounds/{q4_round}").get_json()
    assert body["opens_on"] == "2026-10-01" and body["closes_on"] == "2026-12-31"
    assert body["opens_at"] == "2026-10-01T00:00:00+08:00"
    assert body["closes_at"] == "2027-01-01T00:00:00+08:00"  # the first instant it is shut
    assert body["time_zone"] == "Asia/Shanghai"
    assert body["parallel"] is False and body["archived"] is False


def test_admin_pages_show_the_days_a_person_typed(app, q4_round, make_user):
    from tests.auth import helpers

    client = app.test_client()
    helpers.sign_in_as(app, client, make_user("root", "admin"))
    page = client.get(f"/admin/rounds/{q4_round}").get_data(as_text=True)
    assert "2026年10月1日 0:00 至 2026年12月31日 23:59（北京时间）" in page
    assert "2027年1月1日" not in page


def test_residents_read_the_last_minute_of_the_closing_day(app, client, publish):
    """The home page (and the poster) say "截止时间：… 23:59" of the closing day, not
    00:00 of the day after."""
    version_id = publish("catering")
    now = datetime.now(UTC)
    last = now.astimezone(CHINA_TZ).date().replace(day=1)
    last = date(last.year + (last.month == 12), last.month % 12 + 1, 1)  # next month's 1st
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        r = create_round(
            db.session,
            version,
            current_quarter(now),
            code="cat-home",
            opens_at=day_start(now.astimezone(CHINA_TZ).date()),
            closes_at=closes_after(last),
        )
        db.session.commit()
        assert r.open_until.astimezone(CHINA_TZ).strftime("%H:%M:%S") == "23:59:59"
    page = client.get("/").get_data(as_text=True)
    assert f"{last.year}年{last.month}月{last.day}日 23:59" in page
