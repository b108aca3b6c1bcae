"""One cached analysis per (round, filters), invalidated when the round's responses change.

Why a cache, and why this key
-----------------------------
Analysing a round (decode every stored response, rake the weights, estimate every
group, fit the drivers) takes time proportional to the number of responses: far too
long to repeat on every page view of a round with a million responses.  Page views
are many and responses arrive slowly, so the dashboard keeps the analysis result and
recomputes only when the inputs change.

The key is ``(round id, filters, settings, stamp)`` where the stamp is the round's
``(response count, largest response id)``.  Stored responses are never edited in
place nor deleted by the application, so a new response changes the stamp and nothing
else does.  There is no hook in the submission path: the survey form, the JSON API,
the CSV importer and other processes (other gunicorn workers, the CLI) all write to
the same table, so every page view asks the database.

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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.models import Response

T = TypeVar("T")

#: (number of responses, largest response id) of a round.
Stamp = tuple[int, int]


def round_stamps(session: Session, round_ids: Iterable[int]) -> dict[int, Stamp]:
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

    def _grouped(self, session: Session, low: int | None, high: int | None) -> dict[int, Stamp]:
        stmt = select(Response.round_id, func.count(Response.id), func.max(Response.id))
        if low is not None:
            stmt = stmt.where(Response.id > low)
        if high is not None:
            stmt = stmt.where(Response.id <= high)
        rows = session.execute(stmt.group_by(Response.round_id))
        return {rid: (int(count), int(largest or 0)) for rid, count, largest in rows}

    def stamps(self, session: Session, round_ids: Iterable[int]) -> dict[int, Stamp]:
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


class AnalysisCache:
    """A bounded, thread-safe LRU map from a key to a computed value.

    Two threads asking for the same missing key may both compute it; the result is
    the same, so no lock is held while computing.
    """

    def __init__(self, max_entries: int = 256, settle: int = 1000) -> None:
        self.max_entries = max_entries
        self.tracker = RoundStamps(settle)
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(
        round_id: int, stamp: Stamp, filters: Mapping[str, Any], settings: Hashable
    ) -> Hashable:
        return (round_id, stamp, tuple(sorted(filters.items())), settings)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)
