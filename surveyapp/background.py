"""Wait for an application's background refreshes before its engine is disposed.

Three caches refresh in threads of their own: the dashboard's analyses
(:mod:`surveyapp.indices`), the providers' stored scores (:mod:`surveyapp.providers.published`)
and the 15-minute circle's coverage (:mod:`surveyapp.circle.stored`).  A thread still
holding a pooled connection when ``engine.dispose()`` runs hands it back to a pool
nobody owns any more, and the connection is then closed only by the garbage collector
(psycopg warns, much later, in whatever code runs then).  Whoever disposes an engine
(tests, a command that ends) calls :func:`wait_for_background` first, or
:func:`close_app`, which waits and then disposes.
"""

from __future__ import annotations

from flask import Flask

from surveyapp.circle.stored import wait_for_refresh
from surveyapp.extensions import db
from surveyapp.indices.state import STATE_KEY, IndicesState
from surveyapp.providers.published import KEEPER_KEY, ScoreKeeper

__all__ = ["close_app", "wait_for_background"]


def wait_for_background(app: Flask, timeout: float = 60) -> bool:
    """Cancel a provider-score nudge not yet started and wait (up to ``timeout`` seconds
    each) for every running refresh of ``app``; True when none is left."""
    idle = True
    keeper = app.extensions.get(KEEPER_KEY)
    if isinstance(keeper, ScoreKeeper):
        timer = keeper.timer
        if timer is not None:
            timer.cancel()  # a nudge that has not fired yet would start a refresh after us
        keeper.wait(timeout)
        thread = keeper.thread
        idle = thread is None or not thread.is_alive()
    state = app.extensions.get(STATE_KEY)
    if isinstance(state, IndicesState):
        idle = state.cache.wait_idle(timeout) and idle
    return wait_for_refresh(timeout) and idle


def close_app(app: Flask, timeout: float = 60) -> None:
    """Wait for ``app``'s background refreshes, then close its sessions and pooled
    connections now (not when they are garbage-collected)."""
    wait_for_background(app, timeout)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
