"""The unified social credit code (统一社会信用代码) and its check character.

GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: a code is 18 characters of
the alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (the digits and 21 capital letters:
no I, O, Z, S, V), each valued by its position (0–30).  Positions 1–17 are weighted
3^(i−1) mod 31 (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), and the
18th character is the one valued (31 − Σ mod 31) mod 31.

Only the 18th character is checked: the organisation code embedded at positions 9–17
has a check digit of its own (GB 11714), which is not, since real registries hold codes
that fail it.  Pure functions, nothing of the application.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "WEIGHTS", "check_character", "credit_code_problem"]

#: The characters of a credit code, in the order of their values 0–30.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
#: Weights of positions 1–17: 3^(i−1) mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character GB 32100-2015 gives for the first 17 (``ValueError`` when
    they are not 17 characters of :data:`ALPHABET`)."""
    if len(first17) != LENGTH - 1 or any(c not in _VALUE for c in first17):
        raise ValueError(f"not 17 characters of {ALPHABET}: {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """What is wrong with ``code`` (upper case, no spaces), in one sentence; ``None``
    when it is a well-formed code whose check character is right."""
    if len(code) != LENGTH:
        return f"{code!r} has {len(code)} characters; a credit code has {LENGTH}"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"{code!r} holds {shown}, not characters of a credit code ({ALPHABET})"
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"{code!r}: wrong check character {code[17]!r} "
            f"(GB 32100-2015 gives {expected!r} for the first 17): a mistyped code"
        )
    return None
