"""Every number of the reference data sets against R's survey package (1e-6 relative).

The reference numbers were made by ``results/make_reference.R`` (R 4.2.2, survey
4.1-1) from the data of ``results/make_data.py``; R is not needed to run these tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import refdata

from analysis import AnalysisResult, run

RTOL = 1e-6
ATOL = 1e-9  # for exact zeros (the SE of a lonely stratum)


def close(ours: float | None, theirs: float) -> bool:
    assert ours is not None
    return math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=ATOL)


def analyse(case: refdata.Case) -> AnalysisResult:
    spec = refdata.load_spec(case.data)
    matrix = refdata.load_matrix(case.data, spec)
    margins = refdata.load_margins(case.margins) if case.margins else None
    return run(
        matrix,
        spec,
        margins=margins,
        strata=case.strata,
        by=[list(g) for g in case.groupings],
        min_n=30,
    )


CASES = {c.name: c for c in refdata.cases()}


@pytest.fixture(scope="module", params=sorted(CASES))
def case_result(request):
    case = CASES[request.param]
    return case, analyse(case), refdata.reference(case.name)


def _target(result: AnalysisResult, grouping: str, group: str):
    """The overall result or the group result a reference row speaks of."""
    if grouping == "all":
        return None
    columns = grouping.split("+")
    values = group.split("|")
    want = dict(zip(columns, values, strict=True))
    matches = [g for g in result.groups if g.by == want]
    assert len(matches) == 1, (grouping, group)
    return matches[0]


def test_every_reference_number(case_result):
    case, result, rows = case_result
    assert len(rows) > 50
    checked = 0
    for row in rows:
        grp = _target(result, row["grouping"], row["group"])
        q = row["quantity"]
        est = float(row["estimate"]) if row["estimate"] else math.nan
        where = f"{case.name} {row['grouping']}={row['group']} {q}"
        if q == "n_received":
            assert result.n_received == int(est), where
        elif q == "iterations":
            if case.margins:
                assert result.weighting.iterations == int(est), where
                assert result.weighting.converged
            else:
                assert result.weighting.method == "none"
        elif q == "n":
            assert (result.n if grp is None else grp.n) == int(est), where
        elif q == "deff":
            assert close(result.deff if grp is None else grp.deff, est), where
        elif q == "population":
            ours = float(result.weights.sum()) if grp is None else grp.population
            assert close(ours, est), where
        elif q == "satisfaction_rate_mean":
            rate = (result if grp is None else grp).satisfaction_rate
            assert close(rate.estimate, est), where
            assert close(rate.se, float(row["se"])), where
            assert rate.n == int(row["n"]), where
        elif q == "satisfaction_rate":
            rate = (result if grp is None else grp).satisfaction_rate
            assert rate.df == int(row["df"]), where
            if 0 < rate.estimate < 100 and rate.df >= 1:
                assert close(rate.estimate, est), where
                assert close(rate.ci[0], float(row["ci_low"])), where
                assert close(rate.ci[1], float(row["ci_high"])), where
            elif rate.df < 1:
                assert not row["ci_low"] and rate.ci[0] is not None and math.isnan(rate.ci[0])
        else:
            holder = result if grp is None else grp
            if q == "index":
                e = holder.index
            elif q.startswith("dim_"):
                e = next(d for d in holder.dimensions if d.id == q[4:])
            elif q.startswith("item_"):
                e = next(d for d in holder.items if d.id == q[5:])
            else:
                raise AssertionError(f"unknown reference quantity {q}")
            assert close(e.estimate, est), where
            assert close(e.se, float(row["se"])), where
            assert close(e.ci[0], float(row["ci_low"])), where
            assert close(e.ci[1], float(row["ci_high"])), where
            assert e.n == int(row["n"]), where
        checked += 1
    assert checked == len(rows)


def test_every_group_has_a_reference(case_result):
    case, result, rows = case_result
    referenced = {(r["grouping"], r["group"]) for r in rows}
    for g in result.groups:
        grouping = "+".join(g.by)
        assert (grouping, "|".join(g.by.values())) in referenced


def test_raked_weights_equal_r(case_result):
    case, result, _ = case_result
    ref = refdata.reference_weights(case.name)
    assert len(ref) == result.n
    theirs = np.array([ref[str(i)] for i in result.respondent_ids])
    np.testing.assert_allclose(result.weights, theirs, rtol=RTOL)
