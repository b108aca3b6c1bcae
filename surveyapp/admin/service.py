"""What the rounds admin pages show, read in a few queries (no writes here).

The changes themselves (open, close, margins, invitations) are the verb-named
functions of :mod:`surveyapp.rounds.service`, shared with the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Invitation, QuestionnaireVersion, Round
from surveyapp.models.base import DbSession
from surveyapp.rounds.dates import first_day, last_day
from surveyapp.rounds.service import list_rounds, responses_by_district


@dataclass(frozen=True)
class DistrictProgress:
    district: str | None  # None: responses that gave no district
    received: int
    target: int | None


@dataclass(frozen=True)
class RoundRow:
    """One line of the rounds list."""

    round: Round
    sector: str
    qid: str
    version: int
    title_zh: str
    title_en: str
    state: str
    received: int
    target: int | None
    districts: tuple[DistrictProgress, ...]
    days: tuple[date, date]  # first and last (inclusive) day, China time


def round_state(round_: Round, now: datetime) -> str:
    """``open``, ``not_open``, ``closed`` or ``archived``: what the admin pages show."""
    return "archived" if round_.archived_at is not None else round_.state(now)


def round_days(round_: Round) -> tuple[date, date]:
    """The round's first day and closing day (inclusive) as a person reads them."""
    return first_day(round_.opens_at), last_day(round_.closes_at)


def round_rows(session: DbSession, now: datetime) -> list[RoundRow]:
    """Every round, newest period first, with responses so far against its targets."""
    rounds = list_rounds(session)
    counts = responses_by_district(session, [r.id for r in rounds])
    rows = []
    for r in rounds:
        got = counts[r.id]
        targets = r.targets or {}
        progress = [DistrictProgress(d, got.get(d, 0), targets.get(d)) for d in r.districts or []]
        progress += [  # a district outside the round's list (imported data) or none at all
            DistrictProgress(d, n, None) for d, n in got.items() if d not in (r.districts or [])
        ]
        v = r.questionnaire_version
        rows.append(
            RoundRow(
                round=r,
                sector=v.sector,
                qid=v.qid,
                version=v.version,
                title_zh=v.title_zh,
                title_en=v.title_en,
                state=round_state(r, now),
                received=sum(got.values()),
                target=sum(targets.values()) if targets else None,
                districts=tuple(progress),
                days=round_days(r),
            )
        )
    return rows


def published_versions(session: DbSession) -> list[QuestionnaireVersion]:
    """Published questionnaire versions, by questionnaire, newest version first."""
    stmt = (
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.status == "published")
        .order_by(QuestionnaireVersion.qid, QuestionnaireVersion.version.desc())
    )
    return list(session.scalars(stmt))


def published_version(session: DbSession, raw_id: object) -> QuestionnaireVersion | None:
    """The published version whose id was sent by a form, or ``None``."""
    try:
        version_id = int(str(raw_id))
    except ValueError:
        return None
    row = session.get(QuestionnaireVersion, version_id)
    return row if row is not None and row.status == "published" else None


def district_options(version: QuestionnaireVersion) -> list[str]:
    q = questionnaire_of(version)
    return list(q.respondent_question("district").values) if "district" in q.respondent_ids else []


def invitation_counts(session: DbSession, round_: Round) -> tuple[int, int]:
    """(issued, used) invitation codes of the round."""
    issued, used = session.execute(
        select(func.count(Invitation.id), func.count(Invitation.used_at)).where(
            Invitation.round_id == round_.id
        )
    ).one()
    return int(issued), int(used)
