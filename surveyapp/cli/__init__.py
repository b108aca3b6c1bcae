"""The ``surveyapp`` command: thin wrappers over the services.

Bad input ends with exit status 2 and one line on stderr naming what is wrong.
"""

from __future__ import annotations

import click

import surveyapp.cli.backup  # noqa: F401
from surveyapp.cli import (  # noqa: F401
    analyze,
    bulletin,
    circle,
    complaints,
    credit,
    db_commands,
    demo,
    inspections,
    keys,
    plans,
    privacy,
    providers,
    questionnaires,
    responses,
    rounds,
    serve,
    small_area,
    tokens,
    users,  # noqa: F401
)
from surveyapp.cli.base import main

__all__ = ["main", "click"]
