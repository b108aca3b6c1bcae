"""Hypothesis strategies and checks shared by the fuzz tests of the API and the survey form.

Runs are derandomized (the same examples every run, no example database written to
the repository) and bounded so both fuzz modules finish in well under a minute.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Invitation, Response

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Text that breaks naive code: lone surrogates, NUL, bidi controls, combining marks,
# astral characters, the BOM, very long runs.
EDGE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "\u202e\u2066evil",
        "e\u0301\u0301\u0301",
        "😀" * 50,
        "\ufeff",
        "\uffff",
        "𠀀𠀁",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%s%n",
        "\r\n\t",
        "null",
        "NaN",
        "-0",
        "1e309",
        "5 ",
        " 4",
        "٣",
        "５",
        "4.0",
        "0x4",
        "True",
    ]
)
# long text is built by repetition: generating thousands of random characters is slow
LONG_TEXT = st.builds(
    lambda piece, n: piece * n,
    st.text(min_size=1, max_size=3),
    st.integers(min_value=700, max_value=3000),
)
TEXT = st.one_of(EDGE_TEXT, st.text(max_size=30), LONG_TEXT)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 5, 6, -1, 4.0, 4.5, 2**63, -(2**63) - 1, 10**400]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(TEXT, inner, max_size=4),
    ),
    max_leaves=12,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def count_rows(app) -> tuple[int, int]:
    """(responses, used invitations) straight from the database."""
    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))
        used = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.used_at.is_not(None))
        )
        db.session.remove()
    return int(responses or 0), int(used or 0)


def dumps(value: Any) -> bytes:
    """JSON as a client might send it (``NaN`` and lone surrogates included)."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode("ascii")
