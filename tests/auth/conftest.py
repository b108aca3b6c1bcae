"""Fixtures for accounts: the wired app, an account factory, signing in."""

from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login
