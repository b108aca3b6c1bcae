"""The 15-minute circle of the stored data: the communities of the app
(:class:`~surveyapp.models.circle.CircleCommunity`) and the facilities of the provider
registry, with one cached computation per process.

Facilities are the registry's **open** providers that have coordinates and at least one
service type (a closed or merged provider counts for nothing); a provider of two types
is a facility of each.  Which types are reported, the walking distance and an optional
walking network are settings (:class:`CircleSettings`: ``CIRCLE_TYPES``,
``CIRCLE_RADIUS_M``, ``CIRCLE_NETWORK``).

Why a cache, and its key
------------------------
Loading every open provider and community and running the KD-tree search takes from
milliseconds (the demo) to a few seconds (200,000 providers), and a dashboard page, a
CSV export, the map and every plan indicator bound to a coverage ask for the same
numbers.  So the report is kept per process, keyed by the settings and by a *state* of
the data read with two aggregate queries (:func:`data_state`): the communities'
``count, max id, max imported_at`` (an import replaces them all and stamps them) and
the providers' ``count, max id, max updated_at`` (the registry's import, the admin
pages and merges stamp ``updated_at`` on every change, opening and closing included).
Any change of either changes the state, so the next request recomputes; no request
recomputes what has not changed.  The state itself is read at most every
:data:`RECHECK_SECONDS` (2 s) per process — on 200,000 providers its queries scan the
provider table — so another process's change shows within two seconds; an import of
communities clears this process's cache at once.

When the last computation took a second or more (:data:`BACKGROUND_AFTER_SECONDS`: on
200,000 providers reading them takes seconds), a change is not computed in the request:
the request gets the last report at once, a thread computes the new one with its own
session, and the pages say that newer figures are being computed
(:func:`refresh_pending`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from surveyapp.circle.coverage import CircleReport, compute_coverage
from surveyapp.circle.files import Communities, Facilities, NetworkLines, read_network
from surveyapp.models.base import DbSession
from surveyapp.models.circle import CircleCommunity
from surveyapp.models.provider import Provider
from surveyapp.responses.importer import ImportFailed

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_TYPES",
    "CircleSettings",
    "coverage_share",
    "current_settings",
    "data_state",
    "registry_facilities",
    "stored_communities",
    "stored_report",
]

#: The eight basic convenience services of the 一刻钟便民生活圈 (Pu'er 2023 plan), then
#: health, elderly care, culture and sports (Shanghai 2025 plan's 15-minute access)
DEFAULT_TYPES: tuple[str, ...] = (
    "便利店",
    "早餐店",
    "蔬菜零售",
    "洗染",
    "美容美发",
    "家政服务",
    "代收代缴",
    "再生资源回收",
    "卫生",
    "养老",
    "文化",
    "体育",
)
DEFAULT_RADIUS_M = 1000.0
#: How many reports a process keeps (settings × data states)
_KEEP = 8
#: A report whose computation took this long (seconds) is refreshed in the background:
#: later changes are answered with it at once while the new one is computed
BACKGROUND_AFTER_SECONDS = 1.0
#: The data state is read at most this often per process (seconds): on 200,000
#: providers the two aggregate queries scan the provider table (tens of milliseconds,
#: hundreds on a loaded machine), too much for every page view
RECHECK_SECONDS = 2.0
#: Names of the sources in notes
REGISTRY = "provider registry"
STORED = "stored communities"


@dataclass(frozen=True)
class CircleSettings:
    """What the coverage is computed with: the reported types (in order), the walking
    distance in metres and an optional walking network file (GeoJSON)."""

    types: tuple[str, ...] = DEFAULT_TYPES
    radius_m: float = DEFAULT_RADIUS_M
    network: str | None = None

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> CircleSettings:
        """From the application's settings (``CIRCLE_TYPES`` comma-separated or a list,
        ``CIRCLE_RADIUS_M``, ``CIRCLE_NETWORK``); a missing one takes the default."""
        raw = config.get("CIRCLE_TYPES")
        if isinstance(raw, str):
            items = raw.replace("；", ",").replace(";", ",").replace("，", ",").split(",")
        else:
            items = list(raw or ())
        types = tuple(dict.fromkeys(t.strip() for t in items if t and t.strip()))
        radius = float(config.get("CIRCLE_RADIUS_M") or DEFAULT_RADIUS_M)
        if not (np.isfinite(radius) and radius > 0):
            raise ValueError(f"CIRCLE_RADIUS_M: {radius!r} is not a positive number of metres")
        network = config.get("CIRCLE_NETWORK") or None
        return cls(types or DEFAULT_TYPES, radius, str(network) if network else None)

    def with_type(self, service_type: str) -> CircleSettings:
        """These settings, reporting ``service_type`` too (after the configured ones)."""
        if service_type in self.types:
            return self
        return replace(self, types=(*self.types, service_type))


def current_settings() -> CircleSettings:
    """The settings of the running application, or the defaults outside one."""
    from flask import current_app, has_app_context

    if has_app_context():
        return CircleSettings.of(current_app.config)
    return CircleSettings()


def data_state(session: DbSession) -> Hashable:
    """A value that changes whenever the stored communities or the registry change
    (see the module's text): two aggregate queries, no row read."""
    communities = session.execute(
        select(
            func.count(),
            func.max(CircleCommunity.id),
            func.max(CircleCommunity.imported_at),
        )
    ).one()
    providers = session.execute(
        select(func.count(), func.max(Provider.id), func.max(Provider.updated_at))
    ).one()
    return (tuple(communities), tuple(providers))


def stored_communities(session: DbSession) -> Communities | None:
    """The stored communities in their file's order, or ``None`` when none is stored."""
    rows = session.execute(
        select(
            CircleCommunity.source_row,
            CircleCommunity.name,
            CircleCommunity.district,
            CircleCommunity.population,
            CircleCommunity.lat,
            CircleCommunity.lon,
        ).order_by(CircleCommunity.source_row, CircleCommunity.id)
    ).all()
    if not rows:
        return None
    source_row, name, district, population, lat, lon = zip(*rows, strict=True)
    return Communities(
        STORED,
        np.asarray(source_row, dtype=np.int64),
        np.asarray(name, dtype=object),
        np.asarray(lat, dtype=np.float64),
        np.asarray(lon, dtype=np.float64),
        (),
        np.asarray(district, dtype=object),
        np.asarray(population, dtype=np.int64),
    )


def registry_facilities(session: DbSession) -> Facilities:
    """The registry's open providers with coordinates and service types, as facilities
    (``rows`` are the providers' ids).

    The types are read as the stored JSON text and each distinct text parsed once:
    200,000 providers share a few hundred combinations, and parsing every row's JSON
    was most of the loading time."""
    rows = session.execute(
        select(
            Provider.id,
            Provider.name,
            Provider.lat,
            Provider.lon,
            cast(Provider.service_types, Text),
        )
        .where(
            Provider.status == "open",
            Provider.merged_into_id.is_(None),
            Provider.lat.is_not(None),
            Provider.lon.is_not(None),
        )
        .order_by(Provider.id)
    ).all()
    parsed: dict[str | None, tuple[str, ...]] = {}
    kept = []
    for pid, name, lat, lon, text in rows:
        clean = parsed.get(text)
        if clean is None:
            clean = parsed[text] = _types_of(text)
        if clean:
            kept.append((pid, name, lat, lon, clean))
    ids, names, lats, lons, types_ = zip(*kept, strict=True) if kept else ((),) * 5
    return Facilities(
        REGISTRY,
        np.asarray(ids, dtype=np.int64),
        np.asarray(names, dtype=object),
        np.asarray(lats, dtype=np.float64),
        np.asarray(lons, dtype=np.float64),
        (),
        tuple(types_),
    )


def _types_of(text: str | None) -> tuple[str, ...]:
    """A provider's service types from their stored JSON (a list of names), cleaned."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(str(t).strip() for t in value if str(t).strip()))


def _network(path: str | None) -> tuple[NetworkLines | None, list[str]]:
    """The configured walking network, or a note saying why it cannot be used (then the
    distance is straight-line, and every output says so)."""
    if not path:
        return None, []
    try:
        return read_network(path), []
    except ImportFailed as exc:
        lines = "; ".join(exc.lines()[:5])
        return None, [f"CIRCLE_NETWORK: {lines}: straight-line distance used"]


def _file_key(path: str | None) -> Hashable:
    """The network file's part of the cache key: a replaced file is read again."""
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class _Kept:
    """A computed report with the key it answers and what computing it cost."""

    key: Hashable
    report: CircleReport | None
    seconds: float


class _ReportCache:
    """The newest reports of this process, by (settings, data state, network file).

    A key seen for the first time is computed in the request, one computation at a time
    per key (other requests for it wait for its result) — unless the same settings'
    last computation took :data:`BACKGROUND_AFTER_SECONDS` or more: then the request is
    answered with that last report at once and a thread computes the new one with a
    session of its own (:meth:`pending` says so; the page shows it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: OrderedDict[Hashable, CircleReport | None] = OrderedDict()
        self._running: dict[Hashable, threading.Lock] = {}
        self._checked: dict[CircleSettings, tuple[float, Hashable]] = {}
        self._latest: dict[CircleSettings, _Kept] = {}
        self._threads: dict[Hashable, threading.Thread] = {}

    def _state(self, session: DbSession, settings: CircleSettings) -> Hashable:
        """The data state, read at most every :data:`RECHECK_SECONDS` per settings."""
        now = time.monotonic()
        with self._lock:
            last = self._checked.get(settings)
        if last is not None and now - last[0] < RECHECK_SECONDS:
            return last[1]
        state = data_state(session)
        with self._lock:
            self._checked[settings] = (now, state)
        return state

    def get(self, session: DbSession, settings: CircleSettings) -> CircleReport | None:
        key = (settings, self._state(session, settings), _file_key(settings.network))
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
            latest = self._latest.get(settings)
            if latest is not None and latest.seconds >= BACKGROUND_AFTER_SECONDS:
                self._start(session, settings, key)
                return latest.report
            running = self._running.setdefault(key, threading.Lock())
        with running:
            with self._lock:
                if key in self._reports:
                    return self._reports[key]
            self._compute_and_keep(session, settings, key)
            with self._lock:
                self._running.pop(key, None)
                return self._reports.get(key)

    def _compute_and_keep(
        self, session: DbSession, settings: CircleSettings, key: Hashable
    ) -> None:
        start = time.perf_counter()
        report = _compute(session, settings)
        kept = _Kept(key, report, time.perf_counter() - start)
        with self._lock:
            self._reports[key] = report
            while len(self._reports) > _KEEP:
                self._reports.popitem(last=False)
            self._latest[settings] = kept

    def _start(self, session: DbSession, settings: CircleSettings, key: Hashable) -> None:
        """A thread computing ``key`` (called under the lock; one per key)."""
        if key in self._threads:
            return
        engine = session.get_bind()

        def refresh() -> None:
            try:
                with Session(engine) as own:
                    self._compute_and_keep(own, settings, key)
            except Exception:  # the next request tries again; the log says why
                logger.exception("circle: computing the coverage in the background failed")
            finally:
                with self._lock:
                    self._threads.pop(key, None)

        thread = threading.Thread(target=refresh, name="circle-refresh", daemon=True)
        self._threads[key] = thread
        thread.start()

    def pending(self) -> bool:
        """Whether a newer report is being computed in the background."""
        with self._lock:
            return bool(self._threads)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait for the background computations (tests, benchmarks); True when none is left."""
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
        return not self.pending()

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()
            self._checked.clear()
            self._latest.clear()

    def __len__(self) -> int:
        return len(self._reports)


_CACHE = _ReportCache()


def _compute(session: DbSession, settings: CircleSettings) -> CircleReport | None:
    communities = stored_communities(session)
    if communities is None:
        return None
    facilities = registry_facilities(session)
    network, notes = _network(settings.network)
    report = compute_coverage(
        communities,
        facilities,
        radius_m=settings.radius_m,
        network=network,
        types=settings.types,
    )
    if notes:
        report = replace(report, notes=(*notes, *report.notes))
    return report


def stored_report(
    session: DbSession, settings: CircleSettings | None = None
) -> CircleReport | None:
    """Coverage of the stored communities by the registry's facilities (cached; see the
    module's text), or ``None`` when no community is stored."""
    return _CACHE.get(session, settings or current_settings())


def refresh_pending() -> bool:
    """Whether newer figures are being computed in the background (the pages say so)."""
    return _CACHE.pending()


def wait_for_refresh(timeout: float | None = None) -> bool:
    """Wait for background computations to end (tests, benchmarks)."""
    return _CACHE.wait_idle(timeout)


def clear_cache() -> None:
    """Forget every kept report (tests; a process that changed the settings)."""
    _CACHE.clear()


def share_of(report: CircleReport, service_type: str, district: str | None = None) -> float | None:
    """The population-weighted share (0–1) of the communities (of ``district``, or all)
    covered for ``service_type``; ``None`` without communities or population there."""
    c = report.communities
    covered = report.result.covered[:, report.types.index(service_type)]
    population = c.population.astype(np.float64)
    if district is not None:
        mine = c.district == district
        covered, population = covered[mine], population[mine]
    total = population.sum()
    if total <= 0:
        return None
    return float(population[covered].sum() / total)


def coverage_share(
    session: DbSession,
    service_type: str,
    district: str | None = None,
    *,
    settings: CircleSettings | None = None,
) -> float | None:
    """The population-weighted share (0–1) of the stored communities covered for
    ``service_type`` (of one district, or of the whole city), with the registry's open
    providers as facilities and the configured walking distance: the value an
    indicator bound to a coverage takes.

    ``None`` when no community is stored (or none with residents in ``district``); a
    type no provider offers gives 0.0 (every community lacks it).  A type outside the
    configured list is computed too (reported after the configured ones)."""
    settings = (settings or current_settings()).with_type(service_type.strip())
    report = stored_report(session, settings)
    if report is None:
        return None
    return share_of(report, service_type.strip(), district)
