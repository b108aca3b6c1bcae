"""Consumer-warning proposals (消费警示提示建议) for D-class providers — never automatic.

The 2023 plan asks to "issue consumer warnings in due time" for market entities of high
credit risk.  A warning names a business in public, so a person decides: this module
only *proposes*.  :func:`warning_proposals` lists the providers whose class is D today
(the rules' class or a bureau's override) that were not warned about and whose proposal
was not dismissed within ``CREDIT_WARNING_DAYS`` (180) days, each with the factors that
made it D.  A bureau then either publishes a warning, written or edited by a person,
through the complaints' warnings (:func:`publish_proposed_warning`, which calls
:func:`surveyapp.complaints.handling.publish_warning`), or dismisses the proposal with a
reason (:func:`dismiss_proposal`); both are audited, and either way the provider is not
proposed again within the window.  A bureau sees and acts on its own sectors only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from surveyapp.accounts.service import audit
from surveyapp.complaints.handling import publish_warning
from surveyapp.credit.classes import CreditSettings, ProviderClass, compute_classes
from surveyapp.models import Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.complaint import ConsumerWarning
from surveyapp.models.supervision import WarningProposalDismissal
from surveyapp.rounds.dates import day_start

__all__ = [
    "MAX_REASON",
    "Proposal",
    "ProposalError",
    "dismiss_proposal",
    "publish_proposed_warning",
    "warning_proposals",
]

MAX_REASON = 500
PROPOSED_CLASS = "D"


class ProposalError(ValueError):
    """A decision on a proposal that cannot be taken; the message says why."""


@dataclass(frozen=True)
class Proposal:
    """A D-class provider proposed for a consumer warning, with why it is D."""

    provider_id: int
    key: str
    name: str
    district: str
    sector: str  # the sector it was classified in (the bureau's)
    standing: ProviderClass
    last_warning: datetime | None  # an older warning, outside the window


def _latest(session: DbSession, query) -> dict[int, datetime]:
    return {pid: at for pid, at in session.execute(query) if pid is not None}


def _recent_decisions(session: DbSession) -> tuple[dict[int, datetime], dict[int, datetime]]:
    warned = _latest(
        session,
        select(ConsumerWarning.provider_id, func.max(ConsumerWarning.published_at))
        .where(ConsumerWarning.provider_id.is_not(None))
        .group_by(ConsumerWarning.provider_id),
    )
    dismissed = _latest(
        session,
        select(
            WarningProposalDismissal.provider_id, func.max(WarningProposalDismissal.dismissed_at)
        ).group_by(WarningProposalDismissal.provider_id),
    )
    return warned, dismissed


def warning_proposals(
    session: DbSession,
    settings: CreditSettings,
    as_of: date,
    sectors: Collection[str],
    window_days: int,
) -> list[Proposal]:
    """The D-class providers of ``sectors`` to propose (module docstring), by key; a
    provider of several of the sectors is proposed once (its first sector's class)."""
    since = day_start(as_of - timedelta(days=window_days - 1))
    warned, dismissed = _recent_decisions(session)
    out: dict[int, Proposal] = {}
    for sector in sectors:
        for p in compute_classes(session, settings, as_of, sector=sector, open_only=True):
            if p.cls != PROPOSED_CLASS or p.provider_id in out:
                continue
            last, declined = warned.get(p.provider_id), dismissed.get(p.provider_id)
            if (last is not None and last >= since) or (declined is not None and declined >= since):
                continue
            out[p.provider_id] = Proposal(p.provider_id, p.key, p.name, p.district, sector, p, last)
    return sorted(out.values(), key=lambda p: p.key)


def _proposal_of(
    session: DbSession,
    settings: CreditSettings,
    provider: Provider,
    actor: User,
    as_of: date,
    window_days: int,
) -> Proposal:
    sectors = [s for s in provider.sectors or [] if actor.may_see_sector(s)]
    if actor.role not in ("admin", "evaluator", "bureau") or not sectors:
        raise ProposalError(f"{actor.username} cannot act on {provider.key}")
    for proposal in warning_proposals(session, settings, as_of, sectors, window_days):
        if proposal.provider_id == provider.id:
            return proposal
    raise ProposalError(
        f"{provider.key} is not proposed now (not class D, or warned or dismissed recently)"
    )


def dismiss_proposal(
    session: DbSession,
    settings: CreditSettings,
    provider: Provider,
    reason: str,
    actor: User,
    *,
    as_of: date,
    window_days: int,
    now: datetime | None = None,
) -> WarningProposalDismissal:
    """Decide against a warning now, with a reason; audited, the caller commits."""
    reason = " ".join(reason.split())
    if not reason:
        raise ProposalError("dismissing a proposal needs a reason")
    if len(reason) > MAX_REASON:
        raise ProposalError(f"the reason is longer than {MAX_REASON} characters")
    proposal = _proposal_of(session, settings, provider, actor, as_of, window_days)
    row = WarningProposalDismissal(provider_id=provider.id, reason=reason,
                                   actor=actor.username[:64], dismissed_at=now or utcnow())  # fmt: skip
    session.add(row)
    session.flush()
    audit(session, actor, "credit.warning_proposal.dismiss", f"provider:{provider.key}",
          {"reason": reason, "class": proposal.standing.cls,
           "points": proposal.standing.computed.points}, at=row.dismissed_at)  # fmt: skip
    return row


def publish_proposed_warning(
    session: DbSession,
    settings: CreditSettings,
    provider: Provider,
    title: str,
    body: str,
    actor: User,
    *,
    as_of: date,
    window_days: int,
    now: datetime | None = None,
) -> ConsumerWarning:
    """A person publishes the warning they wrote for a proposed provider, through the
    complaints' warnings (immutable once stored); audited, the caller commits.
    ``ValueError`` (a :class:`ProposalError` or the warning's own) when it cannot be."""
    proposal = _proposal_of(session, settings, provider, actor, as_of, window_days)
    warning = publish_warning(session, scope="provider", title=title, body=body, actor=actor,
                              provider=provider, sector=proposal.sector, now=now)  # fmt: skip
    audit(session, actor, "credit.warning_proposal.publish", f"provider:{provider.key}",
          {"warning": warning.id, "class": proposal.standing.cls,
           "points": proposal.standing.computed.points}, at=warning.published_at)  # fmt: skip
    return warning
