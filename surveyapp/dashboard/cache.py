"""One cached analysis per (round, filters), invalidated when the round's responses change.

Why a cache, and why this key
-----------------------------
Analysing a round (decode every stored response, rake the weights, estimate every
group, fit the drivers) takes time proportional to the number of responses: far too
long to repeat on every page view of a round with a million responses.  Page views
are many and responses arrive slowly, so the dashboard keeps the analysis result and
recomputes only when the inputs change.

The key is ``(round id, filters, settings, stamp)`` where the stamp is the round's
``(response count, largest response id)``, read with one cheap aggregate query per
page.  Response ids only grow, so a new response changes the largest id; a deleted
response changes the count; both together catch every insert and delete without a
hook in the submission path (the survey form, the JSON API, the CSV importer and
other processes all write to the same table, and any of them may be another worker).
Stored responses are never edited in place, so the stamp is a complete fingerprint.
An entry whose stamp is outdated is simply never asked for again and falls out of
the bounded LRU order.

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
    """The stamp of each round, from one grouped query (rounds without responses: (0, 0))."""
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


class AnalysisCache:
    """A bounded, thread-safe LRU map from a key to a computed value.

    Two threads asking for the same missing key may both compute it; the result is
    the same, so no lock is held while computing.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
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
