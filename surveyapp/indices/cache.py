"""One cached analysis per (round, filters), refreshed when the round's responses change.

Why a cache, and why this key
-----------------------------
Analysing a round (decode every stored response, rake the weights, estimate every
group, fit the drivers) takes time proportional to the number of responses: far too
long to repeat on every page view of a round with a million responses, so the
dashboard keeps the analysis result and recomputes only when the inputs change.

An analysis is kept per *family* ``(round id, filters, settings)`` together with the
*version* of the inputs it was computed for: the round's stamp ``(response count,
largest response id)`` and a digest of the round's uploaded margins (an admin's upload
changes every weight but no response).  Stored responses are never edited in place
nor deleted by the application, so a new response changes the stamp and nothing else
does.  There is no hook in the submission path: the survey form, the JSON API, the CSV
importer and other processes (other gunicorn workers, the CLI) all write to the same
table, so every page view asks the database.

Asking cheaply (:class:`RoundStamps`)
-------------------------------------
Counting a round's responses on every view costs O(rows): tens of milliseconds for a
million.  Instead each process keeps the counts of the responses up to a *floor* id
and, per view, counts only the responses above it: one range scan of the primary key
(``WHERE id > floor AND id <= top``), a few thousand rows at most, whatever the
table's size.  The
floor trails the largest id by :data:`RoundStamps.settle` rows rather than following
it, because ids are handed out when a transaction inserts, not when it commits: on
PostgreSQL a response with a smaller id can become visible after one with a larger
id.  Responses above the floor are counted afresh on every view, so such a late
commit still changes the stamp.  When the window above the floor grows past
``2 * settle`` rows, its older part is folded into the kept counts.

When the largest id goes *down* (the database was restored from a backup) the kept
counts are thrown away and recounted.

The cache lives in each process (no shared server needed on a government intranet);
each worker computes a round at most once per change of its responses.

Serving the last result while a fresh one is computed
-----------------------------------------------------
During an open round responses arrive all the time, so nearly every view finds a new
stamp; recomputing in the request made bureau users wait seconds (200,000 responses)
to a minute (1,000,000) on most views.  :meth:`AnalysisCache.serve` keeps the newest
analysis of each (round, filters, settings) whatever its stamp: a view whose stamp
(or the round's uploaded margins) differs gets that analysis at once, marked stale,
and a background thread computes the fresh one with a database session of its own.
The page says so ("figures as of ..., an update is being computed") and the next
view after the refresh shows the new numbers.  Only the first view of a round in a
process computes in the request, because there is nothing to show yet.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import Response
from surveyapp.models.base import DbSession

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: A fresh database session for a background thread, closed when the block ends
#: (the dashboard's: the app's own app context and its scoped session).
SessionScope = Callable[[], AbstractContextManager[Session]]

#: (number of responses, largest response id) of a round.
Stamp = tuple[int, int]


class AnalysisPending(Exception):
    """No analysis of this round is kept yet and it is too large to make a viewer wait
    for it: it is being computed in the background (see :meth:`AnalysisCache.serve`)."""


def round_stamps(session: DbSession, round_ids: Iterable[int]) -> dict[int, Stamp]:
    """The stamp of each round, counted in full (O(rows): the reference
    :class:`RoundStamps` must agree with; rounds without responses: (0, 0))."""
    ids = sorted(set(round_ids))
    if not ids:
        return {}
    stmt = (
        select(Response.round_id, func.count(Response.id), func.max(Response.id))
        .where(Response.round_id.in_(ids))
        .group_by(Response.round_id)
    )
    stamps = {rid: (0, 0) for rid in ids}
    for rid, count, largest in session.execute(stmt):
        stamps[rid] = (int(count), int(largest or 0))
    return stamps


class RoundStamps:
    """Per-process stamps of every round, kept up to date with O(new rows) queries.

    Thread-safe: one lock around the bookkeeping (the queries are short).
    """

    def __init__(self, settle: int = 1000) -> None:
        self.settle = settle
        self.floor: int | None = None  # responses with id <= floor are in _base
        self._base: dict[int, Stamp] = {}
        self._lock = threading.Lock()
        self.recounts = 0  # full recounts (first use, restore): for tests and the benchmark

    def _grouped(self, session: DbSession, low: int | None, high: int | None) -> dict[int, Stamp]:
        stmt = select(Response.round_id, func.count(Response.id), func.max(Response.id))
        if low is not None:
            stmt = stmt.where(Response.id > low)
        if high is not None:
            stmt = stmt.where(Response.id <= high)
        rows = session.execute(stmt.group_by(Response.round_id))
        return {rid: (int(count), int(largest or 0)) for rid, count, largest in rows}

    def stamps(self, session: DbSession, round_ids: Iterable[int]) -> dict[int, Stamp]:
        """The stamp of each round: what is kept below the floor plus a fresh count above."""
        top = int(session.scalar(select(func.max(Response.id))) or 0)
        with self._lock:
            if self.floor is None or top < self.floor:
                # first use, or the table went back (a restore): count everything once
                self.floor = max(0, top - self.settle)
                self._base = self._grouped(session, None, self.floor)
                self.recounts += 1
            elif top - self.floor > 2 * self.settle:
                new_floor = top - self.settle
                for rid, (count, largest) in self._grouped(session, self.floor, new_floor).items():
                    old_count, old_max = self._base.get(rid, (0, 0))
                    self._base[rid] = (old_count + count, max(old_max, largest))
                self.floor = new_floor
            floor, base = self.floor, dict(self._base)
        # bounded above too: with both bounds SQLite scans the primary key's range (with
        # only ``id > floor`` it walks the whole round_id index to group by it)
        above = self._grouped(session, floor, top)
        out = {}
        for rid in set(round_ids):
            count, largest = base.get(rid, (0, 0))
            more, top_id = above.get(rid, (0, 0))
            out[rid] = (count + more, max(largest, top_id))
        return out


@dataclass(frozen=True)
class Served(Generic[T]):
    """A value from the cache: ``stale`` when it was computed for an older version of its
    inputs and a fresh one is being computed in the background."""

    value: T
    version: Hashable
    stale: bool = False


class AnalysisCache:
    """A bounded, thread-safe LRU cache of analyses, with stale-while-revalidate.

    Two ways in:

    - :meth:`get_or_compute` for values whose key says everything (the change between
      two analyses, keyed by both stamps): a miss is computed in the caller's thread.
    - :meth:`serve` for the analysis of a round: one entry per *family* (round, filters,
      settings) holding the newest value and the *version* (stamp, margins) it was
      computed for.  A view whose version differs gets the kept value at once, marked
      stale, and one background thread computes the fresh one (only with a
      ``session_scope``; without, the caller computes it, as :meth:`get_or_compute`).

    At most one computation per key or family runs at a time in a process: a second
    caller that needs the same missing value waits for the first instead of repeating
    minutes of work, and a stale family starts no second refresh while one runs.
    A refresh that fails is logged and forgotten, so the next view starts another; the
    viewer who got the stale value is not affected.
    """

    def __init__(
        self,
        max_entries: int = 256,
        settle: int = 1000,
        session_scope: SessionScope | None = None,
        sync_max: int | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.tracker = RoundStamps(settle)
        self.session_scope = session_scope
        # rounds with more responses than this are analysed in the background even on
        # their first view (None: always in the request)
        self.sync_max = sync_max
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._busy: dict[Hashable, threading.Event] = {}
        self._lock = threading.Condition()
        self.hits = 0
        self.misses = 0
        self.stale_hits = 0  # views served an older version while a refresh ran
        self.refreshes = 0  # background computations that stored a value
        self.failures = 0  # background computations that raised (logged)
        # the loaded rows of the last rounds analysed, so that a refresh reads only the
        # responses stored since (a million responses: about 120 MB, mostly their ids)
        self.max_kept_rows = 4
        self._rows: OrderedDict[int, tuple[Hashable, Any]] = OrderedDict()

    @staticmethod
    def key(
        round_id: int, stamp: Stamp, filters: Mapping[str, Any], settings: Hashable
    ) -> Hashable:
        return (round_id, stamp, tuple(sorted(filters.items())), settings)

    @staticmethod
    def family(round_id: int, filters: Mapping[str, Any], settings: Hashable) -> Hashable:
        """The key of a round's analysis whatever its version (see :meth:`serve`)."""
        return ("analysis", round_id, tuple(sorted(filters.items())), settings)

    def _claim(self, slot: Hashable, version: Hashable, stale_ok: bool) -> Served | threading.Event:
        """Under the lock: the kept value (fresh, or stale while a refresh runs), or the
        event of a new computation the caller now owns.  Waits while another thread
        computes a missing value."""
        while True:
            entry = self._entries.get(slot)
            if entry is not None:
                self._entries.move_to_end(slot)
                kept_version, value = entry
                if kept_version == version:
                    self.hits += 1
                    return Served(value, kept_version)
                if stale_ok:
                    self.stale_hits += 1
                    return Served(value, kept_version, stale=True)
            busy = self._busy.get(slot)
            if busy is None:
                done = self._busy[slot] = threading.Event()
                self.misses += 1
                return done
            self._lock.wait_for(lambda: slot not in self._busy)

    def _store(self, slot: Hashable, version: Hashable, value: Any) -> None:
        self._entries[slot] = (version, value)
        self._entries.move_to_end(slot)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _release(self, slot: Hashable) -> None:
        self._busy.pop(slot).set()
        self._lock.notify_all()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``, computed here on a miss (once: concurrent callers wait)."""
        with self._lock:
            claimed = self._claim(key, None, stale_ok=False)
        if isinstance(claimed, Served):
            return claimed.value
        try:
            value = compute()
            with self._lock:
                self._store(key, None, value)
        finally:
            with self._lock:
                self._release(key)
        return value

    def serve(
        self,
        family: Hashable,
        version: Hashable,
        session: DbSession,
        compute: Callable[[DbSession], tuple[Hashable, T]],
        size: int | None = None,
    ) -> Served[T]:
        """The family's value for ``version``, or the kept older one while it is refreshed.

        ``compute(session)`` returns ``(version, value)``: the version it actually
        read (responses may arrive between the caller's stamp and the load).  It is
        called with ``session`` only when nothing is kept for the family (the first
        view in this process); a refresh calls it in a thread of its own with a fresh
        session from ``session_scope`` — never the caller's session or objects loaded
        by it, which belong to the caller's thread.

        ``size`` (the round's number of responses) above :attr:`sync_max`, with nothing
        kept yet: the first computation also runs in the background and
        :class:`AnalysisPending` is raised, so the page can say so and come back.
        """
        background = self.session_scope is not None
        with self._lock:
            if (
                background
                and size is not None
                and self.sync_max is not None
                and size > self.sync_max
                and family not in self._entries
            ):
                # a first view of a large round: minutes in the request would outlast
                # the viewer's patience and the server's timeout; compute it aside
                if family not in self._busy:
                    self._start_refresh(family, compute)
                raise AnalysisPending(family)
            claimed = self._claim(family, version, stale_ok=background)
            if isinstance(claimed, Served):
                if claimed.stale and family not in self._busy:
                    self._start_refresh(family, compute)
                return claimed
        try:
            got_version, value = compute(session)
            with self._lock:
                self._store(family, got_version, value)
        finally:
            with self._lock:
                self._release(family)
        return Served(value, got_version)

    def _start_refresh(
        self, family: Hashable, compute: Callable[[DbSession], tuple[Hashable, T]]
    ) -> None:
        """Under the lock: mark the family busy and compute it in a thread of its own."""
        self._busy[family] = threading.Event()
        threading.Thread(
            target=self._refresh, args=(family, compute), name="dashboard-refresh", daemon=True
        ).start()

    def _refresh(
        self, family: Hashable, compute: Callable[[DbSession], tuple[Hashable, T]]
    ) -> None:
        """Compute a family's value in this (background) thread with a session of its own."""
        scope = self.session_scope
        try:
            if scope is None:
                raise RuntimeError("a refresh needs a session_scope")
            with scope() as session:
                version, value = compute(session)
            with self._lock:
                self._store(family, version, value)
                self.refreshes += 1
        except Exception:
            # the viewer already has the stale value: log, and let the next view retry
            logger.exception("dashboard: refreshing %r failed; the next view retries", family)
            with self._lock:
                self.failures += 1
        finally:
            with self._lock:
                self._release(family)

    def kept_rows(self, round_id: int, tag: Hashable) -> Any:
        """The rows kept for ``round_id`` when they were loaded under ``tag`` (the
        questionnaire version and review decisions), else ``None``."""
        with self._lock:
            entry = self._rows.get(round_id)
            return entry[1] if entry is not None and entry[0] == tag else None

    def keep_rows(self, round_id: int, tag: Hashable, rows: Any) -> None:
        """Keep the loaded rows of ``round_id`` (the least recently kept go first)."""
        with self._lock:
            self._rows[round_id] = (tag, rows)
            self._rows.move_to_end(round_id)
            while len(self._rows) > self.max_kept_rows:
                self._rows.popitem(last=False)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no computation runs (tests and the benchmark); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._busy, timeout)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._rows.clear()
            self.hits = self.misses = self.stale_hits = 0

    def __len__(self) -> int:
        return len(self._entries)
