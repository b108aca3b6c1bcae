"""Providers' published scores, kept up to date in the database for pages and the API.

Nothing about a provider is estimated per request.  :func:`refresh_published_scores`
counts the rolling window's ratings (:func:`_scan`, then
:func:`surveyapp.providers.scores.compute_scores` and
:func:`analysis.provider_scores.score_providers`; the same counts give the overall stars'
distribution), and replaces the rows of ``provider_score`` (one
per provider and sector) and the one ``provider_score_state`` row in the caller's
transaction.  Readers take rows:

- :func:`published_scores` — a provider's rows, by sector;
- :func:`score_state` — when and from what the table was computed;
- :func:`directory_page` — one page of the public directory (filters, sort, paging).

The same refresh stores every form item's score (``provider_item_score``: the share of
ratings giving the item 4-5 stars and its mean stars, each with the sector's prior for
that item, published from the same minimum number of answers; :func:`item_scores`) and,
once per China day, the last period's scores (``provider_score_past``: the same window
ending :data:`PAST_MONTHS` months earlier) that the bureaus' board compares with
(:func:`board_rows`).

When to recompute (:func:`refresh_due`): no state yet, another China day (the window
moved), another window length or minimum, a rating newer than the last one counted
(the largest rating id: one read of the primary key), the table marked stale
(:func:`mark_stale`: a review decision or a merge changed the counted ratings), or the
table older than :data:`MAX_AGE` (a replaced rating keeps its id).  Every consumer —
the public pages, the bureaus' board, the scores API — reads through the app's one
:class:`ScoreKeeper` (:func:`score_keeper`, :func:`current_state`), which recomputes in
a background thread with a database session of its own; and a stored rating nudges it
(:meth:`ScoreKeeper.rating_arrived`), so new ratings reach the API without any page
view, at most one refresh every :data:`MIN_GAP` (a later nudge waits on a timer).  Only
the very first read, when nothing is stored, computes in the request.  Across
processes a claim on the state row (``refresh_started_at``) lets one worker recompute
while the others keep serving the stored rows.

Cost (50,000 providers, 5,000,000 ratings; README *Provider pages*,
``python -m bench.provider_pages``): a page reads the state row, the largest rating id and
its own rows through indexes — the directory's two orders are stored as positions
(``rank_score``, ``rank_n``) at the refresh, so a page walks an index and stops after its
rows (about 10-35 ms a page on SQLite and PostgreSQL).  The refresh is one pass over
the window's counted ratings (:func:`_scan`: each rating a fixed-width hex record of
provider, sector, form version, windows, overall stars and answers, joined in a text
per :data:`SCAN_CHUNK` rating ids that numpy decodes and counts; no GROUP BY, no Python
loop over ratings), from which come both the overall counts (tallies and distribution,
the current and, once a China day, the last period's window) and the per-item tallies; then the estimation (one
beta-binomial fit per sector and per item, over columns, the BLAS library on one
thread) and the rows written through the driver (``COPY`` on PostgreSQL,
``executemany`` on SQLite).

The dashboard and the API of the other provider pages read the same rows
(:func:`published_scores`, :func:`directory_page` or the model
:class:`~surveyapp.models.provider_page.PublishedScore` directly), so every page shows
the same number.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from operator import itemgetter
from typing import Any, Literal, cast

import numpy as np
from flask import Flask
from numpy.typing import NDArray
from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from analysis.provider_scores import ProviderScore, score_columns
from surveyapp.blas import one_blas_thread
from surveyapp.indices.cache import SessionScope
from surveyapp.indices.state import app_session
from surveyapp.models import Provider, Rating
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.bulk import write_rows
from surveyapp.models.provider_page import (
    PastScore,
    PublishedItemScore,
    PublishedScore,
    PublishedScoreState,
)
from surveyapp.models.provider_rating import RatingFormVersion
from surveyapp.models.review import COUNTED
from surveyapp.providers.scores import (
    ScoreWindow,
    StarCounts,
    compute_scores,
    months_before,
    score_window,
)
from surveyapp.ratings.forms import MAX_ITEMS, shipped_form, stored_form
from surveyapp.rounds.dates import china_today
from surveyapp.sectors import SECTORS, sorted_sectors

__all__ = [
    "MAX_AGE",
    "MIN_GAP",
    "PAST_MONTHS",
    "BoardRow",
    "current_state",
    "rating_stored",
    "item_scores",
    "mark_stale",
    "score_keeper",
    "board_rows",
    "DirectoryPage",
    "DirectoryRow",
    "ScoreKeeper",
    "ScoreSettings",
    "directory_districts",
    "directory_page",
    "published_scores",
    "refresh_due",
    "refresh_published_scores",
    "score_state",
]

logger = logging.getLogger(__name__)

#: Recompute at least this often even without a new rating (a replaced rating keeps its id).
MAX_AGE = timedelta(minutes=10)
#: A claim on the refresh older than this is taken to be a crashed worker's.
CLAIM_TIMEOUT = timedelta(minutes=5)
#: At most one refresh started by new ratings per this many seconds (a timer waits).
MIN_GAP = 30.0
#: The last period's window ends this many months before the current one.
PAST_MONTHS = 3
#: ``last_rating_id`` of a table marked stale (no rating has it: a refresh is due).
STALE = -1
#: Where the app keeps its keeper (``app.extensions``).
KEEPER_KEY = "surveyapp.provider_scores"
_STATE_ID = 1

Sort = Literal["score", "n"]


@dataclass(frozen=True)
class ScoreSettings:
    """What the scores are computed with: the window's length and the minimum to publish
    (settings ``PROVIDER_SCORE_WINDOW_MONTHS`` and ``PROVIDER_MIN_RATINGS``)."""

    months: int = 12
    min_n: int = 5


def _distributions(counts: StarCounts) -> dict[tuple[int, str], list[int]]:
    """(provider id, sector) → counted ratings with 1..5 overall stars (from the window's
    :func:`~surveyapp.providers.scores.star_counts`, which the scores are tallied from)."""
    out: dict[tuple[int, str], list[int]] = {}
    for key, per in counts.items():
        for stars, count in per.items():
            if 1 <= stars <= 5:
                out.setdefault(key, [0] * 5)[stars - 1] = count
    return out


def _rank(rows: list[dict], names: dict[int, str]) -> None:
    """Set each row's positions in the directory's two orders (ties by name, then id):
    by score — published scores highest first, then the unpublished by name alone, so a
    hidden score shows through no order — and by number of ratings, most first."""

    def by_score(r: dict) -> tuple:
        shown = r["published"] and r["posterior_share"] is not None
        return (0 if shown else 1, -r["posterior_share"] if shown else 0.0,
                names.get(r["provider_id"], ""), r["provider_id"], r["sector"])  # fmt: skip

    def by_n(r: dict) -> tuple:
        return (-r["n"], names.get(r["provider_id"], ""), r["provider_id"], r["sector"])

    for column, key in (("rank_score", by_score), ("rank_n", by_n)):
        for position, row in enumerate(sorted(rows, key=key)):
            row[column] = position


#: A rating's record in the scan's text, in bytes (as hex): its provider id (4), its
#: sector's number (1), its form version's number (2), the windows it is inside and its
#: overall stars (1: ``inside << 4 | overall``), then its answer bytes padded with ``FF``
#: (not answered) and cut to :data:`MAX_ITEMS` bytes: every rating takes the same width.
_PAD = "FF" * MAX_ITEMS
_RECORD = 4 + 1 + 2 + 1 + MAX_ITEMS
#: The number of a sector or form version the scan does not know (a form version never
#: stored has no items to read; a sector not known is read again by name).
_UNKNOWN_SECTOR, _UNKNOWN_FORM = 0xFF, 0xFFFF
#: Ratings (by id) read per query of the scan: a text of at most about 56 MB of hex, far
#: below the 1 GB at which SQLite's and PostgreSQL's values stop.
SCAN_CHUNK = 2_000_000
#: Per sector: the provider ids, item ids and (n, satisfied, Σ stars, Σ stars²) of every
#: (provider, form version, item) answered in the window (a provider rated with two
#: versions of a form has two entries for an item both have).
ItemTallies = dict[str, tuple[NDArray[np.int64], list[str], NDArray[np.int64]]]


def _records(
    dialect: str, windows: list[ScoreWindow], sectors: list[str], forms: list[tuple[str, int]]
) -> Any:
    """Each rating's fixed-width hex record (:data:`_RECORD`): ``printf`` and ``hex()`` on
    SQLite, ``to_hex`` and ``encode(.., 'hex')`` on PostgreSQL."""
    sector = case(
        {name: i for i, name in enumerate(sectors)}, value=Rating.sector, else_=_UNKNOWN_SECTOR
    )
    versions: dict[str, dict[int, int]] = {}
    for i, (form_id, version) in enumerate(forms):
        versions.setdefault(form_id, {})[version] = i
    form = case(
        {form_id: case(numbers, value=Rating.form_version, else_=_UNKNOWN_FORM)
         for form_id, numbers in versions.items()},
        value=Rating.form_id, else_=_UNKNOWN_FORM,
    ) if versions else literal_column(str(_UNKNOWN_FORM))  # fmt: skip
    inside: Any = Rating.overall
    for i, w in enumerate(windows):
        within = and_(Rating.created_at >= w.start, Rating.created_at < w.end)
        inside = inside + case((within, 16 << i), else_=0)
    answers = f"{Rating.__tablename__}.answers"
    width = 2 * MAX_ITEMS
    if dialect == "postgresql":
        parts = [func.lpad(func.to_hex(x), n, "0") for x, n in
                 ((Rating.provider_id, 8), (sector, 2), (form, 4), (inside, 2))]  # fmt: skip
        padded = f"substr(encode({answers}, 'hex') || '{_PAD}', 1, {width})"
    else:
        parts = [func.printf("%08X%02X%04X%02X", Rating.provider_id, sector, form, inside)]
        padded = f"substr(hex({answers}) || '{_PAD}', 1, {width})"
    record: Any = literal_column(padded)
    for part in reversed(parts):
        record = part.op("||")(record)
    return record


def _agg(dialect: str, record: Any) -> Any:
    """The aggregate joining the records into one text."""
    if dialect == "postgresql":
        return func.string_agg(record, literal_column("''"))
    return func.group_concat(record, literal_column("''"))


@dataclass(frozen=True)
class _Scan:
    """What one scan of the counted ratings gives: each window's overall stars
    (:data:`StarCounts`, as :func:`~surveyapp.providers.scores.star_counts` counts them)
    and the first window's per-item tallies."""

    stars: tuple[StarCounts, ...]
    items: ItemTallies


