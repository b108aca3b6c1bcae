"""Each application's analysis settings and analysis cache, made once per process.

The dashboard and the read API share them, so an index asked for through the API
costs nothing once the dashboard has it, and a margins file is parsed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from surveyapp.extensions import db

from .cache import AnalysisCache
from .settings import AnalysisSettings, settings_from_config

__all__ = ["IndicesState", "app_session", "indices_state"]

STATE_KEY = "surveyapp.indices"


@dataclass(frozen=True)
class IndicesState:
    settings: AnalysisSettings
    cache: AnalysisCache


@contextmanager
def app_session(app: Flask) -> Iterator[Session]:
    """A database session for a thread outside any request: the app's own app context
    (so ``db.session`` is a new session of that context, removed when it ends)."""
    with app.app_context():
        yield db.session()  # this thread's session of the scoped registry


def indices_state(app: Any) -> IndicesState:
    """This app's analysis settings (read once) and its analysis cache, which refreshes
    stale analyses in background threads with sessions of their own."""
    real: Flask = app._get_current_object() if hasattr(app, "_get_current_object") else app
    state = real.extensions.get(STATE_KEY)
    if state is None:
        cache = AnalysisCache(
            session_scope=partial(app_session, real),
            sync_max=real.config.get("DASHBOARD_SYNC_MAX"),
        )
        state = IndicesState(settings_from_config(real.config), cache)
        real.extensions[STATE_KEY] = state
    return state
