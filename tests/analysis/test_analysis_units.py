"""Invariants and behaviour of the analysis package (no reference software needed)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis import (
    DimensionSpec,
    ItemSpec,
    Margins,
    QualityRules,
    ResponseMatrix,
    ScoringSpec,
    compare_periods,
    cronbach_alpha,
    flag_responses,
    goal_test,
    has_goal,
    kish,
    logit_interval,
    rake,
    run,
    score_respondents,
    trim_and_rake,
    verdict_of,
)

CONTRACT_KEYS = {
    "questionnaire",
    "version",
    "period",
    "goal",
    "n_received",
    "n",
    "effective_n",
    "deff",
    "small_sample",
    "weights",
    "index",
    "satisfaction_rate",
    "dimensions",
    "groups",
}


def small_spec(n_items: int = 4, lo: float = 1, hi: float = 5) -> ScoringSpec:
    half = n_items // 2
    return ScoringSpec(
        "t",
        1,
        (DimensionSpec("a", 0.6), DimensionSpec("b", 0.4)),
        tuple(
            ItemSpec(f"i{j}", "a" if j < half else "b", 2.0 if j == n_items - 1 else 1.0, lo, hi)
            for j in range(n_items)
        ),
        overall_min=lo,
        overall_max=hi,
        satisfied_threshold=4,
    )


def random_matrix(
    n: int = 600, seed: int = 7, n_items: int = 4, period: str = "P1"
) -> ResponseMatrix:
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 6, (n, n_items)).astype(float)
    scores[rng.random(scores.shape) < 0.1] = np.nan
    overall = rng.integers(1, 6, n).astype(float)
    overall[rng.random(n) < 0.05] = np.nan
    return ResponseMatrix(
        np.array([f"r{i}" for i in range(n)], dtype=object),
        scores,
        overall,
        {
            "district": rng.choice(["甲", "乙", "丙"], n, p=[0.5, 0.3, 0.2]),
            "gender": rng.choice(["m", "f"], n),
            "period": np.full(n, period),
        },
        durations=rng.uniform(100, 400, n),
    )


MARGINS = Margins.from_rows(
    [
        ("district", "甲", 5000),
        ("district", "乙", 3000),
        ("district", "丙", 4000),
        ("gender", "m", 6100),
        ("gender", "f", 5900),
    ]
)


# --- scoring ---------------------------------------------------------------------------


def test_scoring_renormalises_over_answered_items_and_dimensions():
    spec = small_spec()
    x = np.array(
        [
            [5, 1, 3, 5],  # a = mean(100, 0) = 50; b = (50 + 2*100)/3
            [np.nan, 4, np.nan, np.nan],  # a = 75; b none -> index = a
            [np.nan] * 4,  # no index
        ]
    )
    dims, index = score_respondents(x, spec)
    assert dims[0, 0] == pytest.approx(50)
    assert dims[0, 1] == pytest.approx(250 / 3)
    assert index[0] == pytest.approx(0.6 * 50 + 0.4 * 250 / 3)
    assert math.isnan(dims[1, 1]) and index[1] == pytest.approx(75)
    assert math.isnan(index[2])


def test_respondent_without_index_is_counted_but_not_analysed():
    m = random_matrix(50)
    scores = m.scores.copy()
    scores[:3] = np.nan
    m2 = ResponseMatrix(m.respondent_ids, scores, m.overall, m.columns)
    r = run(m2, small_spec())
    assert r.n_received == 50 and r.n == 47


def test_score_outside_scale_is_an_error():
    m = random_matrix(20)
    scores = m.scores.copy()
    scores[4, 2] = 6
    with pytest.raises(ValueError, match="row 5, item i2"):
        run(ResponseMatrix(m.respondent_ids, scores, m.overall, m.columns), small_spec())


# --- weighting -------------------------------------------------------------------------


def test_raked_weights_reproduce_every_margin_and_the_population():
    m = random_matrix()
    r = run(m, small_spec(), margins=MARGINS, strata="district")
    assert r.weighting.converged
    for var, cats in MARGINS.totals.items():
        col = m.columns[var]
        for cat, pop in cats.items():
            assert r.weights[col == cat].sum() == pytest.approx(pop, rel=1e-10)
    assert r.weights.sum() == pytest.approx(12000, rel=1e-10)
    assert r.to_dict()["weights"]["iterations"] == r.weighting.iterations >= 1


def test_raking_reports_non_convergence():
    m = random_matrix()
    res = rake(m.columns, MARGINS, max_sweeps=1)
    assert not res.converged and res.iterations == 1 and res.max_relative_error > 1e-10


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("district", "甲", 1), ("district", "乙", 1)], "丙.*not in the margins"),
        (
            [
                ("district", "甲", 1),
                ("district", "乙", 1),
                ("district", "丙", 1),
                ("district", "丁", 1),
            ],
            "丁.*no respondent",
        ),
        (
            [("district", "甲", 1), ("district", "乙", 1), ("district", "丙", 1), ("age", "x", 3)],
            "not a column",
        ),
    ],
)
def test_raking_errors(rows, message):
    m = random_matrix()
    with pytest.raises(ValueError, match=message):
        rake(m.columns, Margins.from_rows(rows))


def test_margins_errors():
    with pytest.raises(ValueError, match="positive"):
        Margins.from_rows([("district", "甲", 0)])
    with pytest.raises(ValueError, match="positive"):
        Margins.from_rows([("district", "甲", -5)])
    with pytest.raises(ValueError, match="same population"):
        Margins.from_rows([("district", "甲", 10), ("gender", "m", 11)])
    with pytest.raises(ValueError, match="twice"):
        Margins.from_rows([("district", "甲", 10), ("district", "甲", 10)])
    assert Margins.from_rows([("b", "x", 1), ("a", "y", 1)]).variables == ("b", "a")


def test_trimming_caps_weights_and_keeps_margins():
    m = random_matrix(800, seed=3)
    skewed = Margins.from_rows(
        [
            ("district", "甲", 1000),
            ("district", "乙", 1000),
            ("district", "丙", 20000),
            ("gender", "m", 15000),
            ("gender", "f", 7000),
        ]
    )
    plain = rake(m.columns, skewed)
    k = 2.0
    assert plain.max_weight_ratio > k
    res = trim_and_rake(m.columns, skewed, k)
    assert res.trim_rounds >= 1 and res.trim == k
    if res.converged:
        assert res.weights.max() <= k * np.median(res.weights) * (1 + 1e-6)
        assert res.max_relative_error <= 1e-10
    r = run(m, small_spec(), margins=skewed, trim=3.0)
    assert r.to_dict()["weights"]["trim"] == 3.0


def test_kish():
    deff, neff = kish([1, 1, 1, 1])
    assert deff == 1 and neff == 4
    deff, neff = kish([1, 3])
    assert deff == pytest.approx(2 * 10 / 16) and neff == pytest.approx(2 / deff)


# --- estimates, goal, small samples ------------------------------------------------------


@pytest.mark.parametrize(
    ("est", "se", "status"),
    [
        (85, 2, "met"),
        (75, 2, "not_met"),
        (81, 2, "inconclusive"),
        (80, 0, "inconclusive"),
        (80.1, 0, "met"),
    ],
)
def test_goal_test(est, se, status):
    got, p = goal_test(est, se, 80)
    assert got == status
    if se:
        z = abs(est - 80) / se
        assert p == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))


def test_small_groups_have_no_verdict_but_numbers():
    m = random_matrix(200)
    r = run(m, small_spec(), by="district", goal=10, min_n=70)
    for g in r.groups:
        assert g.small_sample == (g.n < 70)
        if g.small_sample:
            assert g.index.goal_status is None
        else:
            assert g.index.goal_status == "met"
        assert g.index.estimate > 0
    assert r.index.goal_status == "met" and not r.small_sample
    assert run(m, small_spec(), min_n=500).to_dict()["index"]["goal_status"] is None


def test_goal_precedence():
    m = random_matrix(60)
    spec = small_spec()
    assert run(m, spec).goal == 80
    spec90 = ScoringSpec(spec.id, 1, spec.dimensions, spec.items, goal=90)
    assert run(m, spec90).goal == 90
    assert run(m, spec90, goal=70).goal == 70


def test_logit_interval_edges():
    lo, hi = logit_interval(100.0, 0.0, 5)
    assert lo == hi == 100
    lo, hi = logit_interval(50.0, 1.0, 0)
    assert math.isnan(lo) and math.isnan(hi)


def test_json_has_the_contract_keys_and_no_nan():
    m = random_matrix(120)
    r = run(m, small_spec(), margins=MARGINS, strata="district", by=["district"])
    d = r.to_dict()
    assert CONTRACT_KEYS <= set(d)
    json.dumps(d, allow_nan=False, ensure_ascii=False)
    assert set(d["index"]) >= {"estimate", "se", "ci", "goal_status", "p_value"}
    assert set(d["satisfaction_rate"]) >= {"estimate", "se", "ci", "n"}
    assert set(d["dimensions"][0]) >= {"id", "estimate", "se", "ci"}
    g = d["groups"][0]
    assert set(g) >= {"by", "n", "small_sample", "index", "satisfaction_rate"}
    assert d["period"] == "P1"
    assert run(m, small_spec()).to_dict()["weights"] == {"method": "none"}


def test_crossed_and_several_groupings():
    m = random_matrix(300)
    crossed = run(m, small_spec(), by=["district", "gender"])
    assert len(crossed.groups) == 6 and set(crossed.groups[0].by) == {"district", "gender"}
    several = run(m, small_spec(), by=[["district"], ["gender"]])
    assert [tuple(g.by) for g in several.groups] == [("district",)] * 3 + [("gender",)] * 2
    assert sum(g.n for g in crossed.groups) == crossed.n


def test_group_order_follows_levels():
    m = random_matrix(90)
    m2 = ResponseMatrix(
        m.respondent_ids, m.scores, m.overall, m.columns, levels={"district": ("丙", "甲", "乙")}
    )
    assert [g.by["district"] for g in run(m2, small_spec(), by="district").groups] == [
        "丙",
        "甲",
        "乙",
    ]


def test_period_selection():
    a, b = random_matrix(40, 1, period="P1"), random_matrix(40, 2, period="P2")
    both = ResponseMatrix(
        np.concatenate([a.respondent_ids, b.respondent_ids]),
        np.vstack([a.scores, b.scores]),
        np.concatenate([a.overall, b.overall]),
        {k: np.concatenate([a.columns[k], b.columns[k]]) for k in a.columns},
    )
    with pytest.raises(ValueError, match="several periods"):
        run(both, small_spec())
    r = run(both, small_spec(), period="P2")
    assert r.period == "P2" and r.n_received == 40
    with pytest.raises(ValueError, match="no response of period"):
        run(both, small_spec(), period="P9")


# --- change ----------------------------------------------------------------------------


def test_compare_periods():
    ra = run(random_matrix(400, 1, period="P1"), small_spec(), by="district")
    rb = run(random_matrix(400, 2, period="P2"), small_spec(), by="district")
    ch = compare_periods(ra, rb)
    assert ch.period_before == "P1" and ch.period_after == "P2"
    d = ch.index
    assert d.change == pytest.approx(rb.index.estimate - ra.index.estimate)
    assert d.se == pytest.approx(math.hypot(ra.index.se, rb.index.se))
    assert d.ci[0] < d.change < d.ci[1]
    assert d.significant == (d.p_value < 0.05)
    assert len(ch.groups) == 3 and set(ch.dimensions) == {"a", "b"}
    json.dumps(ch.to_dict(), allow_nan=False)
    # a clear shift is significant
    m = random_matrix(400, 2, period="P2")
    better = ResponseMatrix(m.respondent_ids, np.minimum(m.scores + 1, 5), m.overall, m.columns)
    assert compare_periods(ra, run(better, small_spec())).index.significant


# --- quality ---------------------------------------------------------------------------


def test_quality_rules_flag_and_exclude():
    n = 100
    m = random_matrix(n, n_items=12)
    scores = m.scores.copy()
    scores[5] = 3.0  # straight-liner
    scores[6] = 3.0
    scores[6, :3] = np.nan  # 9 answered: not enough items
    durations = m.durations.copy()
    durations[7] = 1.0  # speeder
    ids = m.respondent_ids.copy()
    scores[9] = scores[8]  # duplicate of row 8 (same respondent values below)
    overall = m.overall.copy()
    overall[9] = overall[8]
    cols = {k: v.copy() for k, v in m.columns.items()}
    for k in cols:
        cols[k][9] = cols[k][8]
    mm = ResponseMatrix(ids, scores, overall, cols, durations=durations)
    flags = flag_responses(mm, QualityRules())
    assert flags.straightliner[5] and not flags.straightliner[6]
    assert flags.speeder[7] and flags.speeder.sum() == 1
    assert flags.duplicate[9] and not flags.duplicate[8] and flags.duplicate.sum() == 1
    spec = ScoringSpec(
        "t", 1, (DimensionSpec("a"),), tuple(ItemSpec(f"i{j}", "a") for j in range(12))
    )
    kept = run(mm, spec, quality=QualityRules())
    assert kept.n == n and kept.quality is not None and not kept.quality.excluded
    assert kept.quality.counts["speeders"] == 1
    dropped = run(mm, spec, exclude_flagged=True)
    assert dropped.n == n - 3 and dropped.n_received == n
    assert dropped.to_dict()["quality"]["n_excluded"] == 3
    off = run(
        mm, spec, quality=QualityRules(speeders=False, duplicates=False), exclude_flagged=True
    )
    assert off.n == n - 1


# --- reliability and drivers ------------------------------------------------------------


def test_cronbach_alpha_matches_the_formula():
    rng = np.random.default_rng(5)
    t = rng.normal(size=300)
    x = np.column_stack([t + rng.normal(scale=s, size=300) for s in (0.5, 0.8, 1.2)])
    k = 3
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(x) == pytest.approx(expected)
    spec = ScoringSpec(
        "t",
        1,
        (DimensionSpec("a"), DimensionSpec("b")),
        (ItemSpec("x1", "a"), ItemSpec("x2", "a"), ItemSpec("x3", "a"), ItemSpec("y", "b")),
    )
    scores = np.clip(np.round(3 + x), 1, 5)
    m = ResponseMatrix(
        np.arange(300).astype(str), np.column_stack([scores, scores[:, 0]]), scores[:, 1], {}
    )
    rel = run(m, spec).reliability
    assert rel[0].alpha == pytest.approx(cronbach_alpha(scores))
    assert rel[0].alpha_if_dropped["x1"] == pytest.approx(cronbach_alpha(scores[:, 1:]))
    assert rel[1].alpha is None


def test_drivers_recover_the_importance():
    rng = np.random.default_rng(11)
    n = 3000
    spec = ScoringSpec(
        "t",
        1,
        (DimensionSpec("a", 0.5), DimensionSpec("b", 0.3), DimensionSpec("c", 0.2)),
        (ItemSpec("a1", "a", max=10), ItemSpec("b1", "b", max=10), ItemSpec("c1", "c", max=10)),
        overall_max=10,
        satisfied_threshold=7,
    )
    s = rng.integers(1, 11, (n, 3)).astype(float)
    s[:, 2] = np.clip(s[:, 2] - 2, 1, 10)  # c performs worst
    y = np.clip(
        np.round(0.7 * s[:, 0] + 0.3 * s[:, 1] + 0.0 * s[:, 2] + rng.normal(0, 0.3, n)), 1, 10
    )
    r = run(ResponseMatrix(np.arange(n).astype(str), s, y, {}), spec)
    dr = r.drivers
    assert dr is not None and dr.r_squared > 0.8
    imp = {d.id: d.importance for d in dr.dimensions}
    assert imp["a"] == pytest.approx(0.7, abs=0.05) and imp["b"] == pytest.approx(0.3, abs=0.05)
    assert sum(imp.values()) == pytest.approx(1)
    assert {d.id: d.configured_weight for d in dr.dimensions} == pytest.approx(
        {"a": 0.5, "b": 0.3, "c": 0.2}
    )
    quad = {d.id: d.quadrant for d in dr.dimensions}
    assert quad["c"] in ("low_priority", "possible_overkill")
    json.dumps(r.to_dict()["drivers"], allow_nan=False)


def test_matrix_validates_shapes():
    with pytest.raises(ValueError, match="scores must have shape"):
        ResponseMatrix(np.array(["a", "b"]), np.zeros((3, 2)), np.zeros(2), {})
    with pytest.raises(ValueError, match="column district"):
        ResponseMatrix(np.array(["a", "b"]), np.zeros((2, 2)), np.zeros(2), {"district": ["x"]})


def test_categorical_columns_give_the_same_result():
    from analysis import Categorical, factorize

    m = random_matrix(500)
    coded = {}
    for name, values in m.columns.items():
        codes, levels = factorize(values)
        coded[name] = Categorical.create(codes, levels)
    m2 = ResponseMatrix(m.respondent_ids, m.scores, m.overall, coded, durations=m.durations)
    kw = dict(margins=MARGINS, strata="district", by=["district", "gender"])
    a = run(m, small_spec(), **kw, quality=QualityRules()).to_dict()
    b = run(m2, small_spec(), **kw, quality=QualityRules()).to_dict()
    assert a == b
    sub = m2.take(np.arange(10))
    assert isinstance(sub.columns["district"], Categorical) and len(sub.columns["district"]) == 10
    assert list(sub.columns["district"].values()) == list(m.columns["district"][:10])
    with pytest.raises(ValueError, match="0..1"):
        Categorical.create([0, 2], ["a", "b"])


# --- rates at the edges (issue 14, item 11) -------------------------------------------


def _all_satisfied_district(seed: int = 4) -> ResponseMatrix:
    """200 respondents in 甲/乙 and 17 in 丙 who all answer 4 or 5 overall; raked."""
    rng = np.random.default_rng(seed)
    n = 217
    scores = rng.integers(1, 6, (n, 4)).astype(float)
    overall = rng.integers(1, 6, n).astype(float)
    overall[200:] = rng.integers(4, 6, 17)
    return ResponseMatrix(
        np.array([f"r{i}" for i in range(n)], dtype=object),
        scores,
        overall,
        {
            "district": np.array(["甲"] * 100 + ["乙"] * 100 + ["丙"] * 17),
            "gender": rng.choice(["m", "f"], n),
            "period": np.full(n, "P1"),
        },
    )


def test_rate_of_a_district_where_everyone_is_satisfied_is_exactly_100():
    # Before: 100.00000000000001 with the interval [100.00000000000003, 100.00000000000003].
    r = run(_all_satisfied_district(), small_spec(), margins=MARGINS, by=["district"])
    (g,) = [g for g in r.groups if g.by["district"] == "丙"]
    rate = g.satisfaction_rate
    assert g.n == 17 and rate.n == 17
    assert rate.estimate == 100.0 and rate.se == 0.0
    assert rate.ci == (100.0, 100.0)
    d = g.to_dict()["satisfaction_rate"]
    assert d["estimate"] == 100.0 and d["ci"] == [100.0, 100.0]


def test_rate_and_interval_stay_within_0_100_and_hold_the_estimate():
    for seed in range(12):
        r = run(_all_satisfied_district(seed), small_spec(), margins=MARGINS, by=["district"])
        for est in [r.satisfaction_rate] + [g.satisfaction_rate for g in r.groups]:
            lo, hi = est.ci
            assert 0.0 <= lo <= est.estimate <= hi <= 100.0


def test_logit_interval_clamps_and_contains_the_estimate():
    lo, hi = logit_interval(100.00000000000001, 1.4e-15, 16)
    assert lo == hi == 100.0
    lo, hi = logit_interval(-1e-14, 1e-15, 16)
    assert lo == hi == 0.0
    e = 99.99999999999997
    lo, hi = logit_interval(e, 3.2e-15, 16)
    assert lo <= e <= hi <= 100.0


# --- the rate's own goal (issue 14, item 4) -------------------------------------------


def _with_rate_goal(spec: ScoringSpec, rate_goal: float | None) -> ScoringSpec:
    return ScoringSpec(
        spec.id, spec.version, spec.dimensions, spec.items,
        overall_min=spec.overall_min, overall_max=spec.overall_max,
        satisfied_threshold=spec.satisfied_threshold, goal=spec.goal, rate_goal=rate_goal,
    )  # fmt: skip


def test_rate_goal_is_judged_by_the_goal_test_on_the_rate_and_its_se():
    m = random_matrix(600)
    r = run(m, _with_rate_goal(small_spec(), 80), by=["district"], min_n=150)
    rate = r.satisfaction_rate
    assert 30 < rate.estimate < 50  # overall 4 or 5 of 1..5
    assert (rate.goal, rate.goal_status) == (80, "not_met")
    assert (rate.goal_status, rate.p_value) == goal_test(rate.estimate, rate.se, 80)
    assert verdict_of(rate, r.small_sample) == "not_met" and has_goal(rate)
    # the index keeps its own goal and verdict
    assert r.index.goal_status == goal_test(r.index.estimate, r.index.se, 80)[0]
    low = run(m, _with_rate_goal(small_spec(), 20))
    assert low.satisfaction_rate.goal_status == "met"
    small = [g for g in r.groups if g.small_sample]
    assert small, "a district below min_n"
    for g in small:
        assert g.satisfaction_rate.goal_status is None
        assert verdict_of(g.satisfaction_rate, g.small_sample) == "small"
    d = r.to_dict()
    assert d["rate_goal"] == 80 and d["goal"] == 80
    assert d["satisfaction_rate"]["goal_status"] == "not_met"
    assert d["satisfaction_rate"]["p_value"] == rate.p_value
    assert d["groups"][0]["satisfaction_rate"]["goal"] == 80


def test_without_rate_goal_the_rate_has_no_verdict_and_the_json_is_unchanged():
    r = run(random_matrix(200), small_spec())
    assert r.satisfaction_rate.goal is None and r.satisfaction_rate.goal_status is None
    assert not has_goal(r.satisfaction_rate) and has_goal(r.index)
    d = r.to_dict()
    assert "rate_goal" not in d
    assert set(d["satisfaction_rate"]) == {"estimate", "se", "ci", "n", "df"}


@pytest.mark.parametrize("bad", [120.0, -1.0, math.nan])
def test_rate_goal_outside_0_100_is_refused(bad):
    with pytest.raises(ValueError, match="satisfaction rate must be a percentage"):
        _with_rate_goal(small_spec(), bad)
