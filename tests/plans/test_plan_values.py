"""Values of plan indicators: entered, corrected as new rows (history kept), audited;
a CSV file all or nothing with every bad row and column named.  Runs on SQLite and,
with SURVEYAPP_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.extensions import db
from surveyapp.models import AuditLog, PlanValue
from surveyapp.plans import (
    EntryError,
    current_values,
    enter_value,
    import_values,
    load_plan,
    read_values,
    value_history,
)
from surveyapp.responses.importer import ImportFailed
from tests.plans.plan_data import PLAN

PLANS = [load_plan(PLAN, "test-plan.yaml")]


def _enter(value, period="2023Q4", note="统计局季报", indicator="beds"):
    return enter_value(
        db.session, PLANS, "bureau-a", plan_id="test-plan", indicator_id=indicator,
        period=period, value=value, note=note,
    )  # fmt: skip


def test_a_correction_is_a_new_row_and_the_history_stays(session):
    first = _enter(65)
    assert first is not None and first.supersedes_id is None
    assert _enter(65) is None  # the same value and source again: nothing new
    second = _enter(66.5, note="统计局季报（更正）")
    assert second is not None and second.supersedes_id == first.id
    history = value_history(db.session, "test-plan", "beds", "2023Q4")
    assert [(r.value, r.note) for r in history] == [
        (65.0, "统计局季报"),
        (66.5, "统计局季报（更正）"),
    ]
    current = current_values(db.session, ["test-plan"])
    assert list(current) == [("test-plan", "beds", "2023Q4")]
    assert current["test-plan", "beds", "2023Q4"].value == 66.5
    assert current["test-plan", "beds", "2023Q4"].entered_by == "bureau-a"
    audit = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(a.action, a.target) for a in audit] == [
        ("plan_value.enter", "plan:test-plan/beds/2023Q4"),
        ("plan_value.correct", "plan:test-plan/beds/2023Q4"),
    ]
    assert audit[1].details == {
        "value": 66.5, "note": "统计局季报（更正）",
        "previous": {"value": 65.0, "note": "统计局季报", "id": first.id},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"plan_id": "nope"}, "plan", "no plan 'nope'"),
        ({"indicator_id": "nope"}, "indicator", "has no indicator 'nope'"),
        ({"indicator_id": "satisfaction-catering"}, "indicator", "is computed"),
        ({"indicator_id": "circle-breakfast"}, "indicator", "is computed"),
        ({"period": "2023Q5"}, "period", "is not a period"),
        ({"value": "many"}, "value", "is not a number"),
        ({"value": float("nan")}, "value", "is not a number"),
        ({"value": True}, "value", "is not a number"),
        ({"note": "  "}, "note", "来源说明"),
        ({"note": "长" * 501}, "note", "longer than 500"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(session, kwargs, field, words):
    given = {"plan_id": "test-plan", "indicator_id": "beds", "period": "2023Q4",
             "value": 1, "note": "来源"} | kwargs  # fmt: skip
    with pytest.raises(EntryError) as caught:
        enter_value(db.session, PLANS, "bureau-a", **given)
    assert caught.value.field == field and words in caught.value.message
    assert db.session.scalars(select(PlanValue)).all() == []


def test_one_chain_per_indicator_and_period_is_kept_by_the_database(session):
    first = _enter(65)
    assert first is not None
    now = datetime.now(UTC)
    row = dict(plan_id="test-plan", indicator_id="beds", period="2023Q4", value=1.0,
               note="n", entered_by="x", entered_at=now)  # fmt: skip
    db.session.add(PlanValue(**row))  # a second first entry
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(PlanValue(**row, supersedes_id=first.id))
    db.session.commit()
    db.session.add(PlanValue(**row, supersedes_id=first.id))  # a fork of the chain
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_values_file_is_read_with_chinese_headers(session, tmp_path, encoding):
    path = tmp_path / "values.csv"
    path.write_text(
        "方案,指标,期间,数值,来源说明\n"
        'test-plan,beds,2023Q4,"1,234.5",统计局\n'
        "test-plan,waiting-days,2024,12,民政局函\n",
        encoding=encoding,
    )
    entries = read_values(path, PLANS, name="values.csv")
    assert [(e.indicator_id, e.period, e.value, e.note, e.row) for e in entries] == [
        ("beds", "2023Q4", 1234.5, "统计局", 2),
        ("waiting-days", "2024", 12.0, "民政局函", 3),
    ]


def test_every_bad_row_and_column_is_named_and_nothing_is_stored(session, values_csv):
    _enter(65)
    path = values_csv(
        "test-plan,beds,2024Q1,70,ok",
        "test-plan,beds,2024Q5,70,ok",
        "test-plan,satisfaction-catering,2024Q1,85,ok",
        "test-plan,beds,2024Q2,lots,ok",
        "test-plan,beds,2024Q3,72,",
        "other,beds,2024Q1,1,ok",
        "test-plan,beds,2024Q1,71,again",
    )
    with pytest.raises(ImportFailed) as caught:
        read_values(path, PLANS, name="values.csv")
    assert caught.value.lines() == [
        "values.csv: row 3, column period: '2024Q5' is not a period like 2025, 2025H2, 2025Q4 or 2025M12",
        "values.csv: row 4, column indicator: 'satisfaction-catering' is computed (satisfaction_index), not entered",
        "values.csv: row 5, column value: 'lots' is not a number",
        "values.csv: row 6, column note: say where the value comes from (来源说明)",
        "values.csv: row 7, column plan: no plan 'other' (one of test-plan)",
        "values.csv: row 8, column indicator: beds 2024Q1 is given already on row 2",
    ]
    assert len(db.session.scalars(select(PlanValue)).all()) == 1


def test_a_bad_header_is_named(session, values_csv):
    path = values_csv("x,y,z,1", header="plan,indicator,period,amount")
    with pytest.raises(ImportFailed) as caught:
        read_values(path, PLANS, name="v.csv")
    assert caught.value.lines() == [
        "v.csv: row 1, column amount: unknown column (the columns: plan, indicator, period, value, note)",
        "v.csv: row 1, column value: the column is missing (or 数值)",
        "v.csv: row 1, column note: the column is missing (or 来源说明)",
    ]


def test_an_import_enters_corrects_and_skips_in_one_transaction(session, values_csv):
    _enter(65)
    path = values_csv(
        "test-plan,beds,2023Q4,66,统计局季报",
        "test-plan,beds,2024Q4,72,统计局年报",
        "test-plan,waiting-days,2024Q4,20,民政局函",
    )
    entries = read_values(path, PLANS, name="values.csv")
    outcome = import_values(db.session, entries, "cli", file="values.csv")
    assert (outcome.entered, outcome.corrected, outcome.unchanged) == (2, 1, 0)
    again = import_values(db.session, entries, "cli", file="values.csv")
    assert (again.entered, again.corrected, again.unchanged) == (0, 0, 3)
    current = current_values(db.session, ["test-plan"])
    assert {k: v.value for k, v in current.items()} == {
        ("test-plan", "beds", "2023Q4"): 66.0,
        ("test-plan", "beds", "2024Q4"): 72.0,
        ("test-plan", "waiting-days", "2024Q4"): 20.0,
    }
    actions = [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["plan_value.enter", "plan_value.correct", "plan_value.enter",
                       "plan_value.enter", "plan_value.import", "plan_value.import"]  # fmt: skip
    correct = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "plan_value.correct")
    ).one()
    assert correct.details is not None and correct.details["row"] == 2


def test_an_entry_racing_another_stores_nothing_and_says_so(session, values_csv, monkeypatch):
    from surveyapp.plans import values as values_module

    entries = read_values(values_csv("test-plan,beds,2023Q4,66,统计局"), PLANS, name="v.csv")
    _enter(65)  # stored by someone else after this file was read and checked ...
    monkeypatch.setattr(values_module, "_current", lambda session, keys: {})  # ... unseen
    with pytest.raises(EntryError, match="changed while this was entered: nothing stored"):
        import_values(db.session, entries, "cli", file="v.csv")
    with pytest.raises(EntryError, match="beds 2023Q4 changed while this was entered"):
        _enter(67)
    assert [r.value for r in db.session.scalars(select(PlanValue))] == [65.0]
    assert [a.action for a in db.session.scalars(select(AuditLog))] == ["plan_value.enter"]
