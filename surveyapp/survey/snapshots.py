"""What re-drawing a survey page needs of a round, kept in the process.

When the database fails in the middle of a POST, the resident must get the same page
back with every answer (see ``survey_post``).  Re-drawing it needs the round's survey,
districts, period and invitation rule; the database that just failed cannot give them,
so each process keeps the last good copy of every round it has read.

A worker that has never served a round would have no copy, and which worker takes a
request is up to the server (gunicorn often hands a burst to the same one), so the
server warms every process before it takes requests: :func:`remember_open_rounds`
runs in ``wsgi.py`` and in ``surveyapp serve`` before the workers fork.  Only a worker
started while the database is already down has nothing: it answers the plain 503
notice page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import scoped_session

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Round
from surveyapp.models.base import DbSession
from surveyapp.survey.forms import SurveyDefinition, definition_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundSeen:
    """A plain copy of what a page shows of a round: reading it never asks the database."""

    code: str
    districts: list[str]
    require_token: bool
    period: str  # the page's header says it in words


# code -> (round, survey) of the last good lookup in this process
_LAST_SEEN: dict[str, tuple[RoundSeen, SurveyDefinition]] = {}


def remember(round_: Round, definition: SurveyDefinition) -> None:
    """Keep a copy of ``round_`` as just read (called on every good lookup)."""
    seen = RoundSeen(
        round_.code, list(round_.districts or []), bool(round_.require_token), round_.period
    )
    _LAST_SEEN[round_.code] = (seen, definition)


def last_seen(code: str) -> tuple[RoundSeen, SurveyDefinition] | None:
    """The copy of round ``code`` this process last read, if it read one."""
    return _LAST_SEEN.get(code)


def forget_all() -> None:
    """Drop every copy (tests: a process that has read nothing)."""
    _LAST_SEEN.clear()


def remember_open_rounds(session: DbSession) -> int:
    """Read every round residents may be answering now and keep a copy; how many.

    Called once when a server starts.  A database that is down at that moment is not an
    error here (the server must still start and answer 503s): it is logged and the
    copies fill in as rounds are read.
    """
    try:
        rounds = session.scalars(select(Round).where(Round.status == "open")).all()
        for round_ in rounds:
            remember(round_, definition_for(questionnaire_of(round_.questionnaire_version)))
    except SQLAlchemyError as exc:
        log.warning("survey pages not warmed, the database did not answer: %s", exc)
        rounds = []
    try:
        session.close()
    except SQLAlchemyError as exc:
        # the server went away while we read (a stop terminates the connection): closing
        # rolls back on it and fails; a worker that raised here would fail to boot and
        # gunicorn would then stop every worker with it
        (session() if isinstance(session, scoped_session) else session).invalidate()
        log.warning("survey pages: the database connection was lost at start: %s", exc)
    return len(rounds)
