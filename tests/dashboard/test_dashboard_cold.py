"""The cold analysis of a stored round flags and scores its responses once, with the
numbers of a plain :func:`analysis.run` (the dashboard's first view and every refresh)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sqlalchemy import select

import analysis
from analysis import pipeline, prepare
from surveyapp.demo import population_margins
from surveyapp.extensions import db
from surveyapp.indices import RoundOptions, analyse_round, quality_rules
from surveyapp.models import Round
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix


def _round(demo) -> Round:
    code = f"catering-{demo['current'].lower()}"
    return db.session.scalar(select(Round).where(Round.code == code))


def _options() -> RoundOptions:
    return RoundOptions(
        margins=population_margins(), margins_source="demo", strata="district",
        by=[["district"]], exclude_flagged=True,
    )  # fmt: skip


def test_a_stored_round_is_flagged_and_scored_once(app, demo, monkeypatch):
    calls = {"flag": 0, "score": 0}
    flag, score = pipeline.flag_responses, pipeline.score_respondents

    def counted_flag(*args, **kwargs):
        calls["flag"] += 1
        return flag(*args, **kwargs)

    def counted_score(*args, **kwargs):
        calls["score"] += 1
        return score(*args, **kwargs)

    monkeypatch.setattr(pipeline, "flag_responses", counted_flag)
    monkeypatch.setattr(pipeline, "score_respondents", counted_score)
    monkeypatch.setattr(analysis, "flag_responses", counted_flag)
    monkeypatch.setattr(analysis, "score_respondents", counted_score)
    with app.app_context():
        stored = analyse_round(db.session, _round(demo), _options())
    assert stored.result is not None and stored.record["margins"]
    assert calls == {"flag": 1, "score": 1}


def test_prepared_run_gives_the_numbers_of_a_plain_run(app, demo):
    """What the stored path did before: score and flag to fit the margins, then a plain
    ``run`` that does it all again; every number must be the same."""
    with app.app_context():
        round_ = _round(demo)
        stored = analyse_round(db.session, round_, _options())
        q, matrix = load_round_matrix(db.session, round_)
    spec, rules = scoring_spec(q), quality_rules(q, matrix.columns)
    _, index = analysis.score_respondents(matrix.scores, spec)
    keep = ~np.isnan(index) & ~analysis.flag_responses(matrix, rules).any
    rows = np.flatnonzero(keep)
    present = {
        v: set(np.asarray(matrix.values(v), dtype=str)[rows].tolist()) for v in matrix.columns
    }
    fitted = analysis.fit_margins(population_margins(), present, "drop-absent").totals
    assert fitted == stored.record["margins"]
    plain = analysis.run(
        matrix, spec, margins=analysis.Margins(fitted), strata="district", by=[["district"]],
        quality=rules, exclude_flagged=True, period=round_.period,
    )  # fmt: skip
    # the stored path only adds where the margins came from and the policy applied, and
    # the review counts (held, rejected, signals) beside the exclusions
    assert stored.result.weighting.policy == "drop-absent"
    counts = dict(stored.result.quality.counts)
    assert counts.pop("held") == 0 and counts.pop("rejected") == 0
    for key in [k for k in counts if k == "signals" or k.startswith("signal_")]:
        counts.pop(key)
    quality = dataclasses.replace(stored.result.quality, counts=counts)
    assert stored.result.weighting.source == f"round {round_.code}"  # the demo uploads them
    bare = dataclasses.replace(stored.result.weighting, source=None, policy=None, dropped=())
    got = dataclasses.asdict(dataclasses.replace(stored.result, weighting=bare, quality=quality))
    want = dataclasses.asdict(plain)
    np.testing.assert_array_equal(got.pop("weights"), want.pop("weights"))
    np.testing.assert_array_equal(got.pop("respondent_ids"), want.pop("respondent_ids"))
    assert repr(got) == repr(want)  # NaN (an empty group's SE) equal too


def test_run_refuses_a_prepared_of_other_inputs(app, demo):
    with app.app_context():
        q, matrix = load_round_matrix(db.session, _round(demo))
    spec, rules = scoring_spec(q), quality_rules(q, matrix.columns)
    prepared = prepare(matrix, spec, quality=rules, exclude_flagged=True)
    other = matrix.take(np.arange(matrix.n))
    with pytest.raises(ValueError, match="prepare"):
        analysis.run(other, spec, quality=rules, exclude_flagged=True, prepared=prepared)
    with pytest.raises(ValueError, match="prepare"):
        analysis.run(matrix, spec, quality=rules, exclude_flagged=False, prepared=prepared)
    same = analysis.run(matrix, spec, quality=rules, exclude_flagged=True, prepared=prepared)
    assert same.n == int(prepared.analysed.sum())
