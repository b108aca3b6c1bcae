"""The monitoring bulletin's complaints section: the counts per sector and period, the
PDF text, nothing of a complainant in it, and the counts pinned in a published edition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.bulletins import prepare_bulletin, publish_bulletin, rederive_bulletin
from surveyapp.bulletins.service import BulletinSettings
from surveyapp.complaints import ComplaintSettings, intake
from surveyapp.complaints.bulletin import complaints_record, section_of
from surveyapp.models.complaint import Complaint
from surveyapp.rounds.dates import period_days
from tests.complaints.conftest import NOW, china


def _case(draft, n, received, *, sector="catering", category="价格", accepted=None,
          closed=None, outcome=None, status=None, **more):  # fmt: skip
    """A complaint received on China day ``received`` (a date), maybe accepted and
    closed (dates) with an ``outcome``."""
    at = lambda day: china(day.year, day.month, day.day, 10, 0)  # noqa: E731
    if status is None:
        status = "closed" if closed else ("mediation" if accepted else "received")
    return draft(
        external_id=f"B-{n}",
        received_at=at(received),
        sector=sector,
        category=category,
        status=status,
        accepted_at=at(accepted) if accepted else None,
        closed_at=at(closed) if closed else None,
        outcome=outcome,
        **more,
    )


def test_counts_per_sector_this_period_and_the_one_before(session, draft):
    from datetime import date

    d = date
    drafts = [
        # 2026Q3: catering 2 received, 1 mediated and settled
        _case(draft, 1, d(2026, 7, 3), accepted=d(2026, 7, 6), closed=d(2026, 8, 1),
              outcome="和解成功"),
        _case(draft, 2, d(2026, 9, 30), category="合同"),
        # 2026Q4: catering 4 received (价格 ×2, 食品安全, 合同), 3 accepted in Q4 (one
        # received in Q3), 3 mediated of which 1 settled; lodging 1 received
        _case(draft, 3, d(2026, 10, 8), accepted=d(2026, 10, 9), closed=d(2026, 11, 2),
              outcome="和解成功"),
        _case(draft, 4, d(2026, 10, 9), accepted=d(2026, 10, 10), closed=d(2026, 11, 3),
              outcome="未达成和解"),
        _case(draft, 5, d(2026, 11, 2), category="食品安全", accepted=d(2026, 11, 3),
              closed=d(2026, 11, 20), outcome="未达成和解"),
        _case(draft, 6, d(2026, 11, 4), category="合同"),
        # withdrawn before mediation: received, accepted, but no mediation concluded
        _case(draft, 7, d(2026, 9, 29), category="预付卡", accepted=d(2026, 10, 1),
              closed=d(2026, 10, 12), outcome="终止", reason="撤诉"),
        _case(draft, 8, d(2026, 11, 5), sector="lodging", category="服务态度"),
        # not accepted: received and counted, never accepted or mediated
        _case(draft, 9, d(2026, 12, 1), status="not_accepted", closed=d(2026, 12, 2),
              reason="不属于受理范围"),
    ]  # fmt: skip
    intake(session, drafts, "cli", ComplaintSettings(), now=NOW)
    record = complaints_record(session, "2026Q4", ["lodging", "catering", "culture"])
    assert record["previous_period"] == "2026Q3"
    assert record["sectors"] == ["catering", "lodging", "culture"]  # the plans' order
    now, before = record["counts"]["2026Q4"], record["counts"]["2026Q3"]
    assert now["catering"] == {
        "received": 5,
        "accepted": 4,
        "mediated": 3,
        "settled": 1,
        "categories": [["价格", 3], ["合同", 1], ["食品安全", 1]],
    }
    assert now["lodging"]["received"] == 1 and now["lodging"]["mediated"] == 0
    assert now["culture"] == {
        "received": 0, "accepted": 0, "mediated": 0, "settled": 0, "categories": []
    }  # fmt: skip
    assert before["catering"]["received"] == 3 and before["catering"]["accepted"] == 1
    assert (before["catering"]["mediated"], before["catering"]["settled"]) == (1, 1)

    section = section_of(record, "zh")
    catering = section.sectors[0]
    assert catering.title == "餐饮服务"
    assert catering.current.rate == pytest.approx(1 / 3)
    assert catering.previous is not None and catering.previous.rate == 1.0
    assert catering.top() == (("价格", 3), ("合同", 1), ("食品安全", 1))
    assert section.sectors[2].current.rate is None  # no mediation concluded: no rate
    assert "complainant" not in str(record) and "张三丰" not in str(record)


def test_complaints_stored_after_the_counts_are_taken_do_not_count(session, draft):
    from datetime import date

    intake(session, [_case(draft, 1, date(2026, 10, 8))], "cli", ComplaintSettings(), now=NOW)
    intake(session, [_case(draft, 2, date(2026, 10, 9))], "cli", ComplaintSettings(), now=NOW)
    # counts taken a minute before both were stored (NOW), and today (a fixed moment: a
    # wall-clock one made this test fail from a day after NOW on)
    early = complaints_record(session, "2026Q4", ["catering"], now=NOW - timedelta(minutes=1))
    late = complaints_record(session, "2026Q4", ["catering"])
    assert early["counts"]["2026Q4"]["catering"]["received"] == 0
    assert late["counts"]["2026Q4"]["catering"]["received"] == 2


def test_a_period_without_one_before_is_not_compared(session):
    record = complaints_record(session, "2026", ["catering"])
    assert record["previous_period"] == "2025"
    with pytest.raises(ValueError, match="period"):
        complaints_record(session, "2026-10", ["catering"])


# --- in the bulletin -------------------------------------------------------------------

PII_NAMES = ("欧阳锋", "慕容复")
PII_PHONES = ("13655550001", "0879-7770002")


@pytest.fixture
def period_with_cases(app, demo, draft):
    """The demo's closed quarter with two more catering cases whose complainants have
    names and phones unlike any other text."""
    from surveyapp.extensions import db

    period = demo["previous"]
    first, _ = period_days(period)  # type: ignore[misc]
    day = first + timedelta(days=20)
    at = china(day.year, day.month, day.day, 9, 0)
    with app.app_context():
        drafts = [
            draft(external_id="BUL-1", received_at=at, status="mediation",
                  accepted_at=at + timedelta(days=1), complainant_name=PII_NAMES[0],
                  complainant_phone=PII_PHONES[0], description="欧阳锋投诉：电话13655550001"),
            draft(external_id="BUL-2", received_at=at, status="closed", category="食品安全",
                  accepted_at=at + timedelta(days=1), closed_at=at + timedelta(days=9),
                  outcome="和解成功", complainant_name=PII_NAMES[1],
                  complainant_phone=PII_PHONES[1]),
        ]  # fmt: skip
        intake(db.session, drafts, "cli", ComplaintSettings())
    return period


def test_the_bulletin_prints_complaints_per_sector_and_no_complainant(
    app, period_with_cases, pdf_text
):
    from surveyapp.extensions import db

    period = period_with_cases
    with app.app_context():
        draft = prepare_bulletin(db.session, period)
        record = draft.inputs["complaints"]
        pdf = draft.render()
        pii = db.session.execute(
            select(Complaint.complainant_name, Complaint.complainant_phone)
        ).all()
    text = " ".join(pdf_text(pdf))
    page = next(p for p in pdf_text(pdf) if "消费投诉" in p and "和解成功率" in p)
    catering = record["counts"][period]["catering"]
    assert catering["received"] >= 2 and catering["settled"] >= 1
    assert "餐饮服务" in page
    # the catering row: received, accepted, mediated as printed
    row = f"餐饮服务 {catering['received']:,} {catering['accepted']:,} {catering['mediated']:,}"
    assert row in page
    rate = 100 * catering["settled"] / catering["mediated"]
    assert f"{rate:.1f}%" in page
    top = catering["categories"][0]
    assert f"{top[0]}（{top[1]:,}件）" in text
    assert record["previous_period"] and "较上期" in page
    # nothing of any complainant: neither ours nor the demo's
    assert len(pii) > 100
    for name, phone in pii:
        assert name and name not in text, name
        assert phone and phone not in text and phone[-8:] not in text.replace(" ", ""), phone
    for word in ("complainant", "phone", "name"):
        assert word not in str(record)


def test_the_english_edition_has_the_section_too(app, period_with_cases, pdf_text):
    from surveyapp.extensions import db

    with app.app_context():
        pdf = prepare_bulletin(db.session, period_with_cases, lang="en").render()
    text = " ".join(pdf_text(pdf))
    assert "Consumer complaints" in text and "Success rate" in text and "Catering" in text


def test_a_published_edition_keeps_its_counts(app, period_with_cases, draft, pdf_text):
    from surveyapp.extensions import db

    period = period_with_cases
    when = NOW.replace(year=NOW.year + 1)  # after every round of the demo closed
    with app.app_context():
        edition = publish_bulletin(db.session, period, now=when, interim=True)
        db.session.commit()
        pinned = edition.inputs["complaints"]
        original = edition.pdf
        first, _ = period_days(period)  # type: ignore[misc]
        late = china(first.year, first.month, first.day + 1, 9, 0)
        intake(db.session, [draft(external_id="BUL-LATE", received_at=late)], "cli",
               ComplaintSettings())  # fmt: skip
        # printed again: the pinned counts, the same bytes
        assert rederive_bulletin(db.session, edition) == original
        fresh = prepare_bulletin(db.session, period).inputs["complaints"]
    received = pinned["counts"][period]["catering"]["received"]
    assert fresh["counts"][period]["catering"]["received"] == received + 1


def test_an_edition_from_before_the_section_is_printed_again_without_it(
    app, period_with_cases, pdf_text
):
    from surveyapp.extensions import db

    with app.app_context():
        settings = BulletinSettings(pinned_complaints={})
        draft = prepare_bulletin(db.session, period_with_cases, settings=settings)
    assert draft.content.complaints is None
    assert not any("和解成功率" in p for p in pdf_text(draft.render()))


def test_sectors_without_complaints_say_so(app, period_with_cases, pdf_text):
    from surveyapp.extensions import db

    period = period_with_cases
    with app.app_context():
        record = prepare_bulletin(db.session, period).inputs["complaints"]
        empty = {k: {"received": 0, "accepted": 0, "mediated": 0, "settled": 0,
                     "categories": []} for k in record["sectors"]}  # fmt: skip
        quiet = {**record, "counts": {p: empty for p in record["counts"]}}
        pdf = prepare_bulletin(
            db.session, period, settings=BulletinSettings(pinned_complaints=quiet)
        ).render()
    assert any("本期所列行业没有收到消费投诉" in p for p in pdf_text(pdf))
