"""The credit record: events imported all or nothing, credit repair, overrides and their
expiry, the classes and their history, through the service and ``surveyapp credit``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from surveyapp.credit.classes import CreditSettings, compute_classes, record_classes
from surveyapp.credit.record import (
    CreditError,
    end_event,
    import_events,
    override_class,
    read_events,
    timeline,
)
from surveyapp.models import AuditLog, Provider
from surveyapp.models.credit import ClassHistory, CreditEvent
from surveyapp.responses.importer import ImportFailed
from tests.credit.credit_data import AS_OF, add_providers, event, provider_id

HEADER = "credit_code,kind,occurred_on,source,external_id,outcome,description,public\n"
NOW = datetime(2026, 12, 6, 4, tzinfo=UTC)


def _settings(app):
    return CreditSettings.from_config(app.config)


def _write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_events_import_gbk_and_all_or_nothing(session, tmp_path):
    a, b = add_providers(session, 2)
    good = HEADER + (
        f"{a},行政处罚,2026-03-01,综合执法系统,X1,,罚款,是\n"
        f"{b},经营异常名录,2026/5/2,企业信用系统,Y1,,,否\n"
        f"{a},inspection,2026-04-01,某系统,Z1,不合格,后厨卫生,\n"
    )
    events = read_events(session, _write(tmp_path, good, "gbk"), name="events.csv")
    assert events.encoding == "gb18030"
    assert import_events(session, events, "cli", now=NOW) == 3
    stored = session.scalars(select(CreditEvent).order_by(CreditEvent.id)).all()
    assert [(e.kind, e.public, e.outcome) for e in stored] == [
        ("penalty", True, None), ("abnormal", False, None), ("inspection", False, "不合格")
    ]  # fmt: skip
    bad = HEADER + (
        f"{a},荣誉,2026-01-01,s,H1,,示范企业,是\n"  # good row: not stored either
        f"{a},penalty,2026-02-28,综合执法系统,X1,,,\n"  # X1 already imported
        f"91530800MA9999999X,honour,2026-01-01,s,H2,,,\n"  # unknown provider
        f"{b},abnormal,2026-01-01,s,H1,,,\n"  # repeats row 2
        f"{b},abnormal,2026-01-01,s,H5,,,是\n"  # abnormal is not public
        f"{b},inspection,2026-01-01,s,H3,,,\n"  # inspection without outcome
        f"{b},奖励,2026-01-01,s,H4,,,\n"  # unknown kind
        f"{b},penalty,2026-02-30,s,H6,,,\n"  # no such day
    )
    with pytest.raises(ImportFailed) as caught:
        read_events(session, _write(tmp_path, bad), name="events.csv")
    lines = caught.value.lines()
    assert lines == [
        "events.csv: row 3, column external_id: already imported from 综合执法系统",
        "events.csv: row 4, column credit_code: 91530800MA9999999X is not in the registry",
        "events.csv: row 5, column external_id: repeats row 2 (s)",
        "events.csv: row 6, column public: only penalties and honours are public by law",
        "events.csv: row 7, column outcome: an inspection's outcome is 合格 or 不合格",
        "events.csv: row 8, column kind: '奖励' is not one of inspection, penalty, abnormal, honour",
        "events.csv: row 9, column occurred_on: '2026-02-30' is not a date of the calendar",
    ]
    assert session.scalar(select(func.count()).select_from(CreditEvent)) == 3
    with pytest.raises(ImportFailed) as caught:
        read_events(session, _write(tmp_path, "credit_code,kind\nx,y\n"), name="e.csv")
    assert "e.csv: row 1, column occurred_on: column is missing" in caught.value.lines()


def test_credit_repair_ends_the_effect_and_is_audited(app, session):
    (a,) = add_providers(session, 1)
    event(session, a, "penalty", date(2026, 3, 1), 1)
    settings = _settings(app)
    before = compute_classes(session, settings, AS_OF)[0]
    assert [f.indicator for f in before.computed.factors] == ["penalties_24m"]
    assert before.cls == "C"  # 40 points
    event_id = session.scalar(select(CreditEvent.id))
    with pytest.raises(CreditError, match="needs a reason"):
        end_event(session, event_id, date(2026, 9, 1), " ", "cli")
    with pytest.raises(CreditError, match="before the event"):
        end_event(session, event_id, date(2026, 1, 1), "r", "cli")
    end_event(session, event_id, date(2026, 9, 1), "整改完成，已公示", "cli", now=NOW)
    after = compute_classes(session, settings, AS_OF)[0]
    assert after.cls == "A" and after.computed.factors == ()
    # before the repair day it still counted
    assert compute_classes(session, settings, date(2026, 8, 31))[0].cls == "C"
    log = session.scalars(select(AuditLog).where(AuditLog.action == "credit.repair")).one()
    assert log.details["reason"] == "整改完成，已公示"
    provider = session.scalars(select(Provider)).one()
    (entry,) = timeline(session, provider, AS_OF)
    assert entry.counts is False and entry.detail["end_reason"] == "整改完成，已公示"
    with pytest.raises(CreditError, match="already ended"):
        end_event(session, event_id, date(2026, 10, 1), "again", "cli")


def test_override_holds_until_its_expiry(app, session):
    a, b = add_providers(session, 2)
    settings = _settings(app)
    with pytest.raises(CreditError, match="has passed"):
        override_class(session, a, "D", "r", date(2026, 12, 5), "catering", "cli", now=NOW)
    override_class(session, a, "D", "食品安全事故", date(2026, 12, 31), "catering", "cli", now=NOW)
    on_day = {p.key: p for p in compute_classes(session, settings, date(2026, 12, 31))}
    assert on_day[a].cls == "D" and on_day[a].computed.cls == "A"
    assert on_day[a].override["reason"] == "食品安全事故"
    assert on_day[b].cls == "A" and on_day[b].override is None
    after = {p.key: p for p in compute_classes(session, settings, date(2027, 1, 1))}
    assert after[a].cls == "A" and after[a].override is None
    assert session.scalar(select(func.count()).where(AuditLog.action == "credit.override")) == 1


def test_class_history_per_period(app, session):
    a, b = add_providers(session, 2)
    event(session, a, "abnormal", date(2026, 1, 1), 1)
    settings = _settings(app)
    assert record_classes(session, "2026Q4", compute_classes(session, settings, AS_OF)) == 2
    event(session, b, "penalty", date(2026, 11, 1), 2)
    record_classes(session, "2026Q4", compute_classes(session, settings, AS_OF))  # replaced
    rows = session.scalars(select(ClassHistory).order_by(ClassHistory.provider_id)).all()
    assert [(r.period, r.cls, r.points) for r in rows] == [("2026Q4", "C", 30), ("2026Q4", "C", 40)]
    assert rows[0].factors[0]["indicator"] == "abnormal_listings"


def test_public_timeline_shows_only_public_events(session):
    (a,) = add_providers(session, 1)
    event(session, a, "abnormal", date(2026, 1, 1), 1)
    session.add(CreditEvent(provider_id=provider_id(session, a), kind="honour",
                            occurred_on=date(2026, 2, 1), source="s", external_id="h",
                            public=True, created_at=NOW))  # fmt: skip
    session.commit()
    provider = session.scalars(select(Provider)).one()
    assert [e.kind for e in timeline(session, provider, AS_OF)] == ["honour", "abnormal"]
    assert [e.kind for e in timeline(session, provider, AS_OF, public_only=True)] == ["honour"]


def test_credit_classes_json_and_table(cli, session, tmp_path):
    a, b = add_providers(session, 2)
    event(session, a, "penalty", date(2026, 3, 1), 1)
    event(session, a, "honour", date(2026, 3, 1), 2)
    result = cli("credit", "classes", "--as-of", "2026-12-06", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_code = {p["credit_code"]: p for p in data["providers"]}
    assert by_code[a]["class"] == "C" and by_code[a]["points"] == 30  # 40 - 10; C from 30
    assert [f["indicator"] for f in by_code[a]["factors"]] == ["penalties_24m", "honours"]
    assert by_code[a]["factors"][1]["points"] == -10
    assert by_code[b]["class"] == "A" and by_code[b]["factors"] == []
    assert "posterior_share" in by_code[b]["unknown"]
    table = cli("credit", "classes", "--as-of", "2026-12-06", "--record", "2026Q4")
    assert table.exit_code == 0 and f"  {a}  " in table.output
    assert session.scalar(select(func.count()).select_from(ClassHistory)) == 2
    assert cli("credit", "classes", "--sector", "nope").exit_code == 2
    assert cli("credit", "classes", "--as-of", "2026-13-01").exit_code == 2


def test_credit_cli_import_repair_override(cli, session, tmp_path):
    (a,) = add_providers(session, 1)
    path = _write(tmp_path, HEADER + f"{a},penalty,2026-03-01,s,X1,,,\n")
    result = cli("credit", "events", "import", str(path))
    assert result.exit_code == 0 and "1 credit event(s) imported" in result.output
    again = cli("credit", "events", "import", str(path))
    assert again.exit_code == 2 and "row 2, column external_id: already imported" in again.output
    event_id = session.scalar(select(CreditEvent.id))
    fixed = cli("credit", "repair", str(event_id), "--on", "2026-06-01", "--reason", "整改")
    assert fixed.exit_code == 0, fixed.output
    assert cli("credit", "repair", "999", "--on", "2026-06-01", "--reason", "x").exit_code == 2
    today = datetime.now(UTC).date().isoformat()
    args = ["--class", "D", "--reason", "r", "--bureau", "catering"]
    assert cli("credit", "override", a, *args, "--expires", "2999-01-01").exit_code == 0
    assert cli("credit", "override", "nobody", *args, "--expires", "2999-01-01").exit_code == 2
    assert cli("credit", "override", a, *args, "--expires", "2000-01-01").exit_code == 2
    record = json.loads(cli("credit", "record", a, "--as-of", today).output)
    assert record["events"][0]["ended_on"] == "2026-06-01"


def test_a_custom_rule_file_from_the_setting(cli, session, tmp_path, monkeypatch):
    (a,) = add_providers(session, 1)
    event(session, a, "honour", date(2026, 3, 1), 1)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "name: {zh: 测试, en: test}\n"
        "factors:\n"
        "  - {indicator: honours, at_least: 1, points: 70, label: {zh: 荣誉, en: honour}}\n"
        "classes: {B: 10, C: 30, D: 60}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SURVEYAPP_CREDIT_RULES", str(rules))
    data = json.loads(cli("credit", "classes", "--format", "json", "--as-of", "2026-12-06").output)
    assert data["rules"] == {"zh": "测试", "en": "test"}
    assert data["providers"][0]["class"] == "D"
    rules.write_text("name: {zh: a, en: b}\nfactors: []\nclasses: {B: 1, C: 2, D: 3}\n", "utf-8")
    bad = cli("credit", "classes")
    assert bad.exit_code == 2
    assert "SURVEYAPP_CREDIT_RULES: rules.yaml:2: factors must be a list" in bad.output
    monkeypatch.delenv("SURVEYAPP_CREDIT_RULES")
    monkeypatch.setenv("SURVEYAPP_INSPECTION_RATES", "A:50,B:200,C:400")
    wrong = cli("credit", "classes")
    assert wrong.exit_code == 2 and "give a rate for each of A, B, C, D" in wrong.output
