"""In-memory rate-limit counters without a timer thread per hundredth of a second.

The ``limits`` package's :class:`~limits.storage.MemoryStorage` starts a new
``threading.Timer`` (0.01 s) whenever a counter changes and the previous timer has run
out: under a steady stream of submissions that is a thread started for nearly every
one, and the request waits until the new thread has been scheduled, which on a busy
core is a context switch or more.  (Issue 15's profile: a fifth of a submission.)

:class:`LazyMemoryStorage` is the same storage with the sweep done inline, at most
once per :data:`SWEEP_EVERY` seconds, by the request that finds it due.  Nothing
changes for a caller: a counter read after its window is already treated as expired by
``MemoryStorage.get``; the sweep only frees counters nobody reads any more (the
addresses of residents who have gone).  ``RATELIMIT_STORAGE_URI = "memory://"`` (the
default) uses it; any other URI (``redis://``) is passed to ``limits`` unchanged.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SCHEME = "surveyapp-memory"
SWEEP_EVERY = 1.0  # seconds between two sweeps of expired counters


class LazyMemoryStorage(MemoryStorage):
    """:class:`MemoryStorage`; expired counters swept inline, no timer threads."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_EVERY

    # replaces MemoryStorage's private scheduler (its name, mangled by Python)
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_EVERY
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweep_lock.release()


def storage_uri(configured: str) -> str:
    """The URI to give Flask-Limiter: ``memory://`` becomes the lazy storage's."""
    scheme, sep, rest = configured.partition("://")
    return f"{SCHEME}://{rest}" if sep and scheme == "memory" else configured
