"""Generate the reference data sets (seeded) for the R comparison.

Run from anywhere:  python tests/analysis/results/make_data.py
Writes next to this file:

- ``responses_A.csv``  800 respondents, 1-5 scale (one item on 1-4), three dimensions
  with unequal weights, missing answers, a few respondents with no rating at all;
- ``margins_A.csv``    district, age_group and gender populations to rake to;
- ``responses_B.csv``  150 respondents, 1-10 scale, satisfied at 7+, a district of 3
  respondents and one of a single respondent (a lonely stratum);
- ``spec_A.csv``, ``spec_B.csv``  the scoring specs (items and overall item);
- ``cases.csv``        the designs to estimate (data, margins, strata, groupings).

``make_reference.R`` reads these and writes ``reference.csv`` and ``weights.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PERIOD = "2026Q3"


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fmt(x: float) -> str:
    return "" if np.isnan(x) else str(int(x))


def allocate(total: int, shares: list[float]) -> list[int]:
    raw = [int(round(total * s)) for s in shares]
    raw[-1] = total - sum(raw[:-1])
    return raw


def data_a() -> None:
    rng = np.random.default_rng(20260301)
    n = 800
    districts = ["思茅区", "宁洱县", "墨江县", "景东县", "镇沅县"]
    ages = ["18-29", "30-44", "45-59", "60+"]
    genders = ["男", "女"]
    d = rng.choice(len(districts), n, p=[0.35, 0.25, 0.2, 0.12, 0.08])
    a = rng.choice(len(ages), n, p=[0.3, 0.3, 0.25, 0.15])
    g = rng.choice(2, n, p=[0.45, 0.55])
    effect = np.array([0.3, 0.0, -0.2, 0.1, -0.4])[d] + np.array([-0.2, 0.0, 0.1, 0.3])[a]
    u = effect + rng.normal(0, 1, n)
    items = [
        ("env1", "environment", 1.0, 1, 5),
        ("env2", "environment", 1.0, 1, 5),
        ("env3", "environment", 1.0, 1, 5),
        ("svc1", "service", 2.0, 1, 5),
        ("svc2", "service", 1.0, 1, 5),
        ("svc3", "service", 1.0, 1, 5),
        ("svc4", "service", 1.0, 1, 5),
        ("prc1", "price", 1.0, 1, 5),
        ("prc2", "price", 1.0, 1, 4),
    ]
    dim_w = {"environment": 0.5, "service": 0.3, "price": 0.2}
    scores = np.empty((n, len(items)))
    for j, (_, _, _, lo, hi) in enumerate(items):
        x = np.round(3.4 + 0.9 * u + rng.normal(0, 0.8, n))
        scores[:, j] = np.clip(x, lo, hi)
    scores[rng.random(scores.shape) < 0.08] = np.nan
    scores[rng.choice(n, 6, replace=False)] = np.nan  # no rating at all: no index
    overall = np.clip(np.round(3.6 + 0.9 * u + rng.normal(0, 0.7, n)), 1, 5)
    overall[rng.random(n) < 0.03] = np.nan
    header = ["respondent_id", "district", "age_group", "gender", "period"]
    header += [i[0] for i in items] + ["overall"]
    rows = []
    for i in range(n):
        rows.append(
            [f"A{i + 1:04d}", districts[d[i]], ages[a[i]], genders[g[i]], PERIOD]
            + [fmt(v) for v in scores[i]]
            + [fmt(overall[i])]
        )
    write("responses_A.csv", header, rows)
    spec = [["item", it[0], it[1], it[2], dim_w[it[1]], it[3], it[4], ""] for it in items]
    spec.append(["overall", "overall", "", "", "", 1, 5, 4])
    write(
        "spec_A.csv",
        ["kind", "id", "dimension", "weight", "dimension_weight", "min", "max", "threshold"],
        spec,
    )
    total = 367000 + 190000 + 360000 + 370000 + 210000
    margins = [
        ["district", c, p]
        for c, p in zip(districts, [367000, 190000, 360000, 370000, 210000], strict=True)
    ]
    margins += [
        ["age_group", c, p]
        for c, p in zip(ages, allocate(total, [0.22, 0.28, 0.3, 0.2]), strict=True)
    ]
    margins += [
        ["gender", c, p] for c, p in zip(genders, allocate(total, [0.51, 0.49]), strict=True)
    ]
    write("margins_A.csv", ["variable", "category", "population"], margins)


def data_b() -> None:
    rng = np.random.default_rng(20260302)
    sizes = {"思茅区": 70, "宁洱县": 76, "墨江县": 3, "孟连县": 1}
    district = np.repeat(list(sizes), list(sizes.values()))
    n = district.size
    gender = rng.choice(["男", "女"], n)
    age = rng.choice(["18-29", "30-44", "45-59", "60+"], n)
    items = [(f"q{j + 1:02d}", "quality" if j < 6 else "service") for j in range(12)]
    u = rng.normal(0, 1, n)
    scores = np.clip(np.round(7.2 + 1.6 * u[:, None] + rng.normal(0, 1.3, (n, 12))), 1, 10)
    overall = np.clip(np.round(7.0 + 1.8 * u + rng.normal(0, 1.0, n)), 1, 10)
    tiny = district == "墨江县"
    lonely = district == "孟连县"
    miss = rng.random(scores.shape) < 0.1
    miss[tiny | lonely] = False
    scores[miss] = np.nan
    overall[(rng.random(n) < 0.05) & ~tiny & ~lonely] = np.nan
    overall[tiny] = [8, 5, 9]
    overall[lonely] = 6
    header = ["respondent_id", "district", "age_group", "gender", "period"]
    header += [i[0] for i in items] + ["overall"]
    rows = []
    for i in range(n):
        rows.append(
            [f"B{i + 1:03d}", district[i], age[i], gender[i], PERIOD]
            + [fmt(v) for v in scores[i]]
            + [fmt(overall[i])]
        )
    write("responses_B.csv", header, rows)
    dim_w = {"quality": 0.7, "service": 0.3}
    spec = [["item", it[0], it[1], 1.0, dim_w[it[1]], 1, 10, ""] for it in items]
    spec.append(["overall", "overall", "", "", "", 1, 10, 7])
    write(
        "spec_B.csv",
        ["kind", "id", "dimension", "weight", "dimension_weight", "min", "max", "threshold"],
        spec,
    )


def cases() -> None:
    write(
        "cases.csv",
        ["case", "data", "margins", "strata", "groupings"],
        [
            [
                "A_raked_strata",
                "A",
                "margins_A.csv",
                "district",
                "district;age_group;district+gender",
            ],
            ["A_raked_nostrata", "A", "margins_A.csv", "", "gender"],
            ["B_unweighted_tiny", "B", "", "district", "district;gender"],
        ],
    )


if __name__ == "__main__":
    data_a()
    data_b()
    cases()
