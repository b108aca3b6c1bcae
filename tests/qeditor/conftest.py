"""Fixtures for the questionnaire editor: the wired app, accounts, signing in."""

from tests.auth import helpers

app = helpers.app
make_user = helpers.make_user
login = helpers.login
