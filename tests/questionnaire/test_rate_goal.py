"""``rate_goal``: an optional goal for the satisfaction rate (issue 14, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.questionnaire import QuestionnaireError, parse_questionnaire
from surveyapp.questionnaire.scoring import scoring_spec

MINIMAL = Path(__file__).resolve().parent / "data" / "minimal.yaml"


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def with_rate_goal(text: str, value: str) -> str:
    return text.replace("scale:\n", f"rate_goal: {value}\nscale:\n", 1)


def test_rate_goal_is_read_and_passed_to_the_analysis(minimal_text):
    q = parse_questionnaire(with_rate_goal(minimal_text, "85"))
    assert q.rate_goal == 85.0
    assert q.definition["rate_goal"] == 85.0
    spec = scoring_spec(q)
    assert spec.rate_goal == 85.0 and spec.goal == 80.0


def test_without_rate_goal_nothing_changes(minimal_text):
    q = parse_questionnaire(minimal_text)
    assert q.rate_goal is None
    assert "rate_goal" not in q.definition
    assert scoring_spec(q).rate_goal is None
    # a version stored before rate_goal existed keeps its content hash
    assert parse_questionnaire(minimal_text).content_hash() == q.content_hash()


@pytest.mark.parametrize("value", ["120", "-1", "high"])
def test_bad_rate_goal_is_refused_with_the_line(minimal_text, value):
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(with_rate_goal(minimal_text, value), "q.yaml")
    message = str(info.value)
    assert message.startswith("q.yaml:6: rate_goal:")
    assert "a percentage from 0 to 100" in message
