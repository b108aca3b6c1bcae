"""Held for review, exclusions and signals (issue 12, item 2; issue 14, item 5).

A stuffing wave through the HTML survey (130 submissions from one address, each with a
fresh cookie) is stored but held beyond the per-source threshold; a bureau releases it
(counted) or rejects it (kept out) in one audited action on the anomaly panel.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from sqlalchemy import func, select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import AuditLog, Response, ReviewWave, Round
from surveyapp.models.base import utcnow
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.review import Origin, Threshold
from tests.auth.helpers import csrf_of
from tests.review.residents import scripted_resident

ADDRESS = "198.51.100.77"


def _resident(wired, code: str, rng: random.Random, ip: str = ADDRESS) -> int:
    """One resident with a fresh cookie (a new test client) answers every page at random."""
    return scripted_resident(wired, code, rng, ip=ip)


def _reviews(app, code: str) -> dict[str, int]:
    with app.app_context():
        rid = db.session.scalar(select(Round.id).where(Round.code == code))
        rows = db.session.execute(
            select(Response.review, func.count())
            .where(Response.round_id == rid)
            .group_by(Response.review)
        ).all()
    return dict(rows)


def _analysed(app, code: str) -> tuple[int, dict[str, int]]:
    """(responses the analysis received, its quality counts) through analyse_round."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        stored = analyse_round(db.session, round_, options_for(AnalysisSettings(), round_, "index"))
        counts = dict(stored.result.quality.counts) if stored.result is not None else {}
        return stored.matrix.n, counts


def _wave_form(page_html: str) -> tuple[str, str]:
    action = re.search(r'action="(/dashboard/anomalies/[^"]+/waves/\d+)"', page_html)
    assert action, "no release/reject form on the panel"
    return action.group(1), csrf_of(page_html)


def _stuff(app, make_app, make_round) -> tuple[object, str]:
    wired = make_app()  # the default threshold: 100 per 10 minutes per address
    code = make_round("catering")
    rng = random.Random(12)
    statuses = [_resident(wired, code, rng) for _ in range(130)]
    assert statuses == [303] * 130  # nothing refused, nothing dropped
    return wired, code


def test_130_submissions_from_one_address_are_held_then_released(
    app, make_app, make_round, as_role
):
    wired, code = _stuff(app, make_app, make_round)
    assert _reviews(app, code) == {"counted": 100, "held": 30}
    n, counts = _analysed(app, code)
    assert n == 100  # the held ones are not analysed
    assert counts["held"] == 30 and counts["rejected"] == 0
    assert counts["signal_shared_device"] == 100  # one address + browser: a signal only

    # the bureau of the round's sector sees the wave and releases it in one action
    bureau = as_role("bureau")
    panel = bureau.get(f"/dashboard/anomalies/{code}")
    assert panel.status_code == 200
    html = panel.get_data(as_text=True)
    assert "待复核" in html and ">30<" in html
    url, token = _wave_form(html)
    done = bureau.post(url, data={"csrf_token": token, "action": "release"})
    assert done.status_code == 303
    assert _reviews(app, code) == {"counted": 130}
    assert _analysed(app, code)[0] == 130
    with app.app_context():
        wave = db.session.scalars(select(ReviewWave)).one()
        assert wave.state == "released" and wave.decided_by_id is not None
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "review.release"))
        [row] = list(audit)
        assert row.details["responses"] == 30
    # a decided wave cannot be decided again
    again = bureau.post(url, data={"csrf_token": token, "action": "reject"})
    assert again.status_code == 303
    assert _reviews(app, code) == {"counted": 130}


def test_rejected_wave_stays_out_and_is_counted_as_rejected(app, make_app, make_round, as_role):
    wired, code = _stuff(app, make_app, make_round)
    admin = as_role("admin")
    url, token = _wave_form(admin.get(f"/dashboard/anomalies/{code}").get_data(as_text=True))
    assert admin.post(url, data={"csrf_token": token, "action": "reject"}).status_code == 303
    assert _reviews(app, code) == {"counted": 100, "rejected": 30}
    n, counts = _analysed(app, code)
    assert n == 100 and counts["rejected"] == 30 and counts["held"] == 0


