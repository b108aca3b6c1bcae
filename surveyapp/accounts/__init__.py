"""Accounts and roles: passwords, the sign-in throttle, sessions, ``roles_required`` and
the audit log — the service behind the sign-in pages (:mod:`surveyapp.auth`) and every
page that needs a role.

:mod:`.service` (accounts, throttle, audit), :mod:`.access` (``roles_required``),
:mod:`.devices` (the signed device cookie), :mod:`.setup` (Flask-Login on an app).
"""
