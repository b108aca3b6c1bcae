"""``surveyapp complaints import|list|publicity|purge``: exit codes, JSON shape, files."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp.complaints import intake, transition
from surveyapp.models import Complaint
from surveyapp.models.base import utcnow
from tests.complaints.conftest import china, credit_code

ROWS = [
    "C-1,2026-09-30 16:45,12315,{code},,餐饮,价格,菜价与菜单不符,120,张三丰,13812345678,,,,",
    "C-2,2026-12-01,12345,,某小吃店,catering,食品安全,吃后腹泻,,李四,13900001111,accepted,2026-12-02,,",
]


def test_import_then_list_as_json(cli, make_provider, complaints_csv):
    make_provider(1, "普洱茶楼")
    path = complaints_csv([ROWS[0].format(code=credit_code(1)), ROWS[1]])
    result = cli("complaints", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 complaint(s) imported" in result.output
    listed = cli("complaints", "list", "--format", "json")
    assert listed.exit_code == 0
    doc = json.loads(listed.stdout)
    first, second = doc["complaints"]
    assert first["external_id"] == "C-1" and first["status"] == "received"
    assert first["received_at"] == "2026-09-30T16:45:00+08:00"
    assert (first["accept_by"], first["accept_by_provisional"]) == ("2026-10-15", False)
    assert first["close_by"] is None and first["overdue"] is True
    assert (first["credit_code"], first["provider_name"]) == (credit_code(1), "普洱茶楼")
    # accepted on 2 December 2026: 45 working days reach into 2027, not loaded
    assert second["close_by_provisional"] is True and second["close_by"] > "2027-02-01"
    assert second["provider_name"] == "某小吃店" and second["credit_code"] is None
    assert "张三丰" not in listed.output and "13812345678" not in listed.output
    only = json.loads(cli("complaints", "list", "--status", "accepted", "--format", "json").stdout)
    assert [c["external_id"] for c in only["complaints"]] == ["C-2"]
    late = json.loads(cli("complaints", "list", "--due", "overdue", "--format", "json").stdout)
    assert [c["external_id"] for c in late["complaints"]] == ["C-1"]
    table = cli("complaints", "list").output
    assert "C-1" in table and "* provisional" in table and "张三丰" not in table


def test_a_bad_file_exits_2_naming_row_and_column_and_stores_nothing(cli, complaints_csv, session):
    path = complaints_csv(
        [
            ROWS[1].replace("食品安全", "态度"),
            ROWS[1].replace("C-2", "C-3").replace(",,李四", ",abc,李四"),
        ]
    )
    result = cli("complaints", "import", str(path))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith(f"error: {path}: row 2, column category: unknown category '态度'")
    assert errors[1].startswith(f"error: {path}: row 3, column amount: 'abc' is not an amount")
    assert "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert cli("complaints", "import", str(path) + ".missing").exit_code == 2


def test_publicity_csv_and_pdf_and_a_bad_period(
    cli, session, settings, draft, make_provider, tmp_path
):
    make_provider(1, "普洱茶楼")
    intake(session, [draft(external_id="X", credit_code=credit_code(1), status="closed",
                           accepted_at=china(2026, 10, 10), closed_at=china(2026, 10, 12),
                           outcome="和解成功")], "cli", settings)  # fmt: skip
    out = tmp_path / "pub.csv"
    result = cli(
        "complaints", "publicity", "--period", "2026-10", "--format", "csv", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8-sig")
    assert "普洱茶楼" in text and "张三丰" not in text and "13812345678" not in text
    pdf = tmp_path / "pub.pdf"
    assert (
        cli(
            "complaints", "publicity", "--period", "2026-10", "--format", "pdf", "--out", str(pdf)
        ).exit_code
        == 0
    )
    pages = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "普洱茶楼" in pages and "100.0%" in pages and "张三丰" not in pages
    bad = cli("complaints", "publicity", "--period", "2026Q4", "--format", "csv", "--out", str(out))
    assert bad.exit_code == 2 and "not a month like 2026-10" in bad.output


def test_purge_clears_only_cases_past_retention(cli, session, settings, draft):
    now = utcnow()
    stored = intake(session, [draft(external_id=f"R-{i}", received_at=now - timedelta(days=400))
                              for i in range(3)], "cli", settings, now=now)  # fmt: skip
    old, recent, open_case = (session.get(Complaint, s.case.id) for s in stored)
    transition(session, old, "not_accepted", "cli", note="重复投诉", at=now - timedelta(days=200))
    transition(session, recent, "not_accepted", "cli", note="重复投诉", at=now - timedelta(days=10))
    session.commit()
    dry = cli("complaints", "purge", "--dry-run")
    assert dry.exit_code == 0 and "would clear" in dry.output and " 1 case(s)" in dry.output
    assert cli("complaints", "purge").exit_code == 0
    session.expire_all()
    assert (old.complainant_name, old.complainant_phone) == (None, None) and old.pii_cleared_at
    assert old.description and old.reason == "重复投诉"  # the case itself stays
    assert recent.complainant_name == "张三丰" and open_case.complainant_phone == "13812345678"
    assert " 0 case(s)" in cli("complaints", "purge").output  # nothing left to do


def test_the_november_warning_and_a_bad_calendar_folder(cli, monkeypatch, tmp_path):
    from surveyapp.rounds.dates import china_today

    today = china_today(utcnow())
    listed = cli("complaints", "list")
    assert listed.exit_code == 0
    warned = f"holiday calendar of {today.year + 1} is not loaded" in listed.stderr
    assert warned == (today.month >= 11 and today.year >= 2026)  # 2026 is the last shipped year
    (tmp_path / "cn-holidays-2027.csv").write_text(
        "date,kind,holiday\n2027-13-01,holiday,x\n", "utf-8"
    )
    monkeypatch.setenv("SURVEYAPP_HOLIDAYS_DIR", str(tmp_path))
    bad = cli("complaints", "list")
    assert bad.exit_code == 2
    assert (
        "cn-holidays-2027.csv, row 2, column date" in bad.stderr and "Traceback" not in bad.output
    )
