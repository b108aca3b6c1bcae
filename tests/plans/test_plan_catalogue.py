"""Plan files: the shipped plans, and every problem of a bad file at its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from setuptools import find_packages
from setuptools.config.setupcfg import read_configuration

from surveyapp.plans import PlanError, builtin_dir, load_plan, load_plans, validate_files
from tests.plans.plan_data import PLAN

ROOT = Path(__file__).resolve().parents[2]


def _problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(text, "p.yaml")
    return caught.value.problems


def test_the_test_plan_reads_whole():
    plan = load_plan(PLAN, "p.yaml")
    assert (plan.id, plan.name.zh, plan.document, plan.issued) == (
        "test-plan", "测试方案", "测试文件", date(2023, 1, 15),
    )  # fmt: skip
    beds = plan.indicator("beds")
    assert beds is not None
    assert (beds.direction, beds.baseline, beds.baseline_date, beds.target, beds.deadline) == (
        "at_least", 60.0, date(2022, 12, 31), 80.0, date(2024, 12, 31),
    )  # fmt: skip
    assert beds.document == "测试文件"  # the plan's document unless the source names one
    waiting = plan.indicator("waiting-days")
    assert waiting is not None and waiting.document == "另一文件"
    kinder = plan.indicator("kindergartens")
    assert kinder is not None and kinder.baseline is None and kinder.bound_to is None
    sat = plan.indicator("satisfaction-catering")
    assert sat is not None and sat.bound_to is not None and sat.target == 90.0
    assert (sat.bound_to.kind, sat.bound_to.sector, sat.bound_to.computed) == (
        "satisfaction_index", "catering", True,
    )  # fmt: skip
    circle = plan.indicator("circle-breakfast")
    assert circle is not None and circle.bound_to is not None
    assert (circle.bound_to.service_type, circle.bound_to.computed) == ("早餐店", True)


def test_the_shipped_plans_are_valid_and_carry_the_seeds_targets():
    count, problems = validate_files()
    assert (count, problems) == (3, [])
    plans = {p.id: p for p in load_plans()}
    assert set(plans) == {"puer-2023-quality", "lincang-2025-life-services",
                          "shanghai-2025-life-services"}  # fmt: skip

    def target(plan: str, indicator: str) -> tuple[float, date]:
        found = plans[plan].indicator(indicator)
        assert found is not None, indicator
        return found.target, found.deadline

    puer = plans["puer-2023-quality"]
    satisfaction = [
        i for i in puer.indicators if i.bound_to and i.bound_to.kind == "satisfaction_index"
    ]
    assert sorted(i.bound_to.sector for i in satisfaction if i.bound_to) == sorted(
        ["elderly_care", "domestic", "catering", "lodging", "supermarket", "logistics"]
    )
    assert {(i.target, i.deadline) for i in satisfaction} == {(80.0, date(2023, 12, 31))}
    circle = [i for i in puer.indicators if i.bound_to and i.bound_to.kind == "circle_coverage"]
    assert {i.bound_to.service_type for i in circle if i.bound_to} == {
        "便利店", "早餐店", "蔬菜零售", "洗染", "美容美发", "家政服务", "代收代缴", "再生资源回收",
    }  # fmt: skip
    # the 2020 target carried into the 2023 plan
    assert {(i.target, i.deadline) for i in circle} == {(100.0, date(2020, 12, 31))}
    assert target("puer-2023-quality", "community-commercial-floor-share")[0] == 10
    assert target("lincang-2025-life-services", "childcare-places-per-1000") == (
        4.5,
        date(2025, 12, 31),
    )
    assert target("lincang-2025-life-services", "elderly-carers-certified")[0] == 100
    assert target("lincang-2025-life-services", "inclusive-kindergarten-coverage")[0] == 85
    assert target("lincang-2025-life-services", "sports-ground-per-capita")[0] == 2.5
    assert target("lincang-2025-life-services", "sports-instructors-per-1000")[0] == 2.5
    assert target("shanghai-2025-life-services", "walk15-health")[0] == 85
    assert target("shanghai-2025-life-services", "community-service-centres-coverage")[0] == 100
    assert target("shanghai-2025-life-services", "elderly-care-beds")[0] == 17.8
    assert target("shanghai-2025-life-services", "dementia-care-beds")[0] == 1.5
    # no baseline is invented: the seeds give none
    assert all(i.baseline is None for p in plans.values() for i in p.indicators)


def test_the_plans_folder_is_packaged_where_builtin_dir_looks():
    assert builtin_dir() == ROOT / "plans"
    config = read_configuration(ROOT / "setup.cfg")
    options = config["options"]
    found = (
        find_packages(str(ROOT), include=options["packages"]["find"]["include"])
        if isinstance(options["packages"], dict)
        else options["packages"]
    )
    assert "plans" in found
    patterns = options["package_data"]["plans"]
    shipped = {p.name for pattern in patterns for p in builtin_dir().glob(pattern)}
    assert shipped == {p.name for p in builtin_dir().glob("*.yaml")} and len(shipped) == 3


def test_every_problem_is_reported_at_its_line():
    text = """\
