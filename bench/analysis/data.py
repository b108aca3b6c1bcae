"""The benchmark's data: one questionnaire, n respondents, population margins (seeded)."""

from __future__ import annotations

import numpy as np

from analysis import DimensionSpec, ItemSpec, Margins, ResponseMatrix, ScoringSpec

DISTRICTS = [
    "思茅区", "宁洱哈尼族彝族自治县", "墨江哈尼族自治县", "景东彝族自治县", "景谷傣族彝族自治县",
    "镇沅彝族哈尼族拉祜族自治县", "江城哈尼族彝族自治县", "孟连傣族拉祜族佤族自治县",
    "澜沧拉祜族自治县", "西盟佤族自治县",
]  # fmt: skip
DISTRICT_P = [0.2, 0.08, 0.1, 0.1, 0.08, 0.06, 0.05, 0.05, 0.2, 0.08]
DISTRICT_POP = [440000, 190000, 360000, 370000, 300000, 210000, 130000, 140000, 500000, 100000]
AGES = ["18-29", "30-44", "45-59", "60+"]
AGE_SHARE = [0.2, 0.3, 0.3, 0.2]
GENDERS = ["男", "女"]
GENDER_SHARE = [0.51, 0.49]
DIMENSIONS = [("hygiene", 0.3, 4), ("service", 0.2, 4), ("price", 0.2, 4), ("environment", 0.15, 3),
              ("civilised", 0.15, 3)]  # fmt: skip
SEED = 20260611


def spec() -> ScoringSpec:
    items = []
    for did, _, k in DIMENSIONS:
        items += [ItemSpec(f"{did[:3]}{j + 1}", did, 1.0, 1, 5) for j in range(k)]
    return ScoringSpec(
        "bench", 1, tuple(DimensionSpec(d, w) for d, w, _ in DIMENSIONS), tuple(items),
        overall_id="overall", satisfied_threshold=4,
    )  # fmt: skip


def margins() -> Margins:
    total = sum(DISTRICT_POP)
    rows = [("district", d, p) for d, p in zip(DISTRICTS, DISTRICT_POP, strict=True)]
    ages = [round(total * s) for s in AGE_SHARE]
    ages[-1] = total - sum(ages[:-1])
    rows += [("age_group", a, p) for a, p in zip(AGES, ages, strict=True)]
    gen = [round(total * s) for s in GENDER_SHARE]
    gen[-1] = total - sum(gen[:-1])
    rows += [("gender", g, p) for g, p in zip(GENDERS, gen, strict=True)]
    return Margins.from_rows(rows)


def matrix(n: int, seed: int = SEED) -> ResponseMatrix:
    """``n`` respondents; categorical columns as object arrays of str, as a loader makes them."""
    rng = np.random.default_rng(seed)
    sp = spec()
    k = len(sp.items)
    d = rng.choice(len(DISTRICTS), n, p=DISTRICT_P)
    a = rng.choice(len(AGES), n, p=[0.3, 0.3, 0.25, 0.15])
    g = rng.choice(2, n, p=[0.45, 0.55])
    u = rng.normal(0, 1, n) + np.linspace(-0.3, 0.3, len(DISTRICTS))[d]
    scores = np.empty((n, k))
    for j in range(k):  # column by column: a few MB of temporaries, not a second matrix
        col = np.clip(np.round(3.6 + 0.9 * u + rng.normal(0, 0.8, n)), 1, 5)
        col[rng.random(n) < 0.05] = np.nan
        scores[:, j] = col
    overall = np.clip(np.round(3.7 + 0.9 * u + rng.normal(0, 0.7, n)), 1, 5)
    overall[rng.random(n) < 0.02] = np.nan
    del u
    return ResponseMatrix(
        respondent_ids=np.array([f"r{i}" for i in range(n)], dtype=object),
        scores=scores,
        overall=overall,
        columns={
            "district": np.array(DISTRICTS, dtype=object)[d],
            "age_group": np.array(AGES, dtype=object)[a],
            "gender": np.array(GENDERS, dtype=object)[g],
            "period": np.full(n, "2026Q3", dtype=object),
        },
    )
