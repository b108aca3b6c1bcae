"""Progress bars for long commands, shown only on a terminal.

    with progress_bar("importing 导入") as report:
        import_csv(session, round_, path, progress=report)

A service that takes long accepts ``progress: Callable[[int, int], None] | None`` and
calls it with (work done, total work) as it goes; :func:`progress_bar` hands it a
callable that draws click's progress bar (counts, percentage and an estimate of the
time left) on standard error, when standard error is a terminal.  Otherwise nothing is
printed at all (no label either: output piped to a file or read by a program stays as
it was), and the callable does nothing.  Standard error, not standard output, so
``responses export`` can stream its CSV to standard output under a bar.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import click

__all__ = ["Report", "progress_bar", "shows_progress"]

#: ``report(done, total)``: what a long service calls as it goes.
Report = Callable[[int, int], None]


def shows_progress(stream: TextIO | None = None) -> bool:
    """Whether a bar would be drawn on ``stream`` (default standard error): a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _nothing(done: int, total: int) -> None:
    return None


@contextlib.contextmanager
def progress_bar(
    label: str, *, stream: TextIO | None = None, enabled: bool = True
) -> Iterator[Report]:
    """A ``report(done, total)`` callable drawing a bar on ``stream`` (standard error by
    default) while the block runs, when ``stream`` is a terminal (and ``enabled``: a
    short job need not show one); a callable that does nothing otherwise.  The bar
    appears at the first call, which gives the total."""
    stream = sys.stderr if stream is None else stream
    if not (enabled and shows_progress(stream)):
        yield _nothing
        return
    state: dict[str, Any] = {"bar": None, "done": 0}
    try:

        def report(done: int, total: int) -> None:
            bar = state["bar"]
            if bar is None:
                bar = click.progressbar(
                    length=max(total, 1),
                    label=label,
                    file=stream,
                    show_eta=True,
                    show_percent=True,
                    show_pos=True,
                )
                bar.__enter__()
                state["bar"] = bar
            step = max(min(done, total) - state["done"], 0)
            if step:
                bar.update(step)
                state["done"] += step

        yield report
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
