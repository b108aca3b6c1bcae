"""Publicity per provider and month: the publishable rule, the figures, and no personal data
in the CSV or the PDF."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader

from reports.complaints_publicity import render_complaints_publicity
from surveyapp.complaints import ComplaintSettings, intake, publicity, publicity_csv
from surveyapp.complaints.publicity import month_period
from tests.complaints.conftest import NOW, china, credit_code

NAMES = ("张三丰", "李秀英", "王小明")
PHONES = ("13812345678", "13900001111", "0879-2123456")


def _closed(
    draft, n, *, provider, category="价格", outcome="和解成功", closed=(2026, 10, 20), **more
):
    return draft(
        external_id=f"P-{n}",
        credit_code=credit_code(provider) if provider else None,
        provider_name=None if provider else "未登记的店",
        category=category,
        status="closed",
        accepted_at=china(2026, 10, 10),
        closed_at=china(*closed, 10, 0),
        outcome=outcome,
        complainant_name=NAMES[n % 3],
        complainant_phone=PHONES[n % 3],
        **more,
    )


@pytest.fixture
def month(session, settings, draft, make_provider):
    make_provider(1, "普洱茶楼")
    make_provider(2, "思茅宾馆")
    drafts = [
        _closed(draft, 1, provider=1, category="价格"),
        _closed(draft, 2, provider=1, category="价格", outcome="未达成和解"),
        _closed(draft, 3, provider=1, category="食品安全"),
        _closed(draft, 4, provider=1, category="服务态度", outcome="和解成功"),
        _closed(draft, 5, provider=2, category="合同", outcome="未达成和解"),
        # not counted: ended 终止 (withdrawn), closed next month, still in mediation,
        # and one naming no registered provider (counted apart)
        _closed(draft, 6, provider=2, outcome="终止"),
        _closed(draft, 7, provider=2, closed=(2026, 11, 1)),
        draft(
            external_id="P-8",
            credit_code=credit_code(2),
            status="mediation",
            accepted_at=china(2026, 10, 10),
            complainant_name="赵敏",
        ),  # fmt: skip
        _closed(draft, 9, provider=None),
    ]
    intake(session, drafts, "cli", settings, now=NOW)
    return publicity(session, "2026-10", settings)


def test_the_month_under_the_publishable_rule(month):
    assert (month.period, month.first, month.last) == (
        "2026-10",
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert month.unmatched == 1
    tea, hotel = month.lines
    assert (tea.provider_name, tea.credit_code, tea.complaints, tea.settled) == (
        "普洱茶楼", credit_code(1), 4, 3,
    )  # fmt: skip
    assert tea.success_rate == pytest.approx(0.75)
    shares = dict(zip(month.categories, tea.category_shares, strict=True))
    assert shares["价格"] == pytest.approx(0.5) and shares["食品安全"] == pytest.approx(0.25)
    assert sum(tea.category_shares) == pytest.approx(1.0)
    assert (hotel.complaints, hotel.success_rate) == (1, 0.0)


def test_the_rule_is_a_setting(session, month):
    with_ended = ComplaintSettings(publish_outcomes=("和解成功", "未达成和解", "终止"))
    hotel = publicity(session, "2026-10", with_ended).lines[1]
    assert (hotel.credit_code, hotel.complaints, hotel.settled) == (credit_code(2), 2, 0)


def test_the_csv_has_the_figures_and_no_complainant(month):
    data = publicity_csv(month)
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["provider_name"] == "普洱茶楼" and rows[0]["credit_code"] == credit_code(1)
    assert rows[0]["complaints_accepted"] == "4" and rows[0]["mediation_success_rate"] == "0.7500"
    assert rows[0]["share_价格"] == "0.5000"
    for secret in (*NAMES, *PHONES, "赵敏", "13812345678"):
        assert secret not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_has_the_figures_and_no_complainant(month, lang):
    pdf = render_complaints_publicity(
        month.lines,
        first=month.first,
        last=month.last,
        categories=month.categories,
        outcomes=month.outcomes,
        issued=date(2026, 11, 5),
        unmatched=month.unmatched,
        lang=lang,
    )
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "普洱茶楼" in text and credit_code(1) in text and "75.0%" in text
    assert ("消费投诉公示" if lang == "zh" else "Consumer complaint publicity") in text
    for secret in (*NAMES, *PHONES, "赵敏"):
        assert secret not in text


def test_a_month_is_named_like_2026_10():
    assert month_period("2026M10")[1:] == (date(2026, 10, 1), date(2026, 10, 31))
    assert month_period("2026-12")[2] == date(2026, 12, 31)
    with pytest.raises(ValueError, match="not a month like 2026-10"):
        month_period("2026Q4")


def test_a_matched_complaint_enters_the_publicity(session, settings, month):
    from sqlalchemy import select

    from surveyapp.complaints import MatchError, match_provider
    from surveyapp.models import AuditLog, Complaint, Provider

    unmatched = session.scalar(select(Complaint).where(Complaint.external_id == "P-9"))
    hotel = session.scalar(select(Provider).where(Provider.name == "思茅宾馆"))
    match_provider(session, unmatched, hotel, "officer-li")
    session.commit()
    after = publicity(session, "2026-10", settings)
    assert after.unmatched == 0
    assert [(line.provider_name, line.complaints) for line in after.lines][1] == ("思茅宾馆", 2)
    assert unmatched.provider_name == "未登记的店" and unmatched.events[-1].actor == "officer-li"
    audit = session.scalar(select(AuditLog).where(AuditLog.action == "complaint.match_provider"))
    assert audit.details == {"provider": credit_code(2), "named": "未登记的店"}
    with pytest.raises(MatchError, match="matched already"):
        match_provider(session, unmatched, hotel, "officer-li")
