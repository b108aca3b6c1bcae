"""Which round counts for a sector in a period, and which are shown beside it.

An admin may run more than one round of a sector in a period: a re-run after a
round was closed, a parallel sample (``Round.parallel``), rounds of different districts,
or a round made by mistake.  The dashboard, the API and the bulletins must report the
same one, and a round without responses must never hide one with them:

* archived rounds never count (:func:`surveyapp.rounds.service.archive_round`);
* the round that counts is the one with responses, not marked parallel, that closes
  last (on a tie, the last created) — in that order of preference, so an empty
  duplicate or a parallel sample never replaces the main round;
* every other round of the sector in the period that has responses is shown *beside*
  it (the dashboard's side-by-side cards), never dropped silently.

One round counts per sector (a second questionnaire of the same sector in the same
period is a parallel sample), keyed by its questionnaire id: a sector is never listed
twice in a bulletin.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select

from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession

__all__ = ["counted_rounds", "rounds_beside", "rounds_with_responses"]


def rounds_with_responses(session: DbSession, round_ids: Iterable[int]) -> set[int]:
    """The ids among ``round_ids`` of rounds that have at least one response (one
    ``EXISTS`` per round on the response table's round index: never a count)."""
    ids = sorted(set(round_ids))
    if not ids:
        return set()
    answered = exists().where(Response.round_id == Round.id)
    return set(session.scalars(select(Round.id).where(Round.id.in_(ids), answered)))


def _choose(
    session: DbSession, rounds: Iterable[Round]
) -> dict[str, tuple[Round, tuple[Round, ...]]]:
    live = [r for r in rounds if r.archived_at is None]
    with_data = rounds_with_responses(session, (r.id for r in live))
    groups: dict[str, list[Round]] = {}
    for r in live:
        groups.setdefault(r.questionnaire_version.sector, []).append(r)
    out = {}
    for group in groups.values():
        main = max(group, key=lambda r: (r.id in with_data, not r.parallel, r.closes_at, r.id))
        beside = tuple(
            sorted((r for r in group if r is not main and r.id in with_data), key=lambda r: r.id)
        )
        out[main.questionnaire_version.qid] = (main, beside)
    return out


def counted_rounds(session: DbSession, rounds: Iterable[Round]) -> dict[str, Round]:
    """Questionnaire id → the round that counts among ``rounds``, one per sector (see
    the module)."""
    return {qid: main for qid, (main, _) in _choose(session, rounds).items()}


def rounds_beside(session: DbSession, rounds: Iterable[Round]) -> dict[str, tuple[Round, ...]]:
    """Questionnaire id → the other rounds among ``rounds`` with responses (parallel
    samples, other districts, an earlier run), shown beside the one that counts."""
    return {qid: beside for qid, (_, beside) in _choose(session, rounds).items() if beside}
