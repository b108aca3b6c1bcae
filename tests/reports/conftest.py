"""Synthetic analysis results for rendering tests: no database, seeded random data."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

import analysis
import reports
from analysis import DimensionSpec, ItemSpec, ResponseMatrix, ScoringSpec

DISTRICTS = ("思茅区", "宁洱哈尼族彝族自治县", "墨江哈尼族自治县")
SPEC = ScoringSpec(
    id="catering",
    version=1,
    dimensions=(DimensionSpec("hygiene", 0.6), DimensionSpec("price", 0.4)),
    items=(
        ItemSpec("h1", "hygiene"),
        ItemSpec("h2", "hygiene"),
        ItemSpec("p1", "price"),
        ItemSpec("p2", "price"),
    ),
)


def synthetic_result(
    n: int, seed: int, shift: float = 0.0, spec: ScoringSpec = SPEC
) -> analysis.AnalysisResult:
    rng = np.random.default_rng(seed)
    latent = 3.9 + shift + rng.normal(0, 0.6, n)
    scores = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.5, (n, 4))), 1, 5)
    overall = np.clip(np.rint(latent + rng.normal(0, 0.4, n)), 1, 5)
    district = np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), n)]
    matrix = ResponseMatrix(
        respondent_ids=np.arange(n).astype(str).astype(object),
        scores=scores.astype(float),
        overall=overall.astype(float),
        columns={"district": district},
        levels={"district": DISTRICTS},
    )
    return analysis.run(matrix, spec, by=["district"], min_n=30)


def sector(
    n: int = 120,
    seed: int = 1,
    suggestions: tuple[str, ...] = ("希望价格更透明。",),
    rate_goal: float | None = None,
) -> reports.SectorReport:
    spec = dataclasses.replace(SPEC, rate_goal=rate_goal)
    before = synthetic_result(n, seed + 100, shift=-0.1, spec=spec)
    after = synthetic_result(n, seed, spec=spec)
    change = None if after.small_sample else analysis.compare_periods(before, after)
    return reports.SectorReport(
        key="catering",
        title="餐饮服务",
        result=after,
        change=change,
        previous_period="2026Q2",
        trend=(
            reports.TrendPoint("2026Q2", before.index),
            reports.TrendPoint("2026Q3", after.index, after.small_sample),
        ),
        dimension_labels={"hygiene": "食品安全与卫生", "price": "明码标价"},
        suggestions=tuple(reports.Suggestion(s, 2) for s in suggestions),
        n_received=after.n_received,
    )


def content(*sectors: reports.SectorReport, lang: str = "zh") -> reports.BulletinContent:
    return reports.BulletinContent(
        title="生活性服务业服务质量第三方监测公报",
        issuer="测试监测机构",
        period="2026Q3",
        issued=date(2026, 10, 15),
        lang="en" if lang == "en" else "zh",
        sectors=tuple(sectors),
        methodology=reports.Methodology(
            margins=None,
            strata=None,
            group_by="district",
            group_label="区县",
            min_n=30,
            goal=80.0,
            quality=None,
            exclude_flagged=False,
            software={"reportlab": "test"},
        ),
    )


@pytest.fixture
def make_sector() -> Callable[..., reports.SectorReport]:
    return sector


@pytest.fixture
def make_content() -> Callable[..., reports.BulletinContent]:
    return content
