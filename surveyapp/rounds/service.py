"""Creating, closing and finding survey rounds; issuing invitation tokens.

The same functions serve the command line and the admin pages.  Given an ``actor``
(the signed-in user, or a name such as ``"cli"``) a change is also written to the
audit log, in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, delete, func, insert, select

from surveyapp.catalog import questionnaire_of
from surveyapp.i18n import CHINA_TZ
from surveyapp.models import Invitation, QuestionnaireVersion, Response, Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.review import ReviewWave
from surveyapp.models.round import round_state
from surveyapp.models.user import User
from surveyapp.rounds.dates import (
    china_today,
    closes_after,
    day_start,
    first_day,
    last_day,
    period_days,
)

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|M(0[1-9]|1[0-2])|H[12])?$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{3,40}$")
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: tokens are typed by hand


MAX_TARGET = 10_000_000


class RoundError(ValueError):
    """A round cannot be created or changed as asked; the message says why.

    ``code`` names the problem and ``field`` the input it is about (``period``,
    ``opens``, ``closes``, ``districts``, ``targets``, ``code``, ``version``, ``count``),
    with ``params`` for the wording, so a page can put a translated message next to
    the field; ``str()`` stays the one English line the command line prints.
    """

    def __init__(
        self, message: str, *, code: str = "invalid", field: str | None = None, **params: Any
    ) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.params = params


def current_quarter(now: datetime | None = None) -> str:
    """The quarter of ``now`` in China (00:30 on 1 January in Beijing is already Q1)."""
    today = china_today(now or utcnow())
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """First instant of a ``YYYYQn`` period and of the next one (China time), in UTC."""
    bounds = period_bounds(period) if re.fullmatch(r"\d{4}Q[1-4]", period) else None
    if bounds is None:
        raise RoundError(f"period {period!r} is not a quarter like 2026Q3")
    return bounds


def period_bounds(period: str) -> tuple[datetime, datetime] | None:
    """A round's default dates for ``period``: from 00:00 of its first day to the end of
    its last day, China time, in UTC; ``None`` when ``period`` is not a period."""
    days = period_days(period)
    if days is None:
        return None
    return day_start(days[0]), closes_after(days[1])


def round_problems(
    session: DbSession,
    version: QuestionnaireVersion,
    period: str,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    districts: list[str] | None = None,
    targets: dict[str, int] | None = None,
    code: str | None = None,
    parallel: bool = False,
    now: datetime | None = None,
) -> list[RoundError]:
    """Every reason why :func:`create_round` would refuse these values, in field order.

    A form shows them all at once, each next to its field; :func:`create_round`
    raises the first.
    """
    problems: list[RoundError] = []
    if version.status != "published":
        problems.append(
            RoundError(
                f"questionnaire {version.qid} v{version.version} is not published",
                code="not_published",
                field="version",
                qid=version.qid,
                version=version.version,
            )
        )
    if not PERIOD_RE.match(period):
        problems.append(
            RoundError(
                f"period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026",
                code="bad_period",
                field="period",
                period=period,
            )
        )
    bounds = period_bounds(period)  # a blank date is the period's own (China time)
    if bounds is not None:
        opens_at = opens_at or bounds[0]
        closes_at = closes_at or bounds[1]
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems.append(
            RoundError(
                "the closing date must be after the opening date",
                code="dates_order",
                field="closes",
            )
        )
    q = questionnaire_of(version)
    options = _district_options(version)
    chosen = list(districts) if districts else list(options)
    if not parallel:
        other = overlapping_round(session, version.sector, period, chosen, now or utcnow())
        if other is not None:
            problems.append(
                RoundError(
                    f"round {other.code} already runs (or is scheduled) for sector "
                    f"{version.sector} in {period} with districts overlapping these; close, "
                    "delete or archive it, or mark this round as a parallel sample (--parallel)",
                    code="overlap",
                    field="parallel",
                    other=other.code,
                    period=period,
                )
            )
    unknown = [d for d in chosen if options and d not in options]
    if unknown:
        problems.append(
            RoundError(
                f"district {unknown[0]!r} is not an option of questionnaire {q.id}",
                code="unknown_district",
                field="districts",
                district=unknown[0],
                qid=q.id,
            )
        )
    for district, target in (targets or {}).items():
        if district not in chosen:
            problems.append(
                RoundError(
                    f"target given for district {district!r} that is not in the round",
                    code="target_not_in_round",
                    field="targets",
                    district=district,
                )
            )
        elif (
            isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_TARGET
        ):
            problems.append(
                RoundError(
                    f"the target of {district} must be a whole number from 1 to {MAX_TARGET:,}",
                    code="bad_target",
                    field="targets",
                    district=district,
                    max=MAX_TARGET,
                )
            )
    code = code or default_code(version, period)
    if not CODE_RE.match(code):
        problems.append(
            RoundError(
                f"round code {code!r} may use only letters, digits, '-' and '_' (3-40)",
                code="bad_code",
                field="code",
                round_code=code,
            )
        )
    elif session.scalar(select(Round.id).where(Round.code == code)) is not None:
        problems.append(
            RoundError(
                f"a round with code {code!r} exists already",
                code="code_taken",
                field="code",
                round_code=code,
            )
        )
    return problems


def overlapping_round(
    session: DbSession,
    sector: str,
    period: str,
    districts: list[str],
    now: datetime,
    *,
    exclude: int | None = None,
) -> Round | None:
    """An open or scheduled, not archived round of ``sector`` in ``period`` whose
    districts meet ``districts`` (an empty list is every district), or ``None``.

    Only one such round may run unless the new one is marked as a parallel sample:
    two would split one sector's residents, and a dashboard could show only one.
    """
    stmt = (
        select(Round)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Round.questionnaire_version_id)
        .where(
            QuestionnaireVersion.sector == sector,
            Round.period == period,
            Round.archived_at.is_(None),
            Round.status != "closed",
            Round.closes_at > now,
        )
        .order_by(Round.id)
    )
    wanted = set(districts)
    for other in session.scalars(stmt):
        if other.id == exclude:
            continue
        theirs = set(other.districts or [])
        if not wanted or not theirs or wanted & theirs:
            return other
    return None


def default_code(version: QuestionnaireVersion, period: str) -> str:
    """The round code used when none is given: ``catering-2026q4``."""
    return f"{version.qid}-{period}".lower()


def _district_options(version: QuestionnaireVersion) -> tuple[str, ...]:
    q = questionnaire_of(version)
    if "district" in q.respondent_ids:
        return q.respondent_question("district").values
    return ()


def create_round(
    session: DbSession,
    version: QuestionnaireVersion,
    period: str,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    districts: list[str] | None = None,
    targets: dict[str, int] | None = None,
    code: str | None = None,
    require_token: bool = False,
    parallel: bool = False,
    actor: User | str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Round:
    """Open a round of ``version`` for ``period``; raises :class:`RoundError`.

    Dates default to the period's first and last day, China time
    (:mod:`surveyapp.rounds.dates`); districts default to every district option of the
    questionnaire.  A round overlapping an open or scheduled one of the same sector,
    period and districts is refused unless ``parallel`` marks it as a parallel sample.
    """
    now = now or utcnow()
    bounds = period_bounds(period)
    if bounds is not None:
        opens_at = opens_at or bounds[0]
        closes_at = closes_at or bounds[1]
    problems = round_problems(
        session,
        version,
        period,
        opens_at=opens_at,
        closes_at=closes_at,
        districts=districts,
        targets=targets,
        code=code,
        parallel=parallel,
        now=now,
    )
    if problems:
        raise problems[0]
    if opens_at is None or closes_at is None:  # unreachable: a valid period gives both
        raise RoundError("the round needs an opening and a closing date", field="opens")
    round_ = Round(
        code=code or default_code(version, period),
        questionnaire_version_id=version.id,
        period=period,
        opens_at=opens_at,
        closes_at=closes_at,
        districts=list(districts) if districts else list(_district_options(version)),
        targets=dict(targets or {}),
        status="open",
        require_token=require_token,
        parallel=parallel,
        salt=secrets.token_hex(32),
        created_at=now,
    )
    session.add(round_)
    session.flush()
    if actor is not None:
        _audit(
            session,
            actor,
            "round.create",
            round_,
            ip,
            {
                "questionnaire": version.qid,
                "version": version.version,
                "period": period,
                "opens_at": opens_at.isoformat(),
                "closes_at": closes_at.isoformat(),
                "districts": round_.districts,
                "targets": round_.targets,
                "require_token": require_token,
                "parallel": parallel,
            },
        )
    return round_


def _audit(
    session: DbSession,
    actor: User | str,
    action: str,
    round_: Round,
    ip: str | None,
    details: dict[str, Any],
) -> None:
    from surveyapp.accounts.service import audit  # auth imports the models only; no cycle

    audit(session, actor, action, target=f"round:{round_.code}", details=details, ip=ip)


def get_round(session: DbSession, code: str) -> Round | None:
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

    def state(self, now: datetime) -> str:
        return round_state(self.status, self.opens_at, self.closes_at, now)


#: :func:`round_snapshot`'s columns and query, built once (every survey post reads it)
_SNAPSHOT_COLUMNS = (
    Round.id,
    Round.code,
    Round.questionnaire_version_id,
    Round.period,
    Round.opens_at,
    Round.closes_at,
    Round.districts,
    Round.status,
    Round.require_token,
    Round.salt,
)
_SNAPSHOT_KEYS = [c.key for c in _SNAPSHOT_COLUMNS]
_SNAPSHOT = (
    select(*_SNAPSHOT_COLUMNS, QuestionnaireVersion.content_hash)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Round.questionnaire_version_id)
    .where(Round.code == bindparam("code"))
)


def round_snapshot(session: DbSession, code: str) -> RoundSnapshot | None:
    row = session.connection().execute(_SNAPSHOT, {"code": code}).first()
    if row is None:
        return None

    def load(version_id: int) -> dict:
        definition: dict = session.scalars(
            select(QuestionnaireVersion.definition).where(QuestionnaireVersion.id == version_id)
        ).one()
        return definition

    values = dict(zip(_SNAPSHOT_KEYS, row, strict=False))
    version = VersionRef(row.questionnaire_version_id, row.content_hash, load)
    return RoundSnapshot(**values, questionnaire_version=version)


def round_details(round_: Round, now: datetime) -> dict[str, Any]:
    """A round as the read API shows it: instants in China time (``+08:00``) and the
    days a person reads, the closing day inclusive (:mod:`surveyapp.rounds.dates`)."""
    version = round_.questionnaire_version
    return {
        "code": round_.code,
        "questionnaire": {"id": version.qid, "version": version.version},
        "period": round_.period,
        "opens_at": round_.opens_at.astimezone(CHINA_TZ).isoformat(),
        "closes_at": round_.closes_at.astimezone(CHINA_TZ).isoformat(),
        "opens_on": first_day(round_.opens_at).isoformat(),
        "closes_on": last_day(round_.closes_at).isoformat(),
        "time_zone": "Asia/Shanghai",
        "districts": round_.districts,
        "require_token": round_.require_token,
        "parallel": round_.parallel,
        "archived": round_.archived_at is not None,
        "status": round_.state(now),
    }


def list_rounds(session: DbSession) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.period.desc(), Round.code)))


def response_count(session: DbSession, round_: Round) -> int:
    return int(session.scalar(select(func.count()).where(Response.round_id == round_.id)) or 0)


def delete_round(
    session: DbSession, round_: Round, *, actor: User | str | None = None, ip: str | None = None
) -> None:
    """Remove a round made by mistake, with its invitations; refused once it has a
    response (archive it instead: :func:`archive_round`)."""
    n = response_count(session, round_)
    if n:
        raise RoundError(
            f"round {round_.code} has {n} response(s): it cannot be deleted; archive it "
            "instead (hidden from dashboards and bulletins, kept in the database)",
            code="has_responses",
            round_code=round_.code,
            n=n,
        )
    if actor is not None:
        v = round_.questionnaire_version
        _audit(
            session,
            actor,
            "round.delete",
            round_,
            ip,
            {
                "questionnaire": v.qid,
                "version": v.version,
                "period": round_.period,
                "opens_at": round_.opens_at.isoformat(),
                "closes_at": round_.closes_at.isoformat(),
                "districts": list(round_.districts or []),
                "parallel": round_.parallel,
            },
        )
    session.execute(delete(Invitation).where(Invitation.round_id == round_.id))
    session.execute(delete(ReviewWave).where(ReviewWave.round_id == round_.id))
    session.delete(round_)
    session.flush()


def archive_round(
    session: DbSession,
    round_: Round,
    *,
    actor: User | str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Round:
    """Hide a round from the dashboards, the API's indices and the bulletins, keeping it
    and its responses in the database; an open round is closed at the same time."""
    if round_.archived_at is not None:
        raise RoundError(
            f"round {round_.code} is already archived",
            code="already_archived",
            round_code=round_.code,
        )
    now = now or utcnow()
    was_open = round_.status != "closed"
    round_.archived_at = now
    if was_open:
        round_.status = "closed"
        round_.closed_at = now
    session.flush()
    if actor is not None:
        details = {"responses": response_count(session, round_), "closed_now": was_open}
        _audit(session, actor, "round.archive", round_, ip, details)
    return round_


def close_round(
    session: DbSession, round_: Round, *, actor: User | str | None = None, ip: str | None = None
) -> Round:
    if round_.status == "closed":
        raise RoundError(
            f"round {round_.code} is already closed", code="already_closed", round_code=round_.code
        )
    round_.status = "closed"
    round_.closed_at = utcnow()
    session.flush()
    if actor is not None:
        _audit(session, actor, "round.close", round_, ip, {})
    return round_


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode("utf-8")).hexdigest()


def invitation_state(
    session: DbSession, round_: Round, token: str
) -> Literal["unused", "used", "unknown"]:
    """Whether ``token`` is an invitation of ``round_`` and still unused (a read, no lock).

    Lets the first survey page refuse a mistyped code at once; the submission still
    consumes the invitation atomically (:func:`surveyapp.responses.submit.submit_response`).
    """
    used_at = session.execute(
        select(Invitation.used_at).where(
            Invitation.token_hash == hash_token(token), Invitation.round_id == round_.id
        )
    ).first()
    if used_at is None:
        return "unknown"
    return "unused" if used_at[0] is None else "used"


def issue_invitations(
    session: DbSession,
    round_: Round,
    count: int,
    *,
    limit: int = 1_000_000,
    actor: User | str | None = None,
    ip: str | None = None,
) -> list[str]:
    """Create ``count`` single-use tokens like ``K7Q2-9MXD``; only their hashes are kept.

    The raw tokens exist only in the returned list: hand them out now, they cannot be
    shown again.  One multi-row INSERT, so 100,000 tokens take seconds, not minutes.
    """
    if not 1 <= count <= limit:
        raise RoundError(
            f"the number of invitations must be between 1 and {limit:,}",
            code="bad_count",
            field="count",
            max=limit,
        )
    if round_.status == "closed":
        raise RoundError(
            f"round {round_.code} is closed: no invitations can be issued",
            code="already_closed",
            round_code=round_.code,
        )
    tokens = []
    for _ in range(count):
        raw = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))
        tokens.append(f"{raw[:4]}-{raw[4:]}")
    now = utcnow()
    session.execute(
        insert(Invitation),
        [
            {"round_id": round_.id, "token_hash": hash_token(tok), "created_at": now}
            for tok in tokens
        ],
    )
    session.flush()
    if actor is not None:
        _audit(session, actor, "round.invitations", round_, ip, {"count": count})
    return tokens


def set_round_margins(
    session: DbSession,
    round_: Round,
    margins: dict[str, dict[str, float]] | None,
    *,
    actor: User | str | None = None,
    ip: str | None = None,
    source: str | None = None,
) -> Round:
    """Store (or, with ``None``, clear) the population margins the round is weighted to.

    ``margins`` is ``{variable: {category: total}}`` as read from a checked margins
    CSV; the variables keep their file order, which is the raking order.
    """
    details = None
    if margins is not None:
        details = {
            "variables": list(margins),
            "categories": sum(len(c) for c in margins.values()),
            "file": source,
        }
    return _store_table(session, round_, "margins", margins, actor, ip, details)


def set_round_auxiliaries(
    session: DbSession,
    round_: Round,
    auxiliaries: dict[str, dict[str, float]] | None,
    *,
    actor: User | str | None = None,
    ip: str | None = None,
    source: str | None = None,
) -> Round:
    """Store (or, with ``None``, clear) the district auxiliaries of the round's
    small-area estimates: ``{district: {covariate: value}}`` from a checked file."""
    details = None if auxiliaries is None else {"districts": len(auxiliaries), "file": source}
    return _store_table(session, round_, "auxiliaries", auxiliaries, actor, ip, details)


def _store_table(
    session: DbSession,
    round_: Round,
    column: str,
    table: dict[str, dict[str, float]] | None,
    actor: User | str | None,
    ip: str | None,
    details: dict[str, Any] | None,
) -> Round:
    """Store a round's uploaded two-level table (or clear it: ``None``), audited as
    ``round.<column>`` with ``details`` (``{"cleared": True}`` when cleared)."""
    setattr(round_, column, {k: dict(v) for k, v in table.items()} if table is not None else None)
    session.flush()
    if actor is not None:
        _audit(session, actor, f"round.{column}", round_, ip, details or {"cleared": True})
    return round_


def responses_by_district(
    session: DbSession, round_ids: list[int]
) -> dict[int, dict[str | None, int]]:
    """Responses received so far: round id → district (``None``: not given) → count."""
    out: dict[int, dict[str | None, int]] = {rid: {} for rid in round_ids}
    if not round_ids:
        return out
    stmt = (
        select(Response.round_id, Response.district, func.count())
        .where(Response.round_id.in_(round_ids))
        .group_by(Response.round_id, Response.district)
    )
    for round_id, district, n in session.execute(stmt):
        out[round_id][district] = n
    return out
