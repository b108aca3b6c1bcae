"""Which round counts for a questionnaire in a period.

An admin may run more than one round of a questionnaire in a period (a re-run, a
pilot); the dashboard, the API and the bulletins must report the same one.
"""

from __future__ import annotations

from collections.abc import Iterable

from surveyapp.models import Round

__all__ = ["counted_rounds"]


def counted_rounds(rounds: Iterable[Round]) -> dict[str, Round]:
    """Questionnaire id → the round that counts among ``rounds``: the last to close
    (on a tie, the last created)."""
    chosen: dict[str, Round] = {}
    for r in rounds:
        qid = r.questionnaire_version.qid
        best = chosen.get(qid)
        if best is None or (r.closes_at, r.id) > (best.closes_at, best.id):
            chosen[qid] = r
    return chosen
