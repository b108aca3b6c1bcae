"""The complaints file: UTF-8 or GBK, all or nothing, every bad row named by row and column."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from surveyapp.complaints import find_by_receipt, import_complaints, intake, read_complaints
from surveyapp.complaints.deadlines import OpenCase, case_deadlines
from surveyapp.complaints.drafts import IntakeError
from surveyapp.models import AuditLog, Complaint, ComplaintEvent
from surveyapp.responses.importer import ImportFailed
from tests.complaints.conftest import NOW, china, credit_code

GOOD = [
    'H-1,2026-09-30 16:45,12315,{code},,餐饮,价格,菜价与菜单不符,"1,200.50",张三丰,13812345678,,,,',
    "H-2,2026/10/9,12345,,某小吃店,catering,食品安全,吃后腹泻,80,李四,13900001111,closed,2026-10-10,2026-10-20,和解成功",
]


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Complaint))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_good_file_is_stored_whole(session, settings, make_provider, complaints_csv, encoding):
    pid = make_provider(1)
    path = complaints_csv([GOOD[0].format(code=credit_code(1)), GOOD[1]], encoding=encoding)
    file = read_complaints(session, path, settings, now=NOW)
    assert file.encoding == ("gb18030" if encoding == "gbk" else "utf-8")
    stored = import_complaints(session, file, "cli", settings, now=NOW)
    first, second = (session.get(Complaint, s.case.id) for s in stored)
    assert (first.provider_id, first.provider_name, first.amount) == (pid, None, Decimal("1200.50"))
    assert first.received_at == china(2026, 9, 30, 16, 45) and first.status == "received"
    assert (second.provider_id, second.provider_name, second.status) == (None, "某小吃店", "closed")
    assert second.accepted_at == china(2026, 10, 10) and second.outcome == "和解成功"
    assert [e.to_status for e in second.events] == ["closed"]
    # the receipt code finds its case; only its hash is stored
    assert find_by_receipt(session, stored[0].receipt.lower()) is first
    assert stored[0].receipt.replace("-", "") not in first.receipt_hash


BAD_ROWS = [
    # row 2: a bad date; row 3: unknown sector and category; row 4: bad amount;
    # row 5: duplicate of row 2's id in the file; row 6: an unknown credit code;
    # row 7: closed without outcome
    ("B-1,2026-13-01,12315,,店甲,catering,价格,描述,,,,,,,", "received_at", 2),
    ("B-2,2026-10-01,12315,,店乙,花店,态度差,描述,,,,,,,", "sector", 3),
    ("B-3,2026-10-01,12315,,店丙,catering,价格,描述,十元,,,,,,", "amount", 4),
    ("B-1,2026-10-02,12315,,店丁,catering,价格,描述,,,,,,,", "external_id", 5),
    ("B-5,2026-10-02,12315,{unknown},,catering,价格,描述,,,,,,,", "credit_code", 6),
    (
        "B-6,2026-10-02,12315,,店戊,catering,价格,描述,,,,closed,2026-10-03,2026-10-05,",
        "outcome",
        7,
    ),
]


def test_every_bad_row_is_named_and_nothing_is_stored(session, settings, complaints_csv):
    rows = [r.format(unknown=credit_code(99)) for r, _, _ in BAD_ROWS]
    rows[0] = rows[0].replace("B-1,2026-13-01", "B-1,2026-10-01")  # row 2 good, so row 5 repeats it
    rows.insert(1, "B-0,2026-13-01,12315,,店,catering,价格,描述,,,,,,,")  # row 3: the bad date
    path = complaints_csv(rows)
    with pytest.raises(ImportFailed) as caught:
        read_complaints(session, path, settings, name="complaints.csv", now=NOW)
    lines = caught.value.lines()
    assert "complaints.csv: row 3, column received_at: '2026-13-01' is not a day" in lines[0]
    expected = [
        (4, "sector", "unknown sector '花店'"),
        (5, "amount", "'十元' is not an amount in yuan"),
        (6, "external_id", "B-1 of channel 12315 is given twice"),
        (7, "credit_code", f"no provider with credit code {credit_code(99)} registered"),
        (8, "outcome", "status closed needs one of"),
    ]
    for row, column, message in expected:
        assert any(
            line.startswith(f"complaints.csv: row {row}, column {column}: ") and message in line
            for line in lines
        ), (row, column, lines)
    assert any("row 4, column category: unknown category '态度差'" in line for line in lines)
    assert not any("row 2" in line for line in lines)  # the good row is not blamed
    assert _count(session) == 0


def test_an_id_stored_already_for_its_channel_is_refused(session, settings, complaints_csv, draft):
    intake(session, [draft(external_id="H-2", channel="12345")], "cli", settings, now=NOW)
    path = complaints_csv([GOOD[1], GOOD[1].replace("H-2,", "H-3,")])
    with pytest.raises(ImportFailed) as caught:
        read_complaints(session, path, settings, name="f.csv", now=NOW)
    assert caught.value.lines() == [
        "f.csv: row 2, column external_id: H-2 of channel 12345 is stored already"
    ]
    # the same id from another channel is another case
    other = complaints_csv([GOOD[1].replace(",12345,", ",12315,")])
    import_complaints(
        session, read_complaints(session, other, settings, now=NOW), "cli", settings, now=NOW
    )
    assert _count(session) == 2


def test_missing_columns_are_named_on_row_1(session, settings, complaints_csv):
    path = complaints_csv(["x,2026-10-01,12315"], header="external_id,received_at,channel")
    with pytest.raises(ImportFailed) as caught:
        read_complaints(session, path, settings, name="f.csv", now=NOW)
    lines = caught.value.lines()
    assert "f.csv: row 1, column sector: column is missing" in lines
    assert "f.csv: row 1, column credit_code or provider_name: column is missing" in lines


def test_intake_stores_all_drafts_or_none(session, settings, draft):
    good, bad = draft(external_id="A"), draft(external_id="B", category="噪音")
    with pytest.raises(IntakeError) as caught:
        intake(session, [good, bad], "api", settings, now=NOW)
    assert list(caught.value.problems) == [1]
    assert caught.value.problems[1][0].field == "category"
    assert (
        _count(session) == 0
        and session.scalar(select(func.count()).select_from(ComplaintEvent)) == 0
    )


def test_a_complaint_taken_in_by_staff_has_its_audit_row_a_channels_its_history(
    session, settings, draft
):
    from surveyapp.accounts.service import create_user

    officer = create_user(session, "officer-wang", "evaluator")[0]
    stored = intake(session, [draft(external_id="A"), draft(external_id="B", status="received")],
                    officer, settings, now=NOW, source="f.csv")  # fmt: skip
    rows = session.scalars(
        select(AuditLog).where(AuditLog.action == "complaint.intake").order_by(AuditLog.id)
    ).all()
    assert [(a.target, a.actor, a.user_id, a.at, a.ip) for a in rows] == [
        (f"complaint:{item.case.id}", "officer-wang", officer.id, NOW, None) for item in stored
    ]
    assert [a.details for a in rows] == [
        {"channel": "12315", "external_id": code, "status": "received", "source": "f.csv"}
        for code in ("A", "B")
    ]
    # one complaint alone by a staff account: one statement on PostgreSQL, the same rows
    (alone,) = intake(session, [draft(external_id="D")], officer, settings, now=NOW)
    last = session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
    assert (last.target, last.actor, last.user_id, last.details) == (
        f"complaint:{alone.case.id}", "officer-wang", officer.id,
        {"channel": "12315", "external_id": "D", "status": "received"},
    )  # fmt: skip
    # a channel's post (the API, a resident's web form): its history says who took it
    # in, and the audit log, the record of what staff did, gets no row
    entries = session.scalar(select(func.count()).select_from(AuditLog))
    (one,) = intake(session, [draft(external_id="C", amount=Decimal("12.50"))], "api:7",
                    settings, now=NOW)  # fmt: skip
    (web,) = intake(session, [draft(external_id="W")], "web", settings, now=NOW)
    assert session.scalar(select(func.count()).select_from(AuditLog)) == entries
    assert session.get(Complaint, web.case.id).events[0].actor == "web"
    session.expire_all()
    stored = session.get(Complaint, one.case.id)
    assert (stored.external_id, stored.amount, stored.received_at, stored.complainant_phone) == (
        "C",
        Decimal("12.50"),
        china(2026, 10, 9, 10, 0),
        "13812345678",
    )
    assert find_by_receipt(session, one.receipt) == stored
    # the reply's plain values are the stored row's
    assert one.case == OpenCase(stored.id, **{f.name: getattr(stored, f.name)
                                              for f in fields(OpenCase) if f.name != "id"})  # fmt: skip
    assert case_deadlines(one.case, settings.calendar(), settings) == case_deadlines(
        stored, settings.calendar(), settings
    )
    assert [(e.from_status, e.to_status, e.actor, e.user_id, e.at, e.note)
            for e in stored.events] == [(None, "received", "api:7", None, NOW, "intake (12315)")]  # fmt: skip


def test_a_failure_while_writing_leaves_nothing(session, settings, draft, monkeypatch):
    import surveyapp.complaints.drafts as module

    # the audit rows are written last: the complaints and their events are written by then
    monkeypatch.setattr(module, "_INSERT_AUDIT", text("INSERT INTO no_such_table VALUES (:at)"))
    with pytest.raises(DBAPIError):
        intake(session, [draft(external_id="A"), draft(external_id="B")], "cli", settings,
               now=NOW, source="f.csv")  # a file's intake: audited  # fmt: skip
    assert _count(session) == 0
    assert session.scalar(select(func.count()).select_from(ComplaintEvent)) == 0


@pytest.mark.parametrize(
    "fields, column",
    [
        ({"received_at": china(2027, 1, 1)}, "received_at"),  # in the future
        ({"channel": "微信"}, "channel"),
        ({"description": "  "}, "description"),
        ({"provider_name": None}, "provider_name"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"complainant_phone": "call me"}, "complainant_phone"),
        ({"status": "accepted"}, "accepted_at"),
        ({"status": "received", "accepted_at": china(2026, 10, 10)}, "accepted_at"),
        (
            {"status": "accepted", "accepted_at": china(2026, 10, 1)},
            "accepted_at",
        ),  # before receipt
        ({"status": "not_accepted"}, "closed_at"),
        ({"status": "accepted", "accepted_at": datetime(2026, 10, 10)}, "accepted_at"),  # naive
        ({"status": "not_accepted", "closed_at": china(2026, 10, 8, 23, 0)}, "closed_at"),
    ],
)
def test_draft_problems_name_the_field(session, settings, draft, fields, column):
    with pytest.raises(IntakeError) as caught:
        intake(session, [draft(**fields)], "api", settings, now=NOW)
    assert column in [p.field for p in caught.value.problems[0]]


def test_a_day_of_acceptance_may_be_the_day_of_a_timed_receipt(session, settings, complaints_csv):
    row = "D-1,2026-10-09 14:00,12315,,店,catering,价格,描述,,,,accepted,2026-10-09,,"
    file = read_complaints(session, complaints_csv([row]), settings, now=NOW)
    assert file.drafts[0].accepted_at == china(2026, 10, 9)


def test_receipt_codes_use_the_whole_alphabet_in_every_place():
    from surveyapp.complaints.drafts import _RECEIPT_ALPHABET, _new_receipt

    codes = [_new_receipt() for _ in range(4000)]
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){2}", c) for c in codes)
    assert len(set(codes)) == len(codes)
    plain = [c.replace("-", "") for c in codes]
    # every one of the 31 characters in every one of the 12 places (a miss: p < 1e-50)
    assert all({p[i] for p in plain} == set(_RECEIPT_ALPHABET) for i in range(12))
