"""Publishing while a round of the period is still open needs a confirmation and makes
an edition marked 中期 / interim (issue 14, item 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.bulletins import (
    Bulletin,
    InterimNotConfirmed,
    open_rounds,
    publish_bulletin,
    rederive_bulletin,
)
from surveyapp.extensions import db
from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login
csrf_of = helpers.csrf_of


def _editions(app) -> list[tuple[int, str, bool, list[str]]]:
    with app.app_context():
        rows = db.session.scalars(select(Bulletin).order_by(Bulletin.edition))
        return [
            (b.edition, b.period, bool(b.inputs.get("interim")), b.inputs.get("open_rounds", []))
            for b in rows
        ]


def test_service_refuses_an_open_period_unless_confirmed_then_marks_it(app, demo, pdf_text):
    period = demo["current"]
    with app.app_context():
        still = [r.code for r in open_rounds(db.session, period)]
        assert still, "the demo's current quarter is open"
        with pytest.raises(InterimNotConfirmed, match="still open") as info:
            publish_bulletin(db.session, period, sectors=["catering"])
        assert info.value.rounds == tuple(still)
        db.session.rollback()
        assert db.session.scalars(select(Bulletin)).first() is None
        b = publish_bulletin(db.session, period, sectors=["catering"], interim=True)
        db.session.commit()
        assert b.inputs["interim"] is True and b.inputs["open_rounds"] == still
        pages = pdf_text(b.pdf)
        assert "第 1 期 · 中期" in pages[0] and "中期公报" in pages[0]
        assert all("中期 · 第 1 期" in p for p in pages[1:])
        # re-rendered from its stored inputs, it is the same interim edition
        assert rederive_bulletin(db.session, b) == b.pdf


def test_a_closed_period_is_never_interim(app, demo, pdf_text):
    with app.app_context():
        assert open_rounds(db.session, demo["previous"]) == []
        b = publish_bulletin(db.session, demo["previous"], sectors=["catering"], interim=True)
        db.session.commit()
        assert b.inputs["interim"] is False and "open_rounds" not in b.inputs
        assert not any("中期" in p for p in pdf_text(b.pdf))


@pytest.fixture
def evaluator(app, client, make_user, login):
    make_user("eva", "evaluator")
    assert login(client, "eva").status_code == 302
    return client


def _post(client, action: str, **fields):
    page = client.get("/bulletins/manage")
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "lang": "zh", "replaces": ""}
    data.update(fields)
    return client.post(f"/bulletins/manage/{action}", data=data)


def test_manage_page_asks_for_confirmation_then_publishes_interim(app, evaluator, demo, client):
    period = demo["current"]
    page = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert 'name="interim"' in page and "确认发布中期公报" in page
    refused = _post(evaluator, "publish", period=period, sectors="catering")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert f"监测期 {period} 的调查轮次" in text and "仍在进行" in text
    assert _editions(app) == []
    preview = _post(evaluator, "preview", period=period, sectors="catering")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    done = _post(evaluator, "publish", period=period, sectors="catering", interim="y")
    assert done.status_code == 302
    [(edition, got_period, interim, still)] = _editions(app)
    assert (edition, got_period, interim) == (1, period, True) and still
    # the public list marks it, in Chinese and in English
    listing = client.get("/bulletins").get_data(as_text=True)
    row = listing[listing.index('id="edition-1"') :]
    row = row[: row.index("</tr>")]
    assert ">中期</strong>" in row and "中期公报：发布时本期仍有调查轮次在进行" in row
    manage = evaluator.get("/bulletins/manage").get_data(as_text=True)
    assert "<strong>中期</strong>" in manage
    english = client.get("/bulletins?lang=en").get_data(as_text=True)
    assert ">Interim</strong>" in english


def test_manage_publishes_a_closed_period_without_the_box(app, evaluator, demo, client):
    done = _post(evaluator, "publish", period=demo["previous"], sectors="catering")
    assert done.status_code == 302
    assert _editions(app)[0][2] is False
    assert "中期" not in client.get("/bulletins").get_data(as_text=True).split("<table", 1)[1]


def test_cli_needs_interim_for_an_open_period(cli, app, demo):
    period = demo["current"]
    refused = cli("bulletin", "publish", "--period", period, "--lang", "zh")
    assert refused.exit_code == 2
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "still open" in lines[0] and "--interim" in lines[0]
    assert _editions(app) == []
    done = cli("bulletin", "publish", "--period", period, "--interim")
    assert done.exit_code == 0, done.output
    assert "interim" in done.output
    assert _editions(app)[0][2] is True
    due = cli("bulletin", "publish", "--due")
    assert period not in due.output  # --due still publishes closed periods only


def test_cli_interim_does_not_go_with_due(cli, demo):
    result = cli("bulletin", "publish", "--due", "--interim")
    assert result.exit_code == 2 and "--interim goes with --period" in result.output
