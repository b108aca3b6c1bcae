"""One BLAS thread while small fits run, shared safely by every thread that asks.

The beta-binomial fits (L-BFGS-B on 2-variable problems: the providers' stored scores,
the credit classes' priors) call the BLAS library with tiny arrays, where waking
OpenBLAS's threads cost 3-4 times the fits themselves on the busy 2-core machine.  They
run with one BLAS thread, inside :func:`one_blas_thread`.

Why one home, and why not ``threadpoolctl.threadpool_limits`` in each caller: OpenBLAS
(pthreads, as numpy's and scipy's wheels ship it) keeps one thread count for the whole
process, and threadpoolctl (3.8) therefore lets only one *controlling thread* set it —
the first thread to set a limit, until its ``with`` block ends; a limit set by any other
thread meanwhile silently does nothing.  So when the score keeper's background refresh
and a request computing the credit classes overlap, the second one's fits run with
whatever the first leaves (two threads again once it has ended); and a limit set
outside a ``with`` block keeps its thread in control for good, so every later limit set
in another thread (the keeper's background thread) reads back 2 threads and is lost —
what an earlier shared helper ran into.  Here the first block in sets the limit and the
last one out restores what was there before, under a lock, each time taking the
control over (threadpoolctl's ``clear_controlling_thread(force=True)``) and giving it
back: it works from whichever threads enter and leave, nested or overlapping
(tests/providers/test_blas_threads.py reads the limit in the keeper's background thread
during its fits).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import threadpoolctl
from threadpoolctl import threadpool_limits

__all__ = ["one_blas_thread"]

_lock = threading.Lock()
_inside = 0  # blocks (threads, nested uses) inside one_blas_thread
_limit: threadpool_limits | None = None  # the limit in force while _inside > 0


def _release_control() -> None:
    """Let the next set or restore take effect whichever thread calls it (threadpoolctl
    3.8 lets one thread at a time set OpenBLAS's process-wide count; older versions do
    not have the notion, nor the method)."""
    controller = getattr(threadpoolctl, "OpenBLASController", None)
    clear = getattr(controller, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with the BLAS library on one thread (every BLAS threadpool
    threadpoolctl finds); the count from before comes back when the last block still
    running, in any thread, ends."""
    global _inside, _limit
    with _lock:
        if _inside == 0:
            _release_control()
            _limit = threadpool_limits(limits=1, user_api="blas")
            _release_control()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _limit is not None:
                _release_control()
                _limit.restore_original_limits()
                _release_control()
                _limit = None
