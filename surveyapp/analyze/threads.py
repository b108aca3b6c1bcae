"""One BLAS thread for ``surveyapp analyze``.

The analysis multiplies tall, narrow matrices (a million respondents by 18 items times
18 by 5 dimension weights, cross-products of six columns): too little work a call for
OpenBLAS's threads to pay for starting, and on a machine whose cores are busy they
wait for each other.  Measured on the 2-core development machine under load, scoring a
million respondents took 0.76-1.0 s with OpenBLAS's default threads and 0.22-0.25 s
with one.  The command is one process doing one thing at a time, so it asks numpy's
OpenBLAS for a single thread, as ``OPENBLAS_NUM_THREADS=1`` would have before numpy
was imported (an ``OPENBLAS_NUM_THREADS`` the user set is left alone).
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

__all__ = ["blas_threads", "single_blas_thread"]

#: The thread-count functions of the OpenBLAS builds numpy ships with (64-bit integer
#: interface, prefixed), then plain OpenBLAS.
_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
            "openblas_set_num_threads")  # fmt: skip
_GETTERS = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
            "openblas_get_num_threads")  # fmt: skip


def _openblas() -> ctypes.CDLL | None:
    """numpy's own OpenBLAS (already loaded: opening it again gives the same library)."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*.so*"))):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _function(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    lib = _openblas()
    if lib is None:
        return None
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn
    return None


def blas_threads() -> int | None:
    """The number of threads numpy's OpenBLAS uses (``None``: not an OpenBLAS found)."""
    fn = _function(_GETTERS)
    return None if fn is None else int(fn())


def single_blas_thread() -> bool:
    """Ask numpy's OpenBLAS for one thread; whether it was (not when the user chose a
    number with ``OPENBLAS_NUM_THREADS``, or numpy uses another BLAS)."""
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        return False
    fn = _function(_SETTERS)
    if fn is None:
        return False
    fn(1)
    return True
