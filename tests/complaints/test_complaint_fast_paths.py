"""The fast paths of the publicity and the overdue list give the numbers of the plain
computation, on a mixed data set: every state, outcome, category and month, providers
registered and free text, several sectors and handlers (seeded)."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from reports.complaints_publicity import render_complaints_publicity
from surveyapp import csv_safe
from surveyapp.accounts.service import create_user
from surveyapp.complaints import (
    ComplaintSettings,
    intake,
    open_case_counts,
    open_cases,
    publicity,
    publicity_csv,
)
from surveyapp.complaints.publicity import SETTLED, Publicity, PublicityLine
from surveyapp.models import Provider
from surveyapp.models.complaint import Complaint
from surveyapp.workdays import china_date
from tests.complaints.conftest import NOW, china, credit_code

CATEGORIES = ("价格", "商品质量", "服务态度", "食品安全", "虚假宣传", "合同", "预付卡", "其他")


@pytest.fixture
def mixed(session, settings, draft, make_provider):
    """About 300 complaints of 6 providers (and free text), received July to December
    2026, in every state; some handled by one of two accounts."""
    for n in range(1, 7):
        make_provider(n, f"经营者第{n}号" + "很长的名字" * (n % 3 * 4))
    rng = random.Random(17)
    drafts = []
    for i in range(300):
        received = china(2026, 7, 1, 9, 0) + timedelta(days=rng.uniform(0, 155))
        n = rng.randint(0, 6)  # 0: free text only
        status = rng.choice(("received", "accepted", "not_accepted", "mediation", "closed"))
        more: dict = {}
        if status in ("accepted", "mediation", "closed"):
            more["accepted_at"] = received + timedelta(days=rng.uniform(0.5, 6))
        if status in ("not_accepted", "closed"):
            more["closed_at"] = received + timedelta(days=rng.uniform(7, 60))
            more["reason"] = "办结"
        if status == "closed":
            more["outcome"] = rng.choice(("和解成功", "未达成和解", "终止"))
        if more.get("closed_at") and more["closed_at"] > NOW:
            continue
        drafts.append(
            draft(
                external_id=f"M-{i}",
                received_at=received,
                credit_code=credit_code(n) if n else None,
                provider_name=None if n else f"未登记的店{i % 5}",
                sector=rng.choice(("catering", "lodging", "supermarket")),
                category=rng.choice(CATEGORIES),
                status=status,
                **more,
            )
        )
    intake(session, drafts, "cli", settings, now=NOW)
    handlers = [create_user(session, f"handler{k}", "evaluator")[0].id for k in (1, 2)]
    for c in session.scalars(select(Complaint)):
        c.handler_id = rng.choice((None, *handlers))
    session.commit()
    return session


def _plain_publicity(session, period: str, settings: ComplaintSettings):
    """The publishable rule (surveyapp.complaints.publicity) one complaint at a time."""
    year, month = map(int, period.split("-"))
    per: dict[int, Counter] = {}
    settled: Counter = Counter()
    unmatched = 0
    for c in session.scalars(select(Complaint)):
        closed = c.closed_at and china_date(c.closed_at)
        if not (
            c.status == "closed"
            and c.accepted_at is not None
            and c.outcome in settings.publish_outcomes
            and (closed.year, closed.month) == (year, month)
        ):
            continue
        if c.provider_id is None:
            unmatched += 1
            continue
        per.setdefault(c.provider_id, Counter())[c.category] += 1
        settled[c.provider_id] += c.outcome == SETTLED
    lines = []
    for pid, counts in per.items():
        p = session.get(Provider, pid)
        lines.append(
            PublicityLine(
                p.name,
                p.credit_code or p.registration_no or "",
                sum(counts.values()),
                tuple(counts[c] for c in settings.categories),
                settled[pid],
            )
        )
    lines.sort(key=lambda line: (-line.complaints, line.credit_code))
    return tuple(lines), unmatched


@pytest.mark.parametrize("period", ["2026-08", "2026-09", "2026-10", "2026-11"])
def test_the_publicity_equals_the_rule_complaint_by_complaint(mixed, settings, period):
    pub = publicity(mixed, period, settings)
    lines, unmatched = _plain_publicity(mixed, period, settings)
    assert lines and pub.lines == lines and pub.unmatched == unmatched
    # a provider's own page: its line of the month
    ids = {p.credit_code: p.id for p in mixed.scalars(select(Provider))}
    for line in pub.lines:
        assert publicity(mixed, period, settings, ids[line.credit_code]).lines == (line,)


def test_the_csv_equals_a_cell_by_cell_writer(mixed, settings):
    pub = publicity(mixed, "2026-10", settings)
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(
        ["period", "provider_name", "credit_code", "complaints_accepted",
         *(f"share_{c}" for c in pub.categories), "mediation_success_rate"]
    )  # fmt: skip
    for line in pub.lines:
        writer.writerow(
            [pub.period, line.provider_name, line.credit_code, line.complaints,
             *(f"{s:.4f}" for s in line.category_shares), f"{line.success_rate:.4f}"]
        )  # fmt: skip
    assert publicity_csv(pub) == "\ufeff".encode() + out.getvalue().encode("utf-8")


def test_a_formula_in_a_provider_name_is_still_quoted_in_the_csv():
    line = PublicityLine("=HYPERLINK(1)", "B1", 2, (1, 1), 1)
    pub = Publicity(
        "2026-10", date(2026, 10, 1), date(2026, 10, 31), ("价格", "合同"), (SETTLED,), (line,), 0
    )
    rows = list(csv.reader(io.StringIO(publicity_csv(pub).decode("utf-8-sig"))))
    assert rows[1][:4] == ["2026-10", "'=HYPERLINK(1)", "B1", "2"]


@pytest.mark.parametrize("due", ["overdue", "soon"])
@pytest.mark.parametrize("sectors", [None, ["lodging"], ["catering", "supermarket"]])
def test_a_page_and_the_counts_are_those_of_the_whole_list(mixed, settings, due, sectors):
    calendar = settings.calendar()
    now = NOW
    whole = open_cases(mixed, now, calendar, settings, due, sectors=sectors)
    assert whole  # the data set has cases of both lists
    for limit in (1, 5, len(whole), len(whole) + 3):
        page = open_cases(mixed, now, calendar, settings, due, sectors=sectors, limit=limit)
        assert page == whole[:limit]
    total = open_case_counts(mixed, now, calendar, settings, due, "all", sectors=sectors)
    assert total == {"all": len(whole)}
    for by, key in (("sector", "sector"), ("handler", "handler_id")):
        counts = open_case_counts(mixed, now, calendar, settings, due, by, sectors=sectors)  # type: ignore[arg-type]
        assert counts == Counter(getattr(c, key) for c in whole)


def test_a_long_table_prints_every_line_with_the_header_on_every_page():
    rng = random.Random(3)
    lines = []
    for i in range(400):
        counts = tuple(rng.randint(0, 3) for _ in CATEGORIES[:-1]) + (1,)
        name = f"经营者{i}" + ("很长的名字" * 8 if i % 7 == 0 else "")
        lines.append(PublicityLine(name, f"B{i:07d}", sum(counts), counts, rng.randint(0, 1)))
    pdf = render_complaints_publicity(
        lines,
        first=date(2026, 10, 1),
        last=date(2026, 10, 31),
        categories=CATEGORIES,
        outcomes=("和解成功", "未达成和解"),
        issued=date(2026, 11, 5),
        lang="en",
    )
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 5
    table = [page for page in pages if "B0000" in page]
    assert all("预付卡" in page for page in table)  # the header, repeated
    text = "".join(pages)
    for line in lines:
        assert line.credit_code in text
        assert f"{100 * line.success_rate:.1f}%" in text
    assert text.count("…") == sum(1 for line in lines if "很长" in line.provider_name)
