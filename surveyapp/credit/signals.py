"""Rating signals (评分预警信号) on the credit record.

A provider whose posterior share of satisfied ratings (the providers' scores, the
lowest over its sectors) is below the threshold ``CREDIT_LOW_SCORE`` in the scores'
window ending on a day *and* in the window before it gets one dated ``rating_signal``
event, whose description carries its source: both windows and both posterior shares.
:func:`update_signals` is run by ``surveyapp credit signals`` and by ``surveyapp credit
classes`` when the rules use the low-score indicator, so the record shows what the
class counts.

* **Idempotent.** A provider has at most one open signal; running again (the same day
  or later) while the score stays low adds nothing.
* **Ends when the score recovers.** The first run whose window's share is at or above
  the threshold ends the open signal that day, with the share as the reason.  A
  provider without ratings in the window keeps its signal: no evidence of recovery,
  never a guess.
* **Credit repair** (``surveyapp credit repair``) ends a signal like any event.  The same
  ratings then never raise it again: a new signal needs a whole window of ratings given
  after the repair day.

Two grouped queries over the ratings whatever the number of providers (the indicators'
own, :mod:`surveyapp.credit.indicators`), one over the signals, one audit row per run
that changed anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from surveyapp.accounts.service import audit
from surveyapp.credit.indicators import IndicatorSettings, _scores
from surveyapp.credit.rules import RuleSet
from surveyapp.models import Provider, User
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.credit import RATING_SIGNAL, CreditEvent
from surveyapp.providers.scores import months_before, score_window

__all__ = ["RECOVERED", "SIGNAL_INDICATOR", "SIGNAL_SOURCE", "SignalRun", "update_signals",
           "uses_signals"]  # fmt: skip

SIGNAL_SOURCE = "rating-signal"
#: How the end reason of a signal ended by the ratings themselves begins
RECOVERED = "score recovered"
#: The rules' indicator the signals stand for on the record
SIGNAL_INDICATOR = "low_score_periods"


def uses_signals(rules: RuleSet) -> bool:
    """Whether a rule set counts low-score periods (then classes update the signals)."""
    return any(rule.indicator == SIGNAL_INDICATOR for rule in rules.rules)


@dataclass(frozen=True)
class SignalRun:
    """What one run did: provider keys with a signal raised, ended, and still open."""

    as_of: date
    raised: tuple[str, ...]
    ended: tuple[str, ...]
    still_open: int


def _span(first: date, last: date) -> str:
    return f"{first.isoformat()}..{last.isoformat()}"


def update_signals(
    session: DbSession,
    settings: IndicatorSettings,
    as_of: date,
    actor: User | str,
    *,
    now: datetime | None = None,
) -> SignalRun:
    """Raise and end the rating signals as of ``as_of`` (module docstring); commits."""
    now = now or utcnow()
    threshold = settings.low_score
    window = score_window(as_of, settings.window_months)
    before = score_window(months_before(as_of, settings.window_months), settings.window_months)
    current, previous = _scores(session, as_of, settings.window_months, None)
    open_: dict[int, CreditEvent] = {}
    repaired: dict[int, date] = {}  # provider → the last day a signal was repaired
    names: set[str] = set()
    for e in session.scalars(select(CreditEvent).where(CreditEvent.kind == RATING_SIGNAL)):
        names.add(e.external_id)
        if e.ended_on is None:
            open_[e.provider_id] = e
        elif not (e.end_reason or "").startswith(RECOVERED):
            repaired[e.provider_id] = max(e.ended_on, repaired.get(e.provider_id, e.ended_on))
    low = {
        pid: (share, previous[pid])
        for pid, (_, share) in current.items()
        if share < threshold and previous.get(pid, threshold) < threshold
    }
    raise_ids = [
        pid
        for pid in low
        if pid not in open_ and (pid not in repaired or repaired[pid] < window.first)
    ]
    keys = {
        pid: code or reg or str(pid)
        for pid, code, reg in session.execute(
            select(Provider.id, Provider.credit_code, Provider.registration_no).where(
                Provider.id.in_(raise_ids + list(open_))
            )
        )
    }
    raised: list[str] = []
    for pid in sorted(raise_ids, key=lambda p: keys[p]):
        ext = f"{keys[pid]}@{as_of.isoformat()}"
        if ext in names:
            continue  # raised on this day before and since ended: nothing new to say
        share, then = low[pid]
        session.add(
            CreditEvent(
                provider_id=pid,
                kind=RATING_SIGNAL,
                occurred_on=as_of,
                source=SIGNAL_SOURCE,
                external_id=ext,
                description=(
                    f"posterior_share {_span(window.first, window.last)}: {share:.3f}; "
                    f"{_span(before.first, before.last)}: {then:.3f}; below {threshold:g}"
                ),
                created_at=now,
            )
        )
        raised.append(keys[pid])
    ended: list[str] = []
    for pid, e in sorted(open_.items(), key=lambda item: keys[item[0]]):
        now_score = current.get(pid)
        if now_score is None or now_score[1] < threshold or as_of < e.occurred_on:
            continue  # still low, or no ratings in the window: no evidence of recovery
        e.ended_on = as_of
        e.end_reason = f"{RECOVERED}: {now_score[1]:.3f} ({_span(window.first, window.last)})"
        ended.append(keys[pid])
    if raised or ended:
        audit(session, actor, "credit.signals", f"day:{as_of.isoformat()}",
              {"raised": raised, "ended": ended, "threshold": threshold}, at=now)  # fmt: skip
    session.commit()
    return SignalRun(as_of, tuple(raised), tuple(ended), len(open_) - len(ended) + len(raised))
