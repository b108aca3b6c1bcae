"""``surveyapp plans``: validate (exit 0/2, one ``file:line: what`` per problem), list,
status (JSON and table, UTF-8) and values import (all or nothing, exit 2 naming rows)."""

from __future__ import annotations

import json

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import PlanValue
from tests.plans.plan_data import PLAN


def test_validate_the_shipped_plans(cli):
    result = cli("plans", "validate")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 of 3 plan file(s) valid"


def test_validate_names_each_problem_at_its_line(cli, write):
    good = write(PLAN, "good.yaml")
    bad = write(
        PLAN.replace("direction: at_most", "direction: down").replace("    unit: 张\n", ""),
        "bad.yaml",
    )
    result = cli("plans", "validate", str(good.parent))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{bad}:6: unit is missing",
        f"{bad}:16: direction must be at_least or at_most, not 'down'",
    ]
    assert result.stdout.strip() == "1 of 2 plan file(s) valid"
    assert cli("plans", "validate", str(good)).exit_code == 0
    missing = cli("plans", "validate", str(good.parent / "none.yaml"))
    assert missing.exit_code == 2 and "none.yaml: no such file or folder" in missing.stderr


def test_list_gives_every_shipped_indicator_as_json(cli):
    result = cli("plans", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["tolerance_pp"] == 5.0
    shanghai = next(p for p in doc["plans"] if p["id"] == "shanghai-2025-life-services")
    assert (shanghai["document_no"], shanghai["issued"]) == ("沪府办发〔2022〕23号", "2022-12-02")
    by_id = {(i["plan"], i["id"]): i for i in doc["indicators"]}
    assert len(by_id) == len(doc["indicators"]) > 50
    breakfast = by_id["puer-2023-quality", "circle-breakfast"]
    assert breakfast["target"] == {"value": 100.0, "deadline": "2020-12-31"}
    # computed by the 15-minute circle, which has no communities in this database
    assert (breakfast["status"], breakfast["value_source"], breakfast["note"]) == (
        "no_data",
        "none",
        "no communities imported for the 15-minute circle",
    )
    beds = by_id["shanghai-2025-life-services", "elderly-care-beds"]
    assert (beds["unit"], beds["baseline"], beds["value"], beds["status"]) == (
        "万张",
        None,
        None,
        "no_data",
    )
    assert beds["source"]["clause"] == "四（十四）构建老年友好型社会"
    satisfaction = by_id["puer-2023-quality", "satisfaction-catering"]
    assert satisfaction["bound_to"] == {"kind": "satisfaction_index", "sector": "catering"}
    assert satisfaction["value_source"] == "none"  # computed, but no catering round yet


def test_values_import_then_status_and_list(cli, app, write, values_csv):
    plans = str(write(PLAN, "test-plan.yaml"))
    values = values_csv(
        "test-plan,beds,2023H2,70,统计局", "test-plan,waiting-days,2023H2,25,民政局"
    )
    result = cli("plans", "values", "import", str(values), "--plans", plans)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"2 value(s) in {values}: 2 new, 0 corrected, 0 unchanged"

    status = cli("plans", "status", "--period", "2023H2", "--plans", plans, "--format", "json")
    assert status.exit_code == 0, status.output
    doc = json.loads(status.stdout)
    assert (doc["period"], doc["judged_on"]) == ("2023H2", "2023-12-31")
    assert {i["id"]: i["status"] for i in doc["indicators"]} == {
        "beds": "on_track", "waiting-days": "behind", "kindergartens": "no_data",
        "satisfaction-catering": "no_data", "circle-breakfast": "no_data",  # coverage: today only
    }  # fmt: skip
    wide = cli("plans", "status", "--period", "2023H2", "--plans", plans, "--format", "json",
               "--tolerance", "30")  # fmt: skip
    statuses = {i["id"]: i["status"] for i in json.loads(wide.stdout)["indicators"]}
    assert statuses["waiting-days"] == "on_track"  # 25 vs 20.03: 24.9 pp of the span

    table = cli("plans", "status", "--period", "2023H2", "--plans", plans)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["方案", "plan", "指标", "indicator"]
    beds = next(line for line in lines if " beds " in line)
    assert "养老床位" in beds and "60 (2022-12-31)" in beds and "≥ 80 张" in beds
    assert "基本符合预期 on track" in beds
    listed = cli("plans", "list", "--plans", plans)
    assert (
        listed.exit_code == 0 and "滞后 behind schedule" not in listed.stdout
    )  # judged today: missed
    assert "未按期实现" in listed.stdout


def test_values_import_refuses_a_bad_file_whole(cli, app, write, values_csv, tmp_path):
    plans = str(write(PLAN, "test-plan.yaml"))
    values = values_csv("test-plan,beds,2023H2,70,统计局", "test-plan,beds,2023H3,70,统计局")
    result = cli("plans", "values", "import", str(values), "--plans", plans)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {values}: row 3, column period: '2023H3' is not a period like 2025, 2025H2, 2025Q4 or 2025M12",
        "nothing imported (1 problem(s))",
    ]
    with app.app_context():
        assert db.session.scalars(select(PlanValue)).all() == []
    bad_period = cli("plans", "status", "--period", "soon", "--plans", plans)
    assert bad_period.exit_code == 2 and "--period: 'soon' is not a period" in bad_period.stderr
    year_zero = cli("plans", "status", "--period", "0000", "--plans", plans)
    assert year_zero.exit_code == 2 and "--period: '0000' is not a period" in year_zero.stderr
    bad_plans = cli("plans", "list", "--plans", str(tmp_path / "missing"))
    assert bad_plans.exit_code == 2 and "no such file or folder" in bad_plans.stderr
    negative = cli("plans", "list", "--plans", plans, "--tolerance", "-1")
    assert negative.exit_code == 2 and "--tolerance" in negative.stderr
