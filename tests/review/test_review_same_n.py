"""Held responses are left out the same way by the dashboard, the read API and a
published bulletin, and the bulletin's data-quality table counts them (issue 12, item 2:
the bulletin printed "人工标记 0" while 84 responses had been flagged)."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp.api.tokens import create_token
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import Bulletin, Response, Round, User
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.review import Origin, Threshold

HELD = 20


def _hold(app, code: str) -> None:
    """A wave of ``HELD`` keyed posts beyond the threshold, stored while the round was open."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        q = questionnaire_of(round_.questionnaire_version)
        when = round_.opens_at + timedelta(hours=2)
        status, round_.status = round_.status, "open"  # as it was while the wave came in
        db.session.commit()
        for n in range(HELD):
            payload = {
                "respondent": {"district": "思茅区", "age_group": "30-44", "gender": "女"},
                "answers": {aid: 1 + (n % 2) for aid in q.answer_ids},
                "started_at": (when - timedelta(minutes=9)).isoformat(),
                "channel": "miniprogram",
            }
            clean = validate_submission(q, payload)
            origin = Origin(source="key:99", threshold=Threshold(0, 600), label="key 99")
            submit_response(
                db.session, round_, clean, Client(device_id=f"held-{n:04d}"), when, origin=origin
            )
        round_.status = status
        db.session.commit()


def test_dashboard_api_and_bulletin_leave_held_responses_out_alike(
    app, client, as_role, cli, make_user
):
    from surveyapp.demo import seed_demo

    with app.app_context():
        seed_demo(db.session, per_round=80, seed=3)
        period = sorted({r.period for r in db.session.scalars(select(Round))})[0]
    code = f"catering-{period.lower()}"
    _hold(app, code)

    published = cli("bulletin", "publish", "--period", period)
    assert published.exit_code == 0, published.output
    with app.app_context():
        ident = db.session.scalars(select(Bulletin)).one().id
    pdf = client.get(f"/bulletins/{ident}.pdf").data
    text = " ".join(
        re.sub(r"\s+", " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages
    )
    n_pdf = int(re.search(r"餐饮服务 (\d+) [\d.]+ \[", text).group(1))  # the overview row
    assert re.search(rf"待复核（同一来源超过阈值，暂不计入） {HELD}\b", text), "no held row"

    with app.app_context():
        user = db.session.get(User, make_user("reader", "evaluator"))
        _, token = create_token(db.session, user, "same-n", actor="cli")
        db.session.commit()
    body = client.get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body["n"] == n_pdf
    with app.app_context():
        rid = db.session.scalar(select(Round.id).where(Round.code == code))
        counted = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.round_id == rid, Response.review == "counted"
            )
        )
    assert body["n_received"] == counted  # the held wave is not received for analysis

    page = as_role("evaluator").get(f"/dashboard?period={period}&sector=catering")
    assert page.status_code == 200
    shown = html.unescape(page.get_data(as_text=True))
    assert re.search(rf"有效样本 {n_pdf} / 收到 {counted}\b", shown)
    # the card's data-quality table names the held wave too
    held_row = re.search(r"待复核（暂不计入）</th><td class=\"num\">(\d+)<", shown)
    assert held_row and int(held_row.group(1)) == HELD


def test_exports_hold_the_responses_that_count_and_a_released_wave_joins_them(
    app, client, cli, make_user, tmp_path
):
    """CSV, XLSX and the API's pages carry the rows the analysis uses: a held wave is
    left out until it is released (a rejected one for good), so re-analysing an export
    gives the published figures."""
    import csv

    import pandas as pd

    from surveyapp.demo import seed_demo
    from surveyapp.models import ReviewWave
    from surveyapp.review import decide_wave

    with app.app_context():
        seed_demo(db.session, per_round=30, seed=4)
        period = sorted({r.period for r in db.session.scalars(select(Round))})[0]
        user = db.session.get(User, make_user("exporter", "admin"))
        _, token = create_token(db.session, user, "export", actor="cli")
        db.session.commit()
        admin_id = user.id
    code = f"catering-{period.lower()}"
    _hold(app, code)

    def exported() -> tuple[int, int, int]:
        out = tmp_path / "r.csv"
        assert cli("responses", "export", "--round", code, "--out", str(out)).exit_code == 0
        with out.open(encoding="utf-8-sig", newline="") as handle:
            n_csv = sum(1 for _ in csv.reader(handle)) - 1
        xlsx = tmp_path / "r.xlsx"
        done = cli("responses", "export", "--round", code, "--format", "xlsx", "--out", str(xlsx))
        assert done.exit_code == 0, done.output
        n_xlsx = len(pd.read_excel(xlsx, sheet_name="responses"))
        page = client.get(
            f"/api/v1/rounds/{code}/responses?limit=1000",
            headers={"Authorization": f"Bearer {token}"},
        ).get_json()
        return n_csv, n_xlsx, len(page["rows"])

    assert exported() == (30, 30, 30)  # the 20 held responses are stored but not exported
    with app.app_context():
        wave = db.session.scalars(select(ReviewWave)).one()
        rid = db.session.scalar(select(Round.id).where(Round.code == code))
        decide_wave(
            db.session, wave.id, "release", db.session.get(User, admin_id), "catering", round_id=rid
        )
        db.session.commit()
    assert exported() == (30 + HELD,) * 3