def test_wave_decisions_need_csrf_and_the_rounds_sector(app, make_app, make_round, as_role):
    wired = make_app(RATELIMIT_BURST="2/10minutes")
    code = make_round("catering")
    rng = random.Random(3)
    assert [_resident(wired, code, rng) for _ in range(4)] == [303] * 4
    assert _reviews(app, code) == {"counted": 2, "held": 2}
    html = as_role("bureau").get(f"/dashboard/anomalies/{code}").get_data(as_text=True)
    url, token = _wave_form(html)
    # another sector's bureau may not even see the panel, nor decide
    other = as_role("other")
    assert other.get(f"/dashboard/anomalies/{code}").status_code == 403
    assert other.post(url, data={"csrf_token": token, "action": "release"}).status_code in (
        400,
        403,
    )
    # a viewer has no panel; an evaluator reads it without the buttons
    assert as_role("viewer").get(f"/dashboard/anomalies/{code}").status_code == 403
    evaluator = as_role("evaluator").get(f"/dashboard/anomalies/{code}")
    assert evaluator.status_code == 200 and "/waves/" not in evaluator.get_data(as_text=True)
    # without the CSRF token nothing changes
    bureau = as_role("bureau")
    bureau.get(f"/dashboard/anomalies/{code}")
    assert bureau.post(url, data={"action": "release"}).status_code in (303, 400)
    assert _reviews(app, code) == {"counted": 2, "held": 2}
    # the panel is reachable from the signed-in navigation, the round from its list
    listing = bureau.get("/dashboard/anomalies").get_data(as_text=True)
    assert 'href="/dashboard/anomalies"' in listing
    assert f'href="/dashboard/anomalies/{code}"' in listing
    assert f'href="/dashboard/anomalies/{code}"' not in other.get("/dashboard/anomalies").get_data(
        as_text=True
    )


def test_second_resident_behind_one_address_is_not_refused(app, make_app, make_round):
    wired = make_app()
    code = make_round("catering")
    rng = random.Random(5)
    assert _resident(wired, code, rng) == 303
    # a new cookie, the same address and browser: welcome (not "already answered")
    browser = wired.test_client()
    browser.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="stuffing-script/1.0")
    assert "您已参与过本轮调查" not in browser.get(f"/s/{code}").get_data(as_text=True)
    assert _resident(wired, code, rng) == 303
    assert _reviews(app, code) == {"counted": 2}


def _submit(app, code: str, *, started_minutes_ago: float | None, trusted: bool, **origin):
    """Store one response through the service with a start stamp ``started_minutes_ago``."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        q = questionnaire_of(round_.questionnaire_version)
        now = utcnow()
        payload = {
            "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
            "answers": {aid: random.randint(1, 5) for aid in q.answer_ids},
            "channel": "miniprogram",
        }
        if started_minutes_ago is not None:
            payload["started_at"] = (now - timedelta(minutes=started_minutes_ago)).isoformat()
        clean = validate_submission(q, payload)
        client = Client(device_id=f"dev-{random.random()}", stamp_trusted=trusted)
        return submit_response(
            db.session, round_, clean, client, now, origin=Origin(**origin) if origin else None
        )


def test_speeders_only_by_a_trustworthy_stamp(app, make_round):
    """A speeder by the server-signed stamp is excluded; an API post whose client stamp
    no key vouches for is never called a speeder, however fast it claims to be."""
    random.seed(7)
    code = make_round("catering")
    for _ in range(40):
        _submit(app, code, started_minutes_ago=10, trusted=True)  # ten minutes: usual
    _submit(app, code, started_minutes_ago=0.2, trusted=True)  # a signed 12-second survey
    n, counts = _analysed(app, code)
    assert counts["speeders"] == 1
    untrusted = [_submit(app, code, started_minutes_ago=0.2, trusted=False) for _ in range(3)]
    n, counts = _analysed(app, code)
    assert n == 44 and counts["speeders"] == 1  # the unsigned ones are not speeders
    with app.app_context():
        rows = db.session.scalars(select(Response).where(Response.uid.in_(untrusted)))
        assert all(not r.stamp_trusted and r.duration_seconds is not None for r in rows)
    # no stamp at all: a signal, never an exclusion
    _submit(app, code, started_minutes_ago=None, trusted=False)
    n, counts = _analysed(app, code)
    assert n == 45 and counts["speeders"] == 1 and counts["signal_stamp_missing"] == 1


def test_hold_threshold_counts_stored_responses_per_source(app, make_round):
    random.seed(9)
    code = make_round("catering")
    limit = Threshold(count=3, seconds=600)
    for _ in range(5):
        _submit(app, code, started_minutes_ago=5, trusted=True, source="key:1", threshold=limit)
    _submit(app, code, started_minutes_ago=5, trusted=True, source="key:2", threshold=limit)
    assert _reviews(app, code) == {"counted": 4, "held": 2}
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewWave.id))) == 1
