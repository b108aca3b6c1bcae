"""The credit code's check character (GB 32100-2015), as the spec writes it."""

from __future__ import annotations

import pytest

from surveyapp.providers.credit_code import ALPHABET, WEIGHTS, check_character, credit_code_problem
from tests.providers.registry_data import REAL_CODES


def test_weights_are_the_spec_list():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert credit_code_problem(code) is None
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_corruption_is_caught(code):
    caught = 0
    for i in range(18):
        for c in ALPHABET:
            if c == code[i]:
                continue
            bad = code[:i] + c + code[i + 1 :]
            problem = credit_code_problem(bad)
            assert problem is not None and "check character" in problem, bad
            caught += 1
    assert caught == 18 * 30


def test_the_check_character_is_worked_out_by_hand():
    # 91350100M000100Y4: Σ value × weight = 9·1 + 1·3 + 3·9 + 5·27 + 0 + 1·26 + 0 + 0
    # + 21·20 (M) + 0 + 0 + 0 + 1·8 + 0 + 0 + 30·30 (Y) + 4·28 = 1640; 1640 mod 31 = 28;
    # 31 − 28 = 3 → '3'
    assert check_character("91350100M000100Y4") == "3"
    assert check_character("0" * 17) == "0"  # (31 − 0) mod 31 = 0, not 31


def test_the_embedded_organisation_code_is_not_checked():
    # Positions 9–17 carry an organisation code with its own (GB 11714) check digit;
    # a code whose embedded check digit is wrong but whose 18th character is right passes.
    base = REAL_CODES[0][:16]
    for last in "0A":
        first17 = base + last
        assert credit_code_problem(first17 + check_character(first17)) is None


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y4", "has 17 characters"),
        ("91350100M000100Y433", "has 19 characters"),
        ("91350100M000100I43", "'I'"),
        ("91350100m000100Y43", "'m'"),
        ("91350100M000100Y44", "GB 32100-2015 gives '3'"),
    ],
)
def test_problems_say_what_is_wrong(code, says):
    problem = credit_code_problem(code)
    assert problem is not None and says in problem


def test_check_character_refuses_what_is_not_17_code_characters():
    with pytest.raises(ValueError):
        check_character("1234")
    with pytest.raises(ValueError):
        check_character("91350100M000100O4")
