"""Number formats of the bulletin."""

from __future__ import annotations

import math

from reports import fmt


def test_scores_and_intervals():
    assert fmt.score(82.349) == "82.3"
    assert fmt.score(math.nan) == fmt.DASH
    assert fmt.score(None) == fmt.DASH
    assert fmt.ci((81.37, 83.25)) == "[81.4, 83.2]"
    assert fmt.pct(86.02) == "86.0%"
    assert fmt.count(1243.4) == "1,243"


def test_changes_carry_a_sign_and_never_minus_zero():
    assert fmt.change(1.25) == "+1.2"
    assert fmt.change(-0.44) == "-0.4"
    assert fmt.change(-0.04) == "+0.0"
    assert fmt.score(-0.04) == "0.0"


def test_p_values_below_the_last_digit_are_a_bound_not_zero():
    """Issue 14: ``p < 0.001`` instead of ``p = 0.000``, one rule everywhere."""
    assert fmt.p_value(0.0000012) == "p < 0.001"
    assert fmt.p_number(0.0000012) == "< 0.001"
    assert fmt.p_value(0.001) == "p = 0.001"
    assert fmt.p_value(0.01234) == "p = 0.012"
    assert fmt.p_value(0.0) == "p < 0.001"
    assert fmt.p_value(1.0) == "p = 1.000"
    assert fmt.p_value(None) == fmt.p_value(math.nan) == fmt.DASH