def _scan(session: DbSession, windows: list[ScoreWindow]) -> _Scan:
    """One pass over the counted ratings of the windows, in the table's order, handing
    every rating over as a fixed-width hex record in one text per :data:`SCAN_CHUNK` ids
    (:func:`_records`: no GROUP BY, whose sort was most of the scan on SQLite); numpy
    decodes them all at once,
    groups them by (provider, sector, form version, windows) and counts, per group and
    position (the overall stars, then each answer byte), the ratings giving each value
    1..5 with one ``bincount`` (a byte other than 1..5 is an unanswered item).  The
    stars' counts (the overall scores and their distribution) and the items' tallies
    come from these counts: one scan of the ratings instead of two (the covering index's
    for the stars, the table's for the answers), no Python loop over ratings.  The form
    version's stored definition names the item at each position of the answer bytes."""
    dialect = session.get_bind().dialect.name
    forms = [tuple(f) for f in session.execute(
        select(RatingFormVersion.form_id, RatingFormVersion.version)
        .order_by(RatingFormVersion.form_id, RatingFormVersion.version)
    )]  # fmt: skip
    stored_sectors = session.scalars(select(RatingFormVersion.sector).distinct())
    sectors = sorted_sectors([s.code for s in SECTORS] + list(stored_sectors))
    record = _records(dialect, windows, sectors, cast(list[tuple[str, int]], forms))
    extra: dict[str, int] = {}  # sectors found that the catalogue does not know: their numbers
    start, end = min(w.start for w in windows), max(w.end for w in windows)
    where = (Rating.created_at >= start, Rating.created_at < end, Rating.review == COUNTED)
    low, high = session.execute(select(func.min(Rating.id), func.max(Rating.id))).one()
    chunks = []
    for first in range(int(low or 0), int(high or 0) + 1, SCAN_CHUNK):  # by the primary key
        ids = (Rating.id >= first, Rating.id < first + SCAN_CHUNK)
        text = session.scalar(
            select(_agg(dialect, record)).where(*where, *ids)
            .with_hint(Rating, "NOT INDEXED", "sqlite")  # the table in its order
        )  # fmt: skip
        data = _decoded(text or "")
        if (data[:, 4] == _UNKNOWN_SECTOR).any():  # a sector the catalogue does not know
            chunks.append(data[data[:, 4] != _UNKNOWN_SECTOR])
            others = session.execute(
                select(Rating.sector, _agg(dialect, record))
                .where(*where, *ids, Rating.sector.not_in(sectors)).group_by(Rating.sector)
            ).all()  # fmt: skip
            for name, found in others:
                data = _decoded(found)
                if name not in extra:
                    extra[name] = len(sectors) + len(extra)
                data[:, 4] = extra[name]
                chunks.append(data)
        else:
            chunks.append(data)
    sectors += list(extra)
    data = np.concatenate(chunks) if chunks else _decoded("")
    pid = np.ascontiguousarray(data[:, :4]).view(">u4").ravel().astype(np.int64)
    form = np.ascontiguousarray(data[:, 5:7]).view(">u2").ravel().astype(np.int64)
    form = np.minimum(form, len(forms))  # every unknown form version: one number
    flags = (data[:, 7] >> 4).astype(np.int64)
    key = ((pid * len(sectors) + data[:, 4]) * (len(forms) + 1) + form) * 16 + flags
    keys, owner = np.unique(key, return_inverse=True)
    hist = _value_counts(np.column_stack([data[:, 7] & 15, data[:, 8:]]), owner, len(keys))
    group_flags = (keys % 16).tolist()
    group_form = (keys // 16 % (len(forms) + 1)).tolist()
    rest = keys // 16 // (len(forms) + 1)
    group_sector, group_pid = (rest % len(sectors)).tolist(), (rest // len(sectors)).tolist()
    stars: tuple[StarCounts, ...] = tuple({} for _ in windows)
    overall = hist[:, 0, 1:].tolist()
    for g, (pid_g, sector_g, flags_g) in enumerate(
        zip(group_pid, group_sector, group_flags, strict=True)
    ):
        key_g = (pid_g, sectors[sector_g])
        for i, out in enumerate(stars):
            if flags_g >> i & 1:
                per = out.setdefault(key_g, {})
                for value, count in enumerate(overall[g], start=1):
                    if count:
                        per[value] = per.get(value, 0) + count
    groups = [
        (pid_g, sectors[s], forms[f] if f < len(forms) else None, bool(fl & 1))
        for pid_g, s, f, fl in zip(group_pid, group_sector, group_form, group_flags, strict=True)
    ]
    return _Scan(stars, _tally_items(session, groups, hist))


def _decoded(text: str) -> NDArray[np.uint8]:
    """The ratings' records (:func:`_records`) as a byte matrix, a row per rating."""
    raw = bytes.fromhex(text)
    if len(raw) % _RECORD:
        raise ValueError("provider scores: a rating's record is not of the expected width")
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD).copy()


def _value_counts(
    values: NDArray[np.uint8], owner: NDArray[np.intp], groups: int
) -> NDArray[np.int64]:
    """(group, position, value) → number of ratings; value 0 counts bytes other than 1..5."""
    width = values.shape[1]
    cells = groups * width * 6
    hist = np.zeros(cells, dtype=np.int64)
    base = np.arange(width, dtype=np.int64) * 6
    step = 1 << 20
    for lo in range(0, len(values), step):  # in chunks: the codes take 8 bytes a cell
        chunk = values[lo : lo + step]
        value = np.where((chunk >= 1) & (chunk <= 5), chunk, 0)
        codes = owner[lo : lo + step, None].astype(np.int64) * (width * 6) + base + value
        hist += np.bincount(codes.ravel(), minlength=cells)
    return hist.reshape(groups, width, 6)


def _tally_items(
    session: DbSession,
    groups: list[tuple[int, str, tuple[str, int] | None, bool]],
    hist: NDArray[np.int64],
) -> ItemTallies:
    """The first window's groups' per-item tallies (:data:`ItemTallies`) from their value
    counts: per item answered, (n, ratings with 4-5 stars, Σ stars, Σ stars²), exact
    integers.  ``groups``: (provider id, sector, stored form version or None, inside the
    first window)."""
    values = np.arange(6, dtype=np.int64)
    answers = hist[:, 1:, :]
    tallies = np.stack(
        [answers[..., 1:].sum(axis=2), answers[..., 4:].sum(axis=2),
         answers @ values, answers @ (values * values)], axis=2,
    )  # fmt: skip  # group → position → (n, k, Σ, Σ²)
    by_form: dict[tuple[str, str, int], list[int]] = {}
    for g, (_, sector, stored, inside) in enumerate(groups):
        if inside and stored is not None:
            by_form.setdefault((sector, *stored), []).append(g)
    parts: dict[str, list[tuple[NDArray[np.int64], list[str], NDArray[np.int64]]]] = {}
    pids = np.fromiter((g[0] for g in groups), dtype=np.int64, count=len(groups))
    for (sector, form_id, version), members in by_form.items():
        form = stored_form(session, form_id, version)
        chosen = np.array(members, dtype=np.intp)
        for p, item in enumerate((form.item_ids if form is not None else ())[:MAX_ITEMS]):
            rows = chosen[tallies[chosen, p, 0] > 0]
            if rows.size:
                parts.setdefault(sector, []).append(
                    (pids[rows], [item] * rows.size, tallies[rows, p])
                )
    return {
        sector: (np.concatenate([x[0] for x in found]), [i for x in found for i in x[1]],
                 np.concatenate([x[2] for x in found]))
        for sector, found in parts.items()
    }  # fmt: skip


def _sector_items(sector: str, counted: Iterable[str] = ()) -> list[str]:
    """The items a sector's scores list: its shipped form's, in the form's order, then any
    other item rated in the window (a form version that had it)."""
    form = shipped_form(sector)
    items = list(form.item_ids) if form is not None else []
    return items + sorted(set(counted) - set(items))


#: The columns of ``provider_item_score`` rows as :func:`_item_rows` makes them.
ITEM_COLUMNS = ("provider_id", "sector", "item", "n", "satisfied", "published",
                "posterior_share", "share_low", "share_high", "posterior_stars",
                "stars_low", "stars_high")  # fmt: skip


def _or_none(values: NDArray[np.float64], shown: NDArray[np.bool_]) -> list[Any]:
    """The values as Python floats, None where not ``shown``."""
    out = values.astype(object)
    out[~shown] = None
    return cast(list[Any], out.tolist())


def _item_rows(tallies: ItemTallies, members: list[tuple[int, str]], min_n: int) -> list[tuple]:
    """Every (provider, sector, item) score as a row of :data:`ITEM_COLUMNS`: per sector,
    one empirical-Bayes fit per item (the sector's providers' answers to it; below 10
    rated providers, the prior fitted over all the sector's items), as the overall score
    is fitted per sector.  Columns in and out
    (:func:`analysis.provider_scores.score_columns`): no object per score, no Python loop
    per provider."""
    by_sector: dict[str, list[int]] = {}
    for pid, sector in members:
        by_sector.setdefault(sector, []).append(pid)
    columns: list[list[Any]] = [[] for _ in ITEM_COLUMNS]
    for sector, pids in by_sector.items():
        ids = np.array(pids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        found, names, counted = tallies.get(
            sector, (np.zeros(0, np.int64), [], np.zeros((0, 4), np.int64))
        )
        at = np.searchsorted(ids, found, sorter=order).clip(max=len(ids) - 1)
        mine = ids[order[at]] == found  # a member of this sector (every counted key is)
        names = [name for name, keep in zip(names, mine.tolist(), strict=True) if keep]
        items = _sector_items(sector, names)
        if not items:
            continue
        where = {item: i for i, item in enumerate(items)}
        row = np.fromiter((where[name] for name in names), dtype=np.intp, count=len(names))
        counts = np.zeros((len(items), len(pids), 4), dtype=np.int64)
        np.add.at(counts, (row, order[at[mine]]), counted[mine])
        counts = np.ascontiguousarray(counts.transpose(0, 2, 1))  # item → (n, k, Σ, Σ²)
        groups = [(c[0], c[1], c[2], c[3]) for c in counts]
        for item, c, fitted in zip(items, counts, score_columns(groups), strict=True):
            shown = ~np.isnan(fitted.posterior_share)
            starred = ~np.isnan(fitted.posterior_stars)
            new = (
                pids, [sector] * len(pids), [item] * len(pids), c[0].tolist(), c[1].tolist(),
                (c[0] >= min_n).tolist(), _or_none(fitted.posterior_share, shown),
                _or_none(fitted.share_low, shown), _or_none(fitted.share_high, shown),
                _or_none(fitted.posterior_stars, starred), _or_none(fitted.stars_low, starred),
                _or_none(fitted.stars_high, starred),
            )  # fmt: skip
            for column, values in zip(columns, new, strict=True):
                column.extend(values)
    return list(zip(*columns, strict=True))


def _score_fields(p: ProviderScore) -> dict[str, Any]:
    """A score's stored columns (``provider_score`` and ``provider_item_score`` alike)."""
    return {
        "n": p.n,
        "satisfied": p.satisfied,
        "published": p.published,
        "posterior_share": p.posterior_share,
        "share_low": p.ci[0] if p.ci else None,
        "share_high": p.ci[1] if p.ci else None,
        "posterior_stars": p.posterior_stars,
        "stars_low": p.stars_ci[0] if p.stars_ci else None,
        "stars_high": p.stars_ci[1] if p.stars_ci else None,
    }


def _replace(
    session: DbSession, model: Any, rows: list[dict[str, Any]] | list[tuple],
    names: tuple[str, ...] | None = None,
) -> None:  # fmt: skip
    """Make ``model``'s table hold exactly ``rows`` in the caller's transaction (``rows``
    are dicts, or tuples of the columns ``names``).

    Rows of plain values only (numbers, text, booleans, NULL: the item and last-period
    scores) are compared with the stored ones (:func:`_write_changes`): only the rows
    that differ are written, so a refresh that changed one sector's scores (or none: the
    refresh of :data:`MAX_AGE`) writes that sector's rows (or nothing).  They go to the
    driver as tuples, in primary-key order (SQLite appends to its B-tree) through
    :func:`surveyapp.models.bulk.write_rows`; the others (a JSON column) replace the
    table through SQLAlchemy Core.  The ORM's bulk insert spent about 15 s of a refresh
    on per-row bookkeeping for the 300,000 item rows of 50,000 providers."""
    table = model.__table__
    if names is None and rows:
        dicts = cast(list[dict[str, Any]], rows)
        names = tuple(dicts[0])
        plain = all(isinstance(table.c[k].type, Integer | String | Float | Boolean) for k in names)
        if not plain:
            session.execute(delete(table))
            for i in range(0, len(dicts), 5000):
                session.execute(insert(table), dicts[i : i + 5000])
            return
        rows = [tuple(r[k] for k in names) for r in dicts]
    if not rows or names is None:
        session.execute(delete(table))
        return
    _write_changes(session, table, names, cast(list[tuple], rows))


def _write_changes(
    session: DbSession, table: Any, names: tuple[str, ...], rows: list[tuple]
) -> None:
    """Delete the stored rows that are not in ``rows`` or differ, insert those of ``rows``
    not stored as they are; when most rows changed (a first refresh, a new day), delete
    all and insert all, which is cheaper than picking.  Stored floats read back exactly
    (SQLite's REAL and PostgreSQL's float8 are the same doubles); booleans compare equal
    to SQLite's 0 and 1."""
    at = [names.index(c.name) for c in table.primary_key]
    key = itemgetter(*at)
    conn = session.connection()
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table.name}")
        stored = {key(r): tuple(r) for r in cursor.fetchall()}
        wanted = {key(r): r for r in rows}
        gone = [k for k in stored if k not in wanted]
        changed = [r for k, r in wanted.items() if stored.get(k) != r]
        if 2 * (len(gone) + len(changed)) > len(rows):
            session.execute(delete(table))
            write_rows(session, table.name, names, sorted(rows, key=key))
            return
        stale = gone + [key(r) for r in changed if key(r) in stored]
        if stale:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            where = " AND ".join(f"{names[i]} = {mark}" for i in at)
            params = [k if isinstance(k, tuple) else (k,) for k in stale]
            cursor.executemany(f"DELETE FROM {table.name} WHERE {where}", params)
    finally:
        cursor.close()
    write_rows(session, table.name, names, sorted(changed, key=key))


def _refresh_past(
    session: DbSession, past: date, settings: ScoreSettings, ids: dict[str, int],
    counts: StarCounts,
) -> date:  # fmt: skip
    """Replace the last period's scores (the window ending :data:`PAST_MONTHS` earlier,
    on the China day ``past``) from that window's ``counts``."""
    scores = compute_scores(session, score_window(past, settings.months), settings.min_n, counts)
    rows = [
        {
            "provider_id": ids[p.id],
            "sector": sector.sector,
            "n": p.n,
            "published": p.published,
            "posterior_share": p.posterior_share,
        }  # fmt: skip
        for sector in scores.sectors
        for p in sector.providers
        if p.id in ids
    ]
    _replace(session, PastScore, rows)
    return past


def refresh_published_scores(
    session: DbSession, as_of: date, settings: ScoreSettings, now: datetime | None = None
) -> PublishedScoreState:
    """Recompute every provider's score (overall and per item) over the window ending on
    the China day ``as_of`` and replace the stored rows; the last period's too when its
    day moved or the table was marked stale; the caller commits.

    The largest rating id is read *before* counting, so a rating committed while this
    runs makes the next :func:`refresh_due` true rather than being lost.

    The BLAS library runs one thread meanwhile (:func:`surveyapp.blas.one_blas_thread`):
    the fits' optimiser (L-BFGS-B) calls it on 2-variable problems, where waking its
    threads cost 3-4 times the fit itself on a busy 2-core machine (same numbers:
    nothing here is big enough to be split).
    """
    with one_blas_thread():
        return _refresh(session, as_of, settings, now)


def _refresh(
    session: DbSession, as_of: date, settings: ScoreSettings, now: datetime | None
) -> PublishedScoreState:
    previous = session.get(PublishedScoreState, _STATE_ID)
    past_due = (
        previous is None
        or previous.past_as_of != months_before(as_of, PAST_MONTHS)
        or previous.last_rating_id == STALE
        or (previous.months, previous.min_n) != (settings.months, settings.min_n)
    )
    last_id = int(session.scalar(select(func.max(Rating.id))) or 0)
    window = score_window(as_of, settings.months)
    past = months_before(as_of, PAST_MONTHS)
    windows = [window, score_window(past, settings.months)] if past_due else [window]
    scan = _scan(session, windows)  # both windows' stars and the items': one scan
    counts, past_counts = scan.stars[0], scan.stars[-1] if past_due else {}
    scores = compute_scores(session, window, settings.min_n, counts)
    ids: dict[str, int] = {
        credit or registration or "": pid
        for pid, credit, registration in session.execute(
            select(Provider.id, Provider.credit_code, Provider.registration_no)
        )
    }
    spread = _distributions(counts)
    rows = []
    priors: dict[str, dict[str, object]] = {}
    for sector in scores.sectors:
        if sector.prior is not None:
            priors[sector.sector] = {
                "alpha": sector.prior.alpha,
                "beta": sector.prior.beta,
                "scope": sector.prior.scope,
            }
        for p in sector.providers:
            pid = ids[p.id]
            rows.append(
                {
                    "provider_id": pid,
                    "sector": sector.sector,
                    **_score_fields(p),
                    "distribution": spread.get((pid, sector.sector), [0] * 5),
                }
            )
    _rank(rows, {ids[key]: label.name for key, label in scores.labels.items()})
    _replace(session, PublishedScore, rows)
    members = [(r["provider_id"], r["sector"]) for r in rows]
    items = _item_rows(scan.items, members, settings.min_n)
    _replace(session, PublishedItemScore, items, ITEM_COLUMNS)
    past_day = _refresh_past(session, past, settings, ids, past_counts) if past_due else None
    state = previous
    if state is None:
        state = PublishedScoreState(id=_STATE_ID)
        session.add(state)
    if past_day is not None:
        state.past_as_of = past_day
    state.computed_at = now or utcnow()
    state.as_of = as_of
    state.months = settings.months
    state.min_n = settings.min_n
    state.last_rating_id = last_id
    state.ratings = sum(r["n"] for r in rows)
    state.priors = priors
    state.refresh_started_at = None
    session.flush()
    return state


def score_state(session: DbSession) -> PublishedScoreState | None:
    """What the stored scores were computed from, or None before the first refresh."""
    return session.get(PublishedScoreState, _STATE_ID)


def refresh_due(
    session: DbSession,
    state: PublishedScoreState | None,
    as_of: date,
    settings: ScoreSettings,
    now: datetime | None = None,
) -> bool:
    """Whether the stored scores are out of date (see the module docstring)."""
    if state is None:
        return True
    if (state.as_of, state.months, state.min_n) != (as_of, settings.months, settings.min_n):
        return True
    if (now or utcnow()) - state.computed_at > MAX_AGE:
        return True
    return int(session.scalar(select(func.max(Rating.id))) or 0) != state.last_rating_id


def mark_stale(session: DbSession) -> None:
    """Make the next read recompute (and the last period's scores too): the counted
    ratings changed without a new rating id (a review decision, a merge).  In the
    caller's transaction."""
    session.execute(
        update(PublishedScoreState)
        .where(PublishedScoreState.id == _STATE_ID)
        .values(last_rating_id=STALE)
    )


def _claim(session: DbSession, now: datetime) -> bool:
    """Mark the refresh as taken by this process, unless another holds a fresh claim."""
    stmt = (
        update(PublishedScoreState)
        .where(
            PublishedScoreState.id == _STATE_ID,
            or_(
                PublishedScoreState.refresh_started_at.is_(None),
                PublishedScoreState.refresh_started_at < now - CLAIM_TIMEOUT,
            ),
        )
        .values(refresh_started_at=now)
    )
    taken = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return taken


class ScoreKeeper:
    """Keeps ``provider_score`` up to date for one process: :meth:`ensure` is called by
    every page view; it computes in the request only when nothing is stored, else starts
    (at most) one background refresh and returns at once."""

    def __init__(self, session_scope: SessionScope, settings: ScoreSettings) -> None:
        self.session_scope = session_scope
        self.settings = settings
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None  # the running refresh (tests join it)
        self.timer: threading.Timer | None = None  # a nudge waiting for MIN_GAP
        self._again = False  # a nudge came while a refresh ran: run once more
        self._started = -math.inf  # time.monotonic() of the last start
        self.min_gap = MIN_GAP
        self.stored = False  # the table was seen stored (no need to look again)
        self.looked = -math.inf  # time.monotonic() of the last look for it

    def ensure(self, session: DbSession, as_of: date) -> PublishedScoreState:
        """The stored state, recomputed first if there is none; a stale one starts a
        background refresh."""
        state = score_state(session)
        self.stored = True  # a reader: from now on the table exists
        if state is None:
            state = refresh_published_scores(session, as_of, self.settings)
            session.commit()
            return state
        if refresh_due(session, state, as_of, self.settings):
            self._start(as_of)
        return state

    def rating_arrived(self) -> None:
        """A rating was stored (or a review decided): refresh in the background now, or
        when :data:`MIN_GAP` has passed since the last refresh started (one timer waits;
        a nudge while a refresh runs makes it run once more)."""
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                self._again = True
                return
            if self.timer is not None and self.timer.is_alive():
                return
            wait = self._started + self.min_gap - time.monotonic()
            if wait > 0:
                self.timer = threading.Timer(wait, self._nudged)
                self.timer.daemon = True
                self.timer.start()
                return
        self._nudged()

    def _nudged(self) -> None:
        self._start(china_today(utcnow()))

    def wait(self, timeout: float = 60) -> None:
        """Wait for the pending timer and the running refresh (tests, the bench)."""
        for _ in range(5):
            timer, thread = self.timer, self.thread
            if timer is not None:
                timer.join(timeout)
            if thread is not None:
                thread.join(timeout)
            if (self.thread is None or not self.thread.is_alive()) and (
                self.timer is None or not self.timer.is_alive()
            ):
                return

    def _start(self, as_of: date) -> None:
        with self._lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self._started = time.monotonic()
            self._again = False
            self.thread = threading.Thread(
                target=self._run, args=(as_of,), name="provider-scores", daemon=True
            )
            self.thread.start()

    def _run(self, as_of: date) -> None:
        """Refresh; again (in this thread) while nudges came during the refresh."""
        while True:
            self._refresh(as_of)
            with self._lock:
                if not self._again:
                    self.thread = None  # under the lock: a later nudge starts afresh
                    return
                self._again = False
                self._started = time.monotonic()
            as_of = china_today(utcnow())

    def _refresh(self, as_of: date) -> None:
        try:
            with self.session_scope() as session:
                if score_state(session) is not None and not _claim(session, utcnow()):
                    return
                try:
                    refresh_published_scores(session, as_of, self.settings)
                    session.commit()
                except Exception:
                    session.rollback()
                    session.execute(
                        update(PublishedScoreState)
                        .where(PublishedScoreState.id == _STATE_ID)
                        .values(refresh_started_at=None)
                    )
                    session.commit()
                    raise
        except Exception:  # a background thread has nobody to raise to
            logger.exception("provider scores: the background refresh failed")


def score_keeper(app: Flask) -> ScoreKeeper:
    """The app's one keeper of the stored scores (made on first use, with its settings
    ``PROVIDER_SCORE_WINDOW_MONTHS`` and ``PROVIDER_MIN_RATINGS``): the public pages, the
    bureaus' board, the scores API and the rating page and API all use it."""
    keeper = app.extensions.get(KEEPER_KEY)
    if keeper is None:
        settings = ScoreSettings(
            int(app.config["PROVIDER_SCORE_WINDOW_MONTHS"]),
            int(app.config["PROVIDER_MIN_RATINGS"]),
        )
        keeper = ScoreKeeper(partial(app_session, app), settings)
        app.extensions[KEEPER_KEY] = keeper
    return cast(ScoreKeeper, keeper)


def rating_stored(session: DbSession, app: Flask) -> None:
    """A rating was stored (or a review decided): refresh the stored scores in the
    background, once anything has read them (before that, the first read computes them)."""
    keeper = score_keeper(app)
    if not keeper.stored and time.monotonic() - keeper.looked >= keeper.min_gap:
        keeper.looked = time.monotonic()  # look at most once a gap: no query per rating
        keeper.stored = score_state(session) is not None  # once stored, always stored
    if keeper.stored:
        keeper.rating_arrived()


def current_state(session: DbSession, app: Flask) -> PublishedScoreState:
    """The stored scores' state for a reader, today's refresh started when it is due."""
    return score_keeper(app).ensure(session, china_today(utcnow()))


def published_scores(session: DbSession, provider_id: int) -> list[PublishedScore]:
    """A provider's stored rows, one per sector (the catalogue's order is the caller's)."""
    stmt = select(PublishedScore).where(PublishedScore.provider_id == provider_id)
    return list(session.scalars(stmt.order_by(PublishedScore.sector)))


@dataclass(frozen=True)
class DirectoryRow:
    """One provider in one sector on a directory page."""

    provider: Provider
    score: PublishedScore


@dataclass(frozen=True)
class DirectoryPage:
    rows: tuple[DirectoryRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def directory_page(
    session: DbSession,
    *,
    sector: str | None = None,
    district: str | None = None,
    name: str | None = None,
    sort: Sort = "score",
    page: int = 1,
    per_page: int = 20,
) -> DirectoryPage:
    """Providers (one row per provider and sector) filtered by sector, district and part
    of the name, sorted by posterior share of satisfied ratings (published scores first,
    highest first; unpublished ones by name, so their hidden score leaks through no
    order) or by number of ratings (most first)."""
    filters = []
    if sector:
        filters.append(PublishedScore.sector == sector)
    if district:
        filters.append(Provider.district == district)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        filters.append(Provider.name.like(f"%{escaped}%", escape="\\"))
    base = select(Provider, PublishedScore).join(
        PublishedScore, PublishedScore.provider_id == Provider.id
    )
    counted = select(func.count()).select_from(PublishedScore)
    if district or name:  # the provider's own columns: join it for the count too
        counted = counted.join(Provider, PublishedScore.provider_id == Provider.id)
    if filters:
        base = base.where(*filters)
        counted = counted.where(*filters)
    order = PublishedScore.rank_n if sort == "n" else PublishedScore.rank_score
    page = max(1, page)
    total = int(session.scalar(counted) or 0)
    stmt = base.order_by(order).limit(per_page).offset((page - 1) * per_page)
    rows = tuple(DirectoryRow(p, s) for p, s in session.execute(stmt))
    return DirectoryPage(rows, total, page, per_page)


def item_scores(session: DbSession, provider_id: int) -> dict[str, list[PublishedItemScore]]:
    """A provider's stored item scores by sector, in each sector's form order (the
    ``overall`` item included: it is the overall score)."""
    rows = session.scalars(
        select(PublishedItemScore).where(PublishedItemScore.provider_id == provider_id)
    )
    out: dict[str, list[PublishedItemScore]] = {}
    for row in rows:
        out.setdefault(row.sector, []).append(row)
    for sector, found in out.items():
        order = {item: i for i, item in enumerate(_sector_items(sector))}
        found.sort(key=lambda r: (order.get(r.item, len(order)), r.item))
    return out


@dataclass(frozen=True)
class BoardRow:
    """One provider of a sector on the bureaus' board, from the stored rows."""

    provider: Provider
    score: PublishedScore
    past: PastScore | None

    @property
    def change(self) -> float | None:
        """The posterior share now minus the last period's, when both are published."""
        past, now = self.past, self.score
        if past is None or not (now.published and past.published):
            return None
        if now.posterior_share is None or past.posterior_share is None:
            return None
        return now.posterior_share - past.posterior_share


def board_rows(session: DbSession, sector: str) -> list[BoardRow]:
    """The sector's providers with their stored scores now and a period ago: published
    ones lowest posterior share first (ties: the lower upper bound, the lower mean
    stars, the id — :func:`analysis.provider_scores.lowest_first`'s order, never a raw
    mean), then the others, most ratings first."""
    stmt = (
        select(Provider, PublishedScore, PastScore)
        .join(PublishedScore, PublishedScore.provider_id == Provider.id)
        .outerjoin(
            PastScore,
            and_(PastScore.provider_id == Provider.id, PastScore.sector == PublishedScore.sector),
        )
        .where(PublishedScore.sector == sector)
    )
    rows = [BoardRow(p, s, past) for p, s, past in session.execute(stmt)]

    def key(row: BoardRow) -> tuple:
        s = row.score
        if s.published and s.posterior_share is not None:
            upper = s.share_high if s.share_high is not None else math.inf
            stars = s.posterior_stars if s.posterior_stars is not None else math.inf
            return (0, s.posterior_share, upper, stars, row.provider.key)
        return (1, -s.n, 0.0, 0.0, row.provider.key)

    return sorted(rows, key=key)


def directory_districts(session: DbSession) -> list[str]:
    """The registry's districts, for the directory's filter (by name; read from the
    district index)."""
    stmt = select(Provider.district).distinct().order_by(Provider.district)
    return list(session.scalars(stmt))
