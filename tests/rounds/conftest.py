"""Fixtures for rounds: the wired app and accounts (one admin, one bureau of catering)."""

from __future__ import annotations

from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
