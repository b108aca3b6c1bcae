"""The inspection draw: the spec's hash-ordering rule, conflicts, reproducibility."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from surveyapp.inspections import DrawInputs, PlanError, canonical_json, draw, verify_plan


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _inputs(**over) -> DrawInputs:
    providers = {f"91530800MA{n:08d}": "ABCD"[n % 4] for n in range(40)}
    base = dict(
        sector="catering",
        period="2026Q4",
        providers=providers,
        rates_per_mille={"A": 50, "B": 200, "C": 400, "D": 800},
        inspectors=[f"insp-{k}" for k in range(6)],
        districts=["思茅区", "宁洱哈尼族彝族自治县"],
    )
    base.update(over)
    return DrawInputs(**base)


def test_each_class_draws_the_ceiling_of_its_rate_in_hash_order():
    inputs = _inputs()
    plan = draw(inputs, seed=20261206)
    for cls, rate in {"A": 50, "B": 200, "C": 400, "D": 800}.items():
        members = [p for p, c in inputs.providers.items() if c == cls]  # 10 each
        take = -(-rate * len(members) // 1000)  # ceil(0.5)=1, 2, 4, 8
        expected = sorted(members, key=lambda p: _sha(f"20261206:{p}"))[:take]
        got = [d["id"] for d in plan.drawn + plan.unassigned if d["class"] == cls]
        assert sorted(got) == sorted(expected) and len(got) == take
    assert [d["class"] for d in plan.drawn] == sorted(d["class"] for d in plan.drawn)


def test_two_inspectors_by_hash_order_skipping_conflicts_and_last_periods_pairs():
    inputs = _inputs()
    first = draw(inputs, seed=7).drawn[0]
    pid = first["id"]
    ranked = sorted(inputs.inspectors, key=lambda i: _sha(f"7:{pid}:{i}"))
    assert first["inspectors"] == ranked[:2]
    # the first inspected it last period, the third declared a conflict: the second and fourth
    barred = _inputs(previous_pairs=[(pid, ranked[0])], conflicts=[(pid, ranked[2])])
    again = next(d for d in draw(barred, seed=7).drawn if d["id"] == pid)
    assert again["inspectors"] == [ranked[1], ranked[3]]


def test_a_provider_without_a_fitting_pair_is_listed_unassigned():
    inputs = _inputs(inspectors=["a", "b"], rates_per_mille={c: 1000 for c in "ABCD"})
    victim = sorted(inputs.providers)[0]
    plan = draw(
        _inputs(
            inspectors=["a", "b"],
            rates_per_mille={c: 1000 for c in "ABCD"},
            conflicts=[(victim, "a")],
        ),
        seed=1,
    )
    assert [u["id"] for u in plan.unassigned] == [victim]
    assert len(plan.drawn) == 39 and all(
        d["inspectors"] in (["a", "b"], ["b", "a"]) for d in plan.drawn
    )


def test_the_same_inputs_and_seed_give_the_same_bytes_whatever_their_order():
    inputs = _inputs()
    shuffled = _inputs(
        providers=dict(reversed(list(inputs.providers.items()))),
        inspectors=list(reversed(inputs.inspectors)),
        districts=list(reversed(inputs.districts)),
    )
    one = canonical_json(draw(inputs, 99).as_json())
    two = canonical_json(draw(shuffled, 99).as_json())
    assert one == two
    assert canonical_json(draw(inputs, 100).as_json()) != one  # another seed, another draw


def test_the_sealed_hash_is_over_the_canonical_inputs():
    plan = draw(_inputs(), 5).as_json()
    text = json.dumps(plan["inputs"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert plan["inputs_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "思茅区" in text  # UTF-8 text, not \\u escapes


def test_verify_reproduces_an_untouched_plan_and_names_what_was_changed():
    plan = json.loads(canonical_json(draw(_inputs(), 11).as_json()))
    assert verify_plan(plan) == []
    edited = copy.deepcopy(plan)
    edited["drawn"][0]["inspectors"].reverse()
    assert verify_plan(edited) == [
        "the drawn providers or their inspectors differ from a fresh draw"
    ]
    moved = copy.deepcopy(plan)
    moved["inputs"]["providers"][0]["class"] = (
        "D" if moved["inputs"]["providers"][0]["class"] != "D" else "A"
    )
    assert any("inputs_sha256" in p for p in verify_plan(moved))


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"rates_per_mille": {"A": 50, "B": 200, "C": 400, "D": 1200}}, "must be 0 to 1000"),
        ({"rates_per_mille": {"A": 50, "B": 200, "C": 400}}, "no sampling rate for class D"),
        ({"providers": {"x": "E"}}, "unknown risk class E"),
        ({"inspectors": ["a", "a"]}, "listed twice"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(over, message):
    with pytest.raises(PlanError, match=message):
        draw(_inputs(**over), 1)


def test_a_malformed_plan_is_a_plan_error():
    with pytest.raises(PlanError, match="needs 'seed' and 'inputs'"):
        verify_plan({"drawn": []})
    with pytest.raises(PlanError, match="incomplete or malformed"):
        verify_plan({"seed": 1, "inputs": {"sector": "x"}})
    with pytest.raises(PlanError, match="not an integer"):
        verify_plan({"seed": "abc", "inputs": {}})
