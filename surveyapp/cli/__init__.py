"""The ``surveyapp`` command: thin wrappers over the services.

Bad input ends with exit status 2 and one line on stderr naming what is wrong.

Each command's module is imported when the command runs (:class:`LazyGroup`): a new
module adds its command names to :data:`COMMANDS` (a test checks that every module's
commands are listed).
"""

from __future__ import annotations

import click

from surveyapp.cli.base import main

#: command name -> the module that defines it
COMMANDS = {
    "analyze": "surveyapp.cli.analyze",
    "backup": "surveyapp.cli.backup",
    "restore": "surveyapp.cli.backup",
    "bulletin": "surveyapp.cli.bulletin",
    "circle": "surveyapp.cli.circle",
    "complaints": "surveyapp.cli.complaints",
    "credit": "surveyapp.cli.credit",
    "db": "surveyapp.cli.db_commands",
    "demo": "surveyapp.cli.demo",
    "inspections": "surveyapp.cli.inspections",
    "keys": "surveyapp.cli.keys",
    "plans": "surveyapp.cli.plans",
    "privacy": "surveyapp.cli.privacy",
    "providers": "surveyapp.cli.providers",
    "questionnaires": "surveyapp.cli.questionnaires",
    "responses": "surveyapp.cli.responses",
    "rounds": "surveyapp.cli.rounds",
    "serve": "surveyapp.cli.serve",
    "small-area": "surveyapp.cli.small_area",
    "tokens": "surveyapp.cli.tokens",
    "users": "surveyapp.cli.users",
}
main.lazy.update(COMMANDS)

__all__ = ["COMMANDS", "main", "click"]
