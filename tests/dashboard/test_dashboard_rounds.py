"""Which rounds the dashboard, the indices table and the bulletin show: a second round
of a sector and period never hides the real one, a round prepared for next quarter
never empties the page (it is listed apart), a parallel sample is shown beside the
round that counts, an archived round is gone (issue 14, item 1)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from surveyapp.bulletins.service import prepare_bulletin, publish_bulletin, rederive_bulletin
from surveyapp.extensions import db
from surveyapp.indices import counted_rounds, rounds_beside
from surveyapp.models import QuestionnaireVersion, Round
from surveyapp.models.base import utcnow
from surveyapp.rounds.dates import period_days
from surveyapp.rounds.service import archive_round, close_round, create_round, get_round


def _new_round(app, code, period, **kwargs) -> None:
    with app.app_context():
        version = db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.qid == "catering")
        ).first()
        create_round(db.session, version, period, code=code, actor="cli", **kwargs)
        db.session.commit()


def _card_round(html: str, qid: str = "catering") -> str | None:
    """The round code of the sector's detail section on the page."""
    start = html.find(f'id="sector-{qid}"')
    if start < 0:
        return None
    return html[start:].split("轮次 ", 1)[1].split("<", 1)[0].strip()


def _next(period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year + 1}Q1" if quarter == 4 else f"{year}Q{quarter + 1}"


def test_an_empty_duplicate_never_hides_the_round_with_responses(app, as_role, demo):
    period = demo["current"]
    real = f"catering-{period.lower()}"
    # the duplicate, same dates (a tie the old rule broke for the newer round);
    # while the real round is open it can only be made as a parallel sample
    _new_round(app, f"catering-dup-{period.lower()}", period, parallel=True)
    client = as_role("evaluator")
    html = client.get(f"/dashboard?period={period}").get_data(as_text=True)
    assert _card_round(html) == real
    assert html.count('id="card-catering') == 1  # the empty duplicate has no card
    csv = client.get(f"/dashboard/indices.csv?period={period}").get_data(as_text=True)
    assert real in csv and "dup" not in csv
    # the bulletin preview lists the sector once, with the real round
    with app.app_context():
        draft = prepare_bulletin(db.session, period)
        assert draft.inputs["sectors"].count("catering") == 1
        real_id = get_round(db.session, real).id
        assert real_id in draft.inputs["current_round_ids"]


def test_closing_the_original_and_rerunning_keeps_the_data_in_view(app, as_role, demo):
    """A round of a closed period re-created by mistake (allowed: nothing is open) and
    closed again: the round with responses still counts."""
    period = demo["previous"]
    dup = f"catering-dup-{period.lower()}"
    _new_round(app, dup, period)
    with app.app_context():
        close_round(db.session, get_round(db.session, dup))
        db.session.commit()
    html = as_role("evaluator").get(f"/dashboard?period={period}").get_data(as_text=True)
    assert _card_round(html) == f"catering-{period.lower()}"


def test_next_quarters_round_does_not_empty_the_dashboard(app, as_role, demo):
    current, upcoming = demo["current"], _next(demo["current"])
    _new_round(app, f"catering-{upcoming.lower()}", upcoming)
    client = as_role("evaluator")
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'<option value="{current}" selected>' in html  # the latest period with data
    assert f'<option value="{upcoming}">' in html  # still there to choose
    # listed apart, with its China days, the last one included
    section = html[html.index('id="scheduled"') :]
    assert "已安排、尚未开始的轮次" in section and f"catering-{upcoming.lower()}" in section
    first, last = period_days(upcoming)
    days = f"{first.year}年{first.month}月{first.day}日 – {last.year}年{last.month}月{last.day}日"
    assert days in section


