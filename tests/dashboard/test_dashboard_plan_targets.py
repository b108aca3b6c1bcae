"""Each sector card shows the plans' own satisfaction targets beside the configured goal,
each judged by the one verdict rule (issue 19, item 1: "the satisfaction goal is per plan
and per indicator (80, 90 …), no longer one global number")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import IndexEstimate, RateEstimate, goal_test
from surveyapp.plans import catalogue
from surveyapp.plans.catalogue import load_plans
from surveyapp.plans.targets import plan_target_verdicts, verdict_against

PLAN = """\
id: {id}
name: {{zh: {zh}, en: "{en}"}}
document: {zh}
indicators:
{indicators}
"""

INDICATOR = """\
  - id: {id}
    name: {{zh: {zh}, en: "{en}"}}
    unit: {unit}
    direction: {direction}
    target: {{value: {target}, deadline: {deadline}}}
    bureau: 市商务局
    source: {{clause: 一、目标}}
    bound_to: {{kind: {kind}, sector: {sector}}}
"""


def _indicator(**kw: object) -> str:
    values = {
        "unit": "分",
        "direction": "at_least",
        "deadline": "2025-12-31",
        "kind": "satisfaction_index",
        "sector": "catering",
        **kw,
    }
    return INDICATOR.format(**values)


def _plan_file(folder: Path, plan_id: str, zh: str, en: str, *indicators: str) -> None:
    folder.mkdir(exist_ok=True)
    text = PLAN.format(id=plan_id, zh=zh, en=en, indicators="".join(indicators))
    (folder / f"{plan_id}.yaml").write_text(text, "utf-8")


def _write_plans(folder: Path) -> Path:
    """Two plans binding catering's index: one target nobody misses (met), one nobody
    reaches (not met); no other sector is bound."""
    low = _indicator(
        id="catering-low", zh="餐饮满意度甲", en="Catering A", target=1, deadline="2023-12-31"
    )
    _plan_file(folder, "a-2023", "甲方案", "Plan A", low)
    high = _indicator(id="catering-high", zh="餐饮满意度乙", en="Catering B", target=100)
    _plan_file(folder, "b-2025", "乙方案", "Plan B", high)
    return folder


@pytest.fixture
def test_plans(tmp_path, monkeypatch) -> Path:
    """The dashboard reads the plans of ``builtin_dir``: point it at two test plans."""
    folder = _write_plans(tmp_path / "plans")
    monkeypatch.setattr(catalogue, "builtin_dir", lambda: folder)
    return folder


def _card(html: str, qid: str) -> str:
    start = html.index(f'id="card-{qid}"')
    return html[start : html.index('<p class="meta change">', start)]  # the verdicts' part


def _lines(card: str) -> list[tuple[str, str, str]]:
    """(indicator id, verdict, text) of each plan-target line of a card."""
    return re.findall(
        r'<p class="card-verdict plan-target" data-plan="[^"]+" data-indicator="([^"]+)" '
        r'data-verdict="(\w+)"><span class="badge badge-\w+">[^<]+</span> '
        r'<span class="meta plan-target-text">([^<]+)</span></p>',
        card,
    )


def test_a_sector_with_two_plan_targets_gets_two_lines_with_their_verdicts(
    as_role, demo, test_plans
):
    html = as_role("evaluator").get(f"/dashboard?period={demo['current']}").get_data(as_text=True)
    card = _card(html, "catering")
    assert 'class="badge badge-small"' not in card.split('class="card-verdict"')[1][:80], card
    lines = _lines(card)
    assert [(i, v) for i, v, _ in lines] == [("catering-low", "met"), ("catering-high", "not_met")]
    assert lines[0][2] == "餐饮满意度甲：满意度指数 ≥ 1 分（甲方案，期限 2023-12-31）"
    assert lines[1][2] == "餐饮满意度乙：满意度指数 ≥ 100 分（乙方案，期限 2025-12-31）"
    assert "规划目标" in card
    assert "满意度指数目标 80 分" in card  # the configured verdict stays beside them

    english = as_role("evaluator").get(f"/dashboard?period={demo['current']}&lang=en")
    lines = _lines(_card(english.get_data(as_text=True), "catering"))
    assert [text for *_, text in lines] == [
        "Catering A: index ≥ 1 (Plan A, by 2023-12-31)",
        "Catering B: index ≥ 100 (Plan B, by 2025-12-31)",
    ]


def test_a_sector_without_plan_targets_shows_none(as_role, demo, test_plans):
    html = as_role("evaluator").get(f"/dashboard?period={demo['current']}").get_data(as_text=True)
    others = re.findall(r'id="card-(\w+)"', html)
    assert "catering" in others and len(others) > 1
    for qid in others:
        if qid != "catering":
            card = _card(html, qid)
            assert "plan-target" not in card and "规划目标" not in card, qid


def test_the_shipped_plan_goal_of_80_agrees_with_the_configured_goal_of_80(as_role, demo):
    """The Pu'er 2023 plan binds each sector's index at ≥ 80, the configured goal: the
    same rule must give the same verdict on every card."""
    html = as_role("evaluator").get(f"/dashboard?period={demo['current']}").get_data(as_text=True)
    cards = re.findall(r'id="card-(\w+)"', html)
    assert cards
    for qid in cards:
        card = _card(html, qid)
        configured = re.search(r'<p class="card-verdict"><span class="badge badge-(\w+)">', card)
        lines = _lines(card)
        assert configured and len(lines) == 1, qid
        assert lines[0][1] == configured.group(1), qid
        assert "2023年生活性服务业质量提升行动方案" in lines[0][2]


def test_a_broken_plan_file_costs_the_plan_lines_not_the_dashboard(
    as_role, demo, tmp_path, monkeypatch
):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "x.yaml").write_text("id: x\nindicators: [\n", "utf-8")
    monkeypatch.setattr(catalogue, "builtin_dir", lambda: folder)
    page = as_role("evaluator").get(f"/dashboard?period={demo['current']}")
    assert page.status_code == 200
    assert "plan-target" not in page.get_data(as_text=True)


# -- the rule itself, with the edges of the one-sided test --------------------------------


def _index(estimate: float, se: float) -> IndexEstimate:
    """An index analysed against another goal (80): its stored status is for that goal."""
    status, p = goal_test(estimate, se, 80.0)
    lo, hi = estimate - 1.96 * se, estimate + 1.96 * se
    return IndexEstimate(estimate, se, (lo, hi), 100, goal_status=status, p_value=p)


def test_the_verdict_is_the_goal_tests_against_the_plans_target_not_the_configured_goal():
    e = _index(76.0, 2.1)  # 95% interval 71.9-80.1; against 80: z = -1.90
    assert e.goal_status == "not_met"
    # against 79 z = -1.43 (p 0.077): inconclusive, though the estimate is below 79
    assert verdict_against(e, False, 79.0) == "inconclusive"
    assert verdict_against(e, False, 80.0) == "not_met"  # interval reaches 80: still not met
    assert verdict_against(e, False, 72.5) == "met"  # z = 1.67 > 1.645
    assert verdict_against(e, False, 72.6) == "inconclusive"  # z = 1.62
    assert verdict_against(e, True, 10.0) == "small"  # a small sample gets no verdict
    assert verdict_against(None, False, 80.0) == "small"
    nan = IndexEstimate(float("nan"), float("nan"), (float("nan"),) * 2, 0)
    assert verdict_against(nan, False, 80.0) == "small"
    assert verdict_against(e, False, 72.5, "at_most") == "not_met"  # at most: sides swap
    assert verdict_against(e, False, 80.0, "at_most") == "met"


def test_plan_targets_judge_the_measure_they_are_bound_to(tmp_path):
    folder = tmp_path / "p"
    _plan_file(
        folder,
        "c",
        "丙方案",
        "Plan C",
        _indicator(id="idx", zh="指数", en="Index", target=80),
        _indicator(
            id="rate", zh="满意率", en="Rate", target=90, unit='"%"', kind="satisfaction_rate"
        ),
        _indicator(id="lodging", zh="住宿", en="Lodging", target=80, sector="lodging"),
    )
    plans = load_plans([folder])
    rate = RateEstimate(95.0, 1.0, (93.0, 97.0), 100)  # no rate goal of its own
    got = plan_target_verdicts(plans, "catering", _index(76.0, 2.1), rate, False)
    assert [(v.indicator_id, v.measure, v.target, v.verdict) for v in got] == [
        ("idx", "index", 80.0, "not_met"),
        ("rate", "rate", 90.0, "met"),
    ]
    assert [v.verdict for v in plan_target_verdicts(plans, "catering", None, None, False)] == [
        "small",
        "small",
    ]
    assert plan_target_verdicts(plans, "domestic", _index(90.0, 1.0), rate, False) == ()