id: Bad Id
name: {zh: 方案}
document: 文件
extra: 1
indicators:
  - id: a
    name: {zh: 甲, en: A}
    unit: "%"
    direction: upwards
    target: {value: high, deadline: "2025-02-30"}
    bureau: 局
    source: {clause: 一}
  - id: a
    name: {zh: 乙, en: B}
    unit: "%"
    direction: at_most
    baseline: {value: 5, date: 2026-01-01}
    target: {value: 1, deadline: 2025-12-31}
    bureau: 局
    source: {clause: 一}
    bound_to: {kind: satisfaction_index, sector: bakery}
"""
    assert _problems(text) == [
        "p.yaml:1: id must be lower-case letters, digits, - or _ (not 'Bad Id')",
        "p.yaml:2: name needs zh and en text",
        "p.yaml:4: unknown key 'extra' (one of id, name, document, document_no, issuer, issued, indicators)",
        "p.yaml:9: direction must be at_least or at_most, not 'upwards'",
        "p.yaml:10: value must be a number (not 'high')",
        "p.yaml:10: deadline must be a date like 2025-12-31 (not '2025-02-30')",
        "p.yaml:13: indicator id 'a' is used already on line 6",
        "p.yaml:17: the baseline's date 2026-01-01 is not before the deadline 2025-12-31",
        "p.yaml:21: unknown sector 'bakery' (one of elderly_care, domestic, catering, lodging, supermarket, logistics)",
    ]


def test_missing_keys_and_bindings_are_named():
    text = """\
id: p
name: {zh: 方案, en: Plan}
document: 文件
indicators:
  - id: a
    name: {zh: 甲, en: A}
    direction: at_least
    target: {value: 1}
    source: {}
    bound_to: {kind: circle_coverage}
  - id: b
    name: {zh: 乙, en: B}
    unit: 个
    direction: at_least
    target: {value: 1, deadline: 2025-12-31}
    bureau: 局
    source: {clause: 一}
    bound_to: {kind: weather}
  - just text
