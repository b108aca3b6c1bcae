"""Creating, closing and finding survey rounds; issuing invitation tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.catalog import questionnaire_of
from surveyapp.models import Invitation, QuestionnaireVersion, Round
from surveyapp.models.base import utcnow

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|M(0[1-9]|1[0-2])|H[12])?$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{3,40}$")
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: tokens are typed by hand


class RoundError(ValueError):
    """A round cannot be created or changed as asked; the message says why."""


def current_quarter(now: datetime | None = None) -> str:
    now = now or utcnow()
    return f"{now.year}Q{(now.month - 1) // 3 + 1}"


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """First instant of a ``YYYYQn`` period and of the next one, in UTC."""
    match = re.fullmatch(r"(\d{4})Q([1-4])", period)
    if not match:
        raise RoundError(f"period {period!r} is not a quarter like 2026Q3")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=UTC)
    return start, end


def create_round(
    session: Session,
    version: QuestionnaireVersion,
    period: str,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    districts: list[str] | None = None,
    targets: dict[str, int] | None = None,
    code: str | None = None,
    require_token: bool = False,
) -> Round:
    if not PERIOD_RE.match(period):
        raise RoundError(f"period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    if opens_at is None or closes_at is None:
        try:
            start, end = quarter_bounds(period)
        except RoundError:
            start, end = utcnow(), utcnow() + timedelta(days=90)
        opens_at = opens_at or start
        closes_at = closes_at or end
    if closes_at <= opens_at:
        raise RoundError("the closing date must be after the opening date")
    q = questionnaire_of(version)
    options: tuple[str, ...] = ()
    if "district" in q.respondent_ids:
        options = q.respondent_question("district").values
    districts = list(districts) if districts else list(options)
    unknown = [d for d in districts if options and d not in options]
    if unknown:
        raise RoundError(f"district {unknown[0]!r} is not an option of questionnaire {q.id}")
    for district in targets or {}:
        if district not in districts:
            raise RoundError(f"target given for district {district!r} that is not in the round")
    code = code or f"{q.id}-{period}".lower()
    if not CODE_RE.match(code):
        raise RoundError(f"round code {code!r} may use only letters, digits, '-' and '_' (3-40)")
    if session.scalar(select(Round.id).where(Round.code == code)) is not None:
        raise RoundError(f"a round with code {code!r} exists already")
    round_ = Round(
        code=code,
        questionnaire_version_id=version.id,
        period=period,
        opens_at=opens_at,
        closes_at=closes_at,
        districts=districts,
        targets=dict(targets or {}),
        status="open",
        require_token=require_token,
        salt=secrets.token_hex(32),
        created_at=utcnow(),
    )
    session.add(round_)
    session.flush()
    return round_


def get_round(session: Session, code: str) -> Round | None:
    return session.scalars(select(Round).where(Round.code == code)).first()


@dataclass(frozen=True)
class VersionRef:
    """What the submission path needs of a questionnaire version, without its definition.

    :func:`surveyapp.catalog.questionnaire_of` reads ``definition`` only when the parsed
    questionnaire is not cached yet; it is then loaded with one query.
    """

    id: int
    content_hash: str
    _load: Callable[[int], dict] = field(repr=False, compare=False)

    @property
    def definition(self) -> dict:
        return self._load(self.id)


@dataclass(frozen=True)
class RoundSnapshot:
    """A round as read for one submission: plain values, one light query, no ORM objects.

    It has the attributes of :class:`Round` that :func:`submit_response` uses, so the
    API's hot path does not pay for loading entities it never changes.
    """

    id: int
    code: str
    questionnaire_version_id: int
    period: str
    opens_at: datetime
    closes_at: datetime
    districts: list[str]
    status: str
    require_token: bool
    salt: str
    questionnaire_version: VersionRef

    state = Round.state


def round_snapshot(session: Session, code: str) -> RoundSnapshot | None:
    columns = (Round.id, Round.code, Round.questionnaire_version_id, Round.period, Round.opens_at,
               Round.closes_at, Round.districts, Round.status, Round.require_token, Round.salt)
    stmt = (
        select(*columns, QuestionnaireVersion.content_hash)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Round.questionnaire_version_id)
        .where(Round.code == code)
    )
    row = session.connection().execute(stmt).first()
    if row is None:
        return None

    def load(version_id: int) -> dict:
        return session.scalar(select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == version_id))

    *values, content_hash = row
    return RoundSnapshot(*values, questionnaire_version=VersionRef(row.questionnaire_version_id, content_hash, load))


def list_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.period.desc(), Round.code)))


def close_round(session: Session, round_: Round) -> Round:
    if round_.status == "closed":
        raise RoundError(f"round {round_.code} is already closed")
    round_.status = "closed"
    round_.closed_at = utcnow()
    session.flush()
    return round_


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode("utf-8")).hexdigest()


def issue_invitations(session: Session, round_: Round, count: int) -> list[str]:
    """Create ``count`` single-use tokens like ``K7Q2-9MXD``; only their hashes are kept."""
    if not 1 <= count <= 1_000_000:
        raise RoundError("the number of invitations must be between 1 and 1,000,000")
    tokens = []
    for _ in range(count):
        raw = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))
        tokens.append(f"{raw[:4]}-{raw[4:]}")
    session.add_all(Invitation(round_id=round_.id, token_hash=hash_token(tok)) for tok in tokens)
    session.flush()
    return tokens
