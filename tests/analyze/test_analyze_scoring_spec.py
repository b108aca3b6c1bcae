"""scoring_spec(): the questionnaire's scoring, as analysis sees it."""

from __future__ import annotations

from pathlib import Path

from surveyapp.questionnaire import load_questionnaire
from surveyapp.questionnaire.scoring import scoring_spec

DATA = Path(__file__).resolve().parent / "data"


def test_scoring_spec_follows_the_questionnaire():
    q = load_questionnaire(DATA / "ref_a.yaml")
    spec = scoring_spec(q)
    assert spec.id == "ref-a" and spec.version == 1 and spec.goal == 80
    assert spec.item_ids == tuple(i.id for i in q.items)
    assert [(d.id, d.weight) for d in spec.dimensions] == [
        ("environment", 0.5),
        ("service", 0.3),
        ("price", 0.2),
    ]
    by_id = {i.id: i for i in spec.items}
    assert by_id["svc1"].weight == 2 and by_id["svc1"].dimension == "service"
    assert (by_id["prc2"].min, by_id["prc2"].max) == (1, 4)
    assert spec.overall_id == "overall" and spec.satisfied_threshold == 4


def test_questionnaire_goal_and_scale():
    spec = scoring_spec(load_questionnaire(DATA / "ref_b.yaml"))
    assert spec.goal == 75 and spec.overall_max == 10 and spec.satisfied_threshold == 7
    assert all(i.max == 10 for i in spec.items)