"""
    assert _problems(text) == [
        "p.yaml:5: unit is missing",
        "p.yaml:5: bureau is missing",
        "p.yaml:8: deadline must be a date like 2025-12-31 (missing)",
        "p.yaml:9: clause is missing",
        "p.yaml:10: service_type is missing",
        "p.yaml:18: kind must be one of satisfaction_index, satisfaction_rate, circle_coverage, "
        "provider_count, complaints_mediation_rate, not 'weather'",
        "p.yaml:19: an indicator is a mapping (id, name, unit, direction, target, bureau, source)",
    ]


def test_duplicate_keys_and_yaml_errors_at_their_line():
    duplicate = PLAN.replace("document: 测试文件\n", "document: 测试文件\ndocument: 又一个\n", 1)
    assert _problems(duplicate) == ["p.yaml:4: duplicate key 'document' (also on line 3)"]
    assert _problems("id: [unclosed\n") == [
        "p.yaml:2: not YAML (expected ',' or ']', but got '<stream end>')"
    ]
    assert _problems("- a list\n") == [
        "p.yaml:1: a plan file is a mapping with id, name, document and indicators"
    ]


def test_a_time_of_day_is_not_a_date():
    text = PLAN.replace("date: 2022-12-31}", "date: 2022-12-31 08:00:00}", 1)
    line = text.splitlines().index("    baseline: {value: 60, date: 2022-12-31 08:00:00}") + 1
    assert _problems(text) == [
        f"p.yaml:{line}: date must be a date like 2025-12-31 "
        "(not datetime.datetime(2022, 12, 31, 8, 0))"
    ]


def test_a_date_that_is_no_day_of_the_calendar_is_named_at_its_line():
    text = PLAN.replace("deadline: 2025-12-31}", "deadline: 2025-13-01}")
    line = text.splitlines().index("    target: {value: 85, deadline: 2025-13-01}") + 1
    assert _problems(text) == [f"p.yaml:{line}: 2025-13-01 is not a date (month must be in 1..12)"]


def test_an_alias_bomb_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    problems = _problems(bomb)
    assert len(problems) == 1 and "aliases" in problems[0] and problems[0].startswith("p.yaml:")


def test_files_not_utf8_and_two_files_with_one_plan_id(write):
    write(PLAN, "a.yaml")
    second = write(PLAN, "b.yaml")
    bad = write("id: 方案\n", "c.yaml", encoding="gb18030")
    count, problems = validate_files([second.parent])
    assert count == 3
    assert problems == [
        f"{second}:1: plan id 'test-plan' is used already by {second.parent / 'a.yaml'}",
        f"{bad}:1: not UTF-8 text",
    ]
    with pytest.raises(PlanError):
        load_plans([second.parent])
    with pytest.raises(FileNotFoundError):
        validate_files([second.parent / "missing.yaml"])


def _paths(data, path=()):
    """Every path to a value of ``data`` (mappings and lists walked)."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


@pytest.mark.parametrize("odd", [None, 7, True, "x", [1, [2]], {"a": {"b": 1}}, "2025-12-31"])
def test_any_value_of_any_type_anywhere_is_a_plan_error_never_a_crash(odd):
    import copy

    import yaml

    data = yaml.safe_load(PLAN)
    for path in list(_paths(data))[1:]:
        changed = copy.deepcopy(data)
        parent = changed
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = odd
        text = yaml.safe_dump(changed, allow_unicode=True)
        try:
            load_plan(text, "p.yaml")
        except PlanError as exc:
            assert all(p.startswith("p.yaml:") for p in exc.problems), (path, exc.problems)


def test_sectors_name_the_bureaus_that_report_an_indicator():
    from surveyapp.plans import satisfaction_targets

    plans = {p.id: p for p in load_plans()}
    beds = plans["shanghai-2025-life-services"].indicator("elderly-care-beds")
    assert beds is not None and beds.entry_sectors == ("elderly_care",)
    revenue = plans["puer-2023-quality"].indicator("catering-revenue")
    assert revenue is not None and revenue.entry_sectors == ("catering",)
    kinder = plans["lincang-2025-life-services"].indicator("inclusive-kindergarten-coverage")
    assert kinder is not None and kinder.entry_sectors == ()  # administrators only
    bound = plans["puer-2023-quality"].indicator("satisfaction-lodging")
    assert bound is not None and bound.sectors == () and bound.entry_sectors == ("lodging",)
    # each plan its own satisfaction goal for a sector
    goals = satisfaction_targets(plans.values(), "catering")
    assert [(p.id, i.target) for p, i in goals] == [("puer-2023-quality", 80.0)]
    text = PLAN.replace(
        "    bureau: 市教育局\n",
        "    bureau: 市教育局\n    sectors: [catering, schools, catering]\n",
    )
    with pytest.raises(PlanError) as caught:
        load_plan(text, "p.yaml")
    line = text.splitlines().index("    sectors: [catering, schools, catering]") + 1
    assert caught.value.problems == [
        f"p.yaml:{line}: unknown sector 'schools' (one of "
        "elderly_care, domestic, catering, lodging, supermarket, logistics)",
        f"p.yaml:{line}: sector 'catering' is listed twice",
    ]
    with pytest.raises(PlanError, match="sectors must be a list"):
        load_plan(PLAN.replace("    bureau: 市教育局\n", "    bureau: 市教育局\n    sectors: x\n"))
