"""Publishing: editions are permanent, corrections name what they replace, downloads verify."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from surveyapp.bulletins import (
    Bulletin,
    BulletinError,
    ImmutableBulletinError,
    publish_bulletin,
    rederive_bulletin,
)
from surveyapp.extensions import db


def test_publish_twice_gives_two_editions_and_never_overwrites(app, client, demo, pdf_text):
    period = demo["previous"]
    when = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)
    with app.app_context():
        first = publish_bulletin(db.session, period, now=when)
        db.session.commit()
        first_id, first_sha, first_pdf = first.id, first.sha256, first.pdf
        assert first.edition == 1 and first.replaces_id is None
        assert hashlib.sha256(first_pdf).hexdigest() == first_sha
        assert first.inputs["current_round_ids"] and first.inputs["issued"] == "2026-10-08"
        assert {r["questionnaire_version"] for r in first.inputs["rounds"]} == {1}

        with pytest.raises(BulletinError, match="--replaces 1"):
            publish_bulletin(db.session, period)

        second = publish_bulletin(db.session, period, replaces=1)
        db.session.commit()
        assert second.edition == 2 and second.replaces_id == first_id
        second_id = second.id

        with pytest.raises(BulletinError, match="already replaced by edition 2"):
            publish_bulletin(db.session, period, replaces=1)

        first.pdf = b"tampered"
        with pytest.raises(ImmutableBulletinError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(Bulletin, first_id))
        with pytest.raises(ImmutableBulletinError):
            db.session.flush()
        db.session.rollback()
        db.session.expunge_all()
        stored = db.session.scalars(select(Bulletin).order_by(Bulletin.edition)).all()
        assert [b.edition for b in stored] == [1, 2]
        assert stored[0].pdf == first_pdf and stored[0].sha256 == first_sha

        # the stored inputs give the same file again
        assert rederive_bulletin(db.session, stored[0]) == first_pdf
        second_pdf, second_sha = stored[1].pdf, stored[1].sha256

    correction = pdf_text(second_pdf)[0]
    assert "第 2 期" in correction and "本期为更正版，替代第 1 期" in correction
    assert "草稿" not in " ".join(pdf_text(first_pdf))

    page = client.get("/bulletins")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert first_sha in html and "更正并替代第 1 期" in html and "已由第 2 期更正" in html
    for bid, sha in ((first_id, first_sha), (second_id, second_sha)):
        resp = client.get(f"/bulletins/{bid}.pdf")
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        assert hashlib.sha256(resp.data).hexdigest() == sha
        assert resp.headers["Repr-Digest"] == (
            "sha-256=:" + base64.b64encode(hashlib.sha256(resp.data).digest()).decode() + ":"
        )
    assert client.get("/bulletins/999.pdf").status_code == 404


def test_public_list_without_bulletins(client):
    resp = client.get("/bulletins")
    assert resp.status_code == 200
    assert "尚未发布公报" in resp.get_data(as_text=True)


def test_publish_due_takes_closed_periods_once(cli, app, demo):
    result = cli("bulletin", "publish", "--due")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{demo['previous']}: published edition 1")
    assert demo["current"] not in result.output  # still open
    again = cli("bulletin", "publish", "--due")
    assert again.exit_code == 0 and again.output.strip() == "no period is due"
    listed = cli("bulletin", "list")
    assert listed.output.startswith(f"No.1\t{demo['previous']}\tzh")
