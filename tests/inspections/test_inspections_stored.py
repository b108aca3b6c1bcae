"""The draw from stored data: inspectors and their conflicts, the sealed plan (reproduced
by --verify), the previous period's pairs, --dry-run, and the results fed back."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from surveyapp.inspections import DrawInputs, canonical_json, draw
from surveyapp.models import Provider
from surveyapp.models.credit import CreditEvent, InspectionPlan, Inspector, InspectorConflict
from tests.credit.credit_data import add_providers, credit_code, event

POOL = "inspector_id,name,conflicts,status\n"


def _csv(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _pool(cli, tmp_path, rows, name="pool.csv"):
    return cli("inspections", "inspectors", "import", _csv(tmp_path, name, POOL + rows))


def _draw(cli, *extra):
    return cli("inspections", "draw", "--sector", "catering", "--as-of", "2026-12-06",
               "--format", "json", *extra)  # fmt: skip


def test_inspectors_import_with_conflicts_and_row_errors(cli, session, tmp_path):
    a, b = add_providers(session, 2)
    result = _pool(cli, tmp_path, f"i1,张三,{a},\ni2,李四,,在岗\ni3,王五,{a};{b},停用\n")
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated" in result.output
    conflicts = session.execute(select(Inspector.code, func.count()).join(InspectorConflict)
                                .group_by(Inspector.code).order_by(Inspector.code)).all()  # fmt: skip
    assert conflicts == [("i1", 1), ("i3", 2)]
    # an update replaces the declared conflicts; a bad file changes nothing
    assert "0 added, 1 updated" in _pool(cli, tmp_path, "i1,张三,,\n").output
    bad = _pool(cli, tmp_path, "i4,赵六,,\ni4,重复,,\n,无号,,\ni5,x,NOPE,\ni6,y,,休假\n")
    assert bad.exit_code == 2
    assert "row 3, column inspector_id: repeats row 2" in bad.output
    assert "row 4, column inspector_id: 1 to 64 characters" in bad.output
    assert "row 5, column conflicts: NOPE is not in the registry" in bad.output
    assert "row 6, column status:" in bad.output
    assert session.scalar(select(func.count()).select_from(Inspector)) == 3
    assert session.scalar(select(func.count()).select_from(InspectorConflict)) == 2
    missing = cli("inspections", "inspectors", "import", _csv(tmp_path, "m.csv", "name\nx\n"))
    assert (
        missing.exit_code == 2 and "row 1, column inspector_id: column is missing" in missing.output
    )


def test_draw_from_stored_data_is_sealed_and_verified(cli, session, tmp_path):
    codes = add_providers(session, 40)
    for n, code in enumerate(codes[:8]):
        event(session, code, "penalty", date(2026, 5, 1), n)  # class C: 40 points
    assert _pool(cli, tmp_path, "".join(f"i{k},人{k},,\n" for k in range(6))).exit_code == 0
    dry = _draw(cli, "--period", "2026Q4", "--seed", "7", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing stored" in dry.output
    assert session.scalar(select(func.count()).select_from(InspectionPlan)) == 0
    stored = _draw(cli, "--period", "2026Q4", "--seed", "7")
    assert stored.exit_code == 0 and "plan sealed" in stored.output
    # the plan JSON is the first line; dry run and stored draw print the same bytes
    dry_json, stored_json = dry.stdout.splitlines()[0], stored.stdout.splitlines()[0]
    assert dry_json == stored_json
    plan = json.loads(stored_json)
    assert plan["seed"] == 7
    assert plan["inputs"]["rates_per_mille"] == {"A": 50, "B": 200, "C": 400, "D": 800}
    classes = {p["id"]: p["class"] for p in plan["inputs"]["providers"]}
    assert sum(c == "C" for c in classes.values()) == 8 and len(classes) == 40
    # ceil(400 * 8 / 1000) = 4 of class C, ceil(50 * 32 / 1000) = 2 of class A
    assert [d["class"] for d in plan["drawn"]].count("C") == 4
    assert [d["class"] for d in plan["drawn"]].count("A") == 2
    assert all(len(d["inspectors"]) == 2 for d in plan["drawn"])
    # the stored plan verifies, and equals what was printed
    printed = cli("inspections", "plan", "--sector", "catering", "--period", "2026Q4")
    assert printed.output.strip() == stored_json
    path = _csv(tmp_path, "plan.json", printed.output)
    verified = cli("inspections", "draw", "--verify", path)
    assert verified.exit_code == 0 and "reproduced: seed 7" in verified.output
    # the same inputs are re-drawn identically by the pure draw
    again = draw(DrawInputs.from_json(plan["inputs"]), 7).as_json()
    assert canonical_json(again).decode() == stored_json
    # a sealed plan is never redrawn
    twice = _draw(cli, "--period", "2026Q4", "--seed", "8")
    assert twice.exit_code == 2 and "already sealed" in twice.output


def test_a_fresh_seed_is_printed_in_the_plan(cli, session, tmp_path):
    add_providers(session, 5)
    _pool(cli, tmp_path, "i1,a,,\ni2,b,,\n")
    one = json.loads(_draw(cli, "--period", "2026Q4", "--dry-run").stdout.splitlines()[0])
    two = json.loads(_draw(cli, "--period", "2026Q4", "--dry-run").stdout.splitlines()[0])
    assert isinstance(one["seed"], int) and one["seed"] != two["seed"]


def test_conflicts_and_previous_pairs_are_avoided(cli, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_INSPECTION_RATES", "A:1000,B:1000,C:1000,D:1000")
    codes = add_providers(session, 6)
    _pool(cli, tmp_path, f"i1,a,{codes[0]},\ni2,b,,\ni3,c,,\ni4,d,,\n")
    plan3 = json.loads(_draw(cli, "--period", "2026Q3", "--seed", "1").stdout.splitlines()[0])
    assert plan3["inputs"]["rates_per_mille"]["A"] == 1000
    assert plan3["inputs"]["conflicts"] == [[codes[0], "i1"]]
    assert {d["id"] for d in plan3["drawn"]} == set(codes) and plan3["unassigned"] == []
    pairs3 = {(d["id"], i) for d in plan3["drawn"] for i in d["inspectors"]}
    assert all(i != "i1" for p, i in pairs3 if p == codes[0])
    plan4 = json.loads(_draw(cli, "--period", "2026Q4", "--seed", "1").stdout.splitlines()[0])
    assert {tuple(p) for p in plan4["inputs"]["previous_pairs"]} == pairs3
    # codes[0]: i1 barred by the conflict, two of i2-i4 by last period: one left, unassigned
    assert plan4["unassigned"] == [{"id": codes[0], "class": "A"}]
    for entry in plan4["drawn"]:  # the others get exactly the two they did not have
        before = {i for p, i in pairs3 if p == entry["id"]}
        assert set(entry["inspectors"]) == {"i1", "i2", "i3", "i4"} - before


def test_districts_select_providers_and_bad_options_exit_2(cli, session, tmp_path):
    add_providers(session, 3, district="思茅区")
    other = Provider(credit_code=credit_code(99), name="x", district="宁洱县", status="open")
    other.sectors = ["catering"]
    session.add(other)
    session.commit()
    _pool(cli, tmp_path, "i1,a,,\ni2,b,,\n")
    out = _draw(cli, "--period", "2026Q4", "--districts", "宁洱县", "--seed", "3", "--dry-run")
    plan = json.loads(out.stdout.splitlines()[0])
    assert [p["id"] for p in plan["inputs"]["providers"]] == [credit_code(99)]
    assert plan["inputs"]["districts"] == ["宁洱县"]
    assert _draw(cli, "--period", "2026Q5").exit_code == 2
    assert cli("inspections", "draw", "--sector", "nope", "--period", "2026Q4").exit_code == 2
    assert cli("inspections", "draw").exit_code == 2


@pytest.fixture
def sealed(cli, session, tmp_path):
    codes = add_providers(session, 10)
    for n, code in enumerate(codes):
        event(session, code, "penalty", date(2026, 5, 1), n)
        event(session, code, "abnormal", date(2026, 5, 1), 100 + n)  # class D, 800‰
    _pool(cli, tmp_path, "i1,a,,\ni2,b,,\ni3,c,,\n")
    plan = json.loads(_draw(cli, "--period", "2026Q4", "--seed", "5").stdout.splitlines()[0])
    return [d["id"] for d in plan["drawn"]], [c for c in codes if c not in
                                              {d["id"] for d in plan["drawn"]}]  # fmt: skip


def test_results_feed_the_credit_record(cli, session, tmp_path, sealed):
    drawn, not_drawn = sealed
    head = "credit_code,inspected_on,result,findings\n"
    bad = (f"{drawn[0]},2026-12-01,合格,\n{drawn[0]},2026-12-01,合格,\n"
           f"{not_drawn[0]},2026-12-01,合格,\n{drawn[1]},2026-12-01,不合格,\n"
           f"{drawn[2]},2026-12-41,pass,\n{drawn[3]},2026-12-01,maybe,\n")  # fmt: skip
    result = cli("inspections", "results", "import", _csv(tmp_path, "r.csv", head + bad),
                 "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert result.exit_code == 2
    for line in ("row 3, column credit_code: repeats row 2",
                 "row 4, column credit_code:", "row 5, column findings: a failed inspection",
                 "row 6, column inspected_on:", "row 7, column result:"):  # fmt: skip
        assert line in result.output
    assert session.scalar(select(func.count()).where(CreditEvent.kind == "inspection")) == 0
    good = f"{drawn[0]},2026-12-01,合格,\n{drawn[1]},2026/12/2,不合格,后厨卫生不达标\n"
    result = cli("inspections", "results", "import", _csv(tmp_path, "g.csv", head + good, "gbk"),
                 "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert result.exit_code == 0 and "2 inspection result(s)" in result.output
    rows = session.scalars(select(CreditEvent).where(CreditEvent.kind == "inspection")
                           .order_by(CreditEvent.external_id)).all()  # fmt: skip
    assert {(r.external_id, r.outcome) for r in rows} == {(drawn[0], "合格"), (drawn[1], "不合格")}
    again = cli("inspections", "results", "import", _csv(tmp_path, "g2.csv", head + good),
                "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert again.exit_code == 2 and "entered already" in again.output
    classes = json.loads(cli("credit", "classes", "--format", "json", "--as-of",
                             "2026-12-06").output)["providers"]  # fmt: skip
    failed = next(p for p in classes if p["id"] == drawn[1])
    assert "failed_inspections_24m" in [f["indicator"] for f in failed["factors"]]
    none = cli("inspections", "results", "import", _csv(tmp_path, "n.csv", head + good),
               "--sector", "catering", "--period", "2025Q1")  # fmt: skip
    assert none.exit_code == 2 and "no plan" in none.output