def test_a_parallel_sample_with_responses_is_shown_beside(app, as_role, demo, add_response):
    period = demo["current"]
    real, phone = f"catering-{period.lower()}", f"catering-phone-{period.lower()}"
    _new_round(app, phone, period, parallel=True, opens_at=utcnow() - timedelta(days=1))
    for _ in range(5):
        add_response(phone, lambda i: 3)
    with app.app_context():
        rounds = list(db.session.scalars(select(Round).where(Round.period == period)))
        assert counted_rounds(db.session, rounds)["catering"].code == real
        assert [r.code for r in rounds_beside(db.session, rounds)["catering"]] == [phone]
    client = as_role("evaluator")
    html = client.get(f"/dashboard?period={period}").get_data(as_text=True)
    assert _card_round(html) == real
    assert f'id="card-catering--{phone}"' in html and f'id="sector-catering--{phone}"' in html
    assert f"同期另一轮次 {phone}" in html and "平行样本" in html
    csv = client.get(f"/dashboard/indices.csv?period={period}").get_data(as_text=True)
    assert real in csv and phone in csv
    with app.app_context():
        # the bulletin too: the main round's section, and the parallel sample's own
        # section right after it (issue 14 item 1: side by side, never one hiding the other)
        draft = prepare_bulletin(db.session, period)
        real_id, phone_id = get_round(db.session, real).id, get_round(db.session, phone).id
        assert draft.inputs["sectors"].count("catering") == 1
        assert {real_id, phone_id} <= set(draft.inputs["current_round_ids"])
        assert draft.inputs["parallel_round_ids"] == [phone_id]
        titles = [s.title for s in draft.content.sectors]
        main_at = titles.index("餐饮服务")
        assert titles[main_at + 1] == f"餐饮服务（平行样本 {phone}）"
        beside = draft.content.sectors[main_at + 1]
        assert beside.n_received == 5 and beside.change is None
        assert draft.results.get(beside.key) is beside.result
        # a published edition pins both rounds: rendered again, the same file
        edition = publish_bulletin(db.session, period, interim=True)
        db.session.commit()
        assert edition.inputs["parallel_round_ids"] == [phone_id]
        assert rederive_bulletin(db.session, edition) == edition.pdf
        archive_round(db.session, get_round(db.session, phone))
        db.session.commit()
        draft = prepare_bulletin(db.session, period)  # archived: in no bulletin
        assert phone_id not in draft.inputs["current_round_ids"]
        assert draft.inputs["parallel_round_ids"] == []
        assert not any(phone in s.title for s in draft.content.sectors)
    html = client.get(f"/dashboard?period={period}").get_data(as_text=True)
    assert phone not in html  # archived: hidden, kept


def test_an_archived_round_leaves_the_dashboard_and_the_bulletin(app, as_role, demo):
    period = demo["previous"]
    with app.app_context():
        archive_round(db.session, get_round(db.session, f"catering-{period.lower()}"))
        db.session.commit()
    html = as_role("evaluator").get(f"/dashboard?period={period}").get_data(as_text=True)
    assert 'id="card-catering"' not in html and 'id="card-lodging"' in html
    with app.app_context():
        draft = prepare_bulletin(db.session, period)
        assert "catering" not in draft.inputs["sectors"] and draft.inputs["sectors"]
        assert db.session.scalar(select(Round).where(Round.code == f"catering-{period.lower()}"))


def test_a_rerun_with_responses_is_shown_beside_in_the_bulletin(app, demo, add_response):
    """A closed earlier run and the round that counts now, both with responses: the
    bulletin shows both, the rerun in its own section, as the dashboard does."""
    period = demo["previous"]  # every round of it is closed
    rerun = f"catering-rerun-{period.lower()}"
    _new_round(app, rerun, period)
    for _ in range(5):
        add_response(rerun, lambda i: 2)
    with app.app_context():
        close_round(db.session, get_round(db.session, rerun))
        db.session.commit()
        draft = prepare_bulletin(db.session, period, sectors=["catering"])
    original = f"catering-{period.lower()}"
    titles = [s.title for s in draft.content.sectors]
    assert len(titles) == 2 and titles[0] == "餐饮服务"  # the one that counts first
    other = titles[1].removeprefix("餐饮服务（同期另一轮次 ").removesuffix("）")
    assert other in (rerun, original) and other != titles[0]
    received = {s.title: s.n_received for s in draft.content.sectors}
    assert sorted(received.values()) == [5, 60]  # the demo fixture: 60 a round; neither hidden


def test_a_period_whose_rounds_are_all_archived_is_never_due(app, demo):
    from surveyapp.bulletins.service import due_periods

    period = demo["previous"]
    with app.app_context():
        assert period in due_periods(db.session)
        for r in db.session.scalars(select(Round).where(Round.period == period)):
            archive_round(db.session, r, actor="test")
        db.session.commit()
        assert period not in due_periods(db.session)
