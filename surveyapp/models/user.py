"""Accounts of the logged-in side (admin, evaluator, bureau, viewer) and the audit log.

Passwords are stored only as werkzeug scrypt hashes.  ``session_version`` is part of
the id kept in the session cookie: bumping it ("log out everywhere", a password
change) makes every older session stale, because the user loader compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.models.base import Base, UTCDateTime, utcnow

#: Roles, most powerful first.  admin: users, questionnaires, rounds, margins;
#: evaluator: every sector and bulletins; bureau: its own sectors; viewer: read-only;
#: provider: an account of one provider (``provider_id``), which may only reply to the
#: comments on its own ratings and sees no survey data.
ROLES = ("admin", "evaluator", "bureau", "viewer", "provider")


class User(Base):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # Sector ids a bureau account may see (questionnaire ``sector``); empty for other roles.
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The provider a ``provider`` account speaks for; NULL for every other role.
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Unused since 0006: failed sign-ins are counted in ``login_throttle`` (per username,
    # address and site) so a stranger's failures never lock the account itself.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # --- what Flask-Login asks of a user object -------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """``"<id>.<session_version>"``: a session made before a version bump is refused."""
        return f"{self.id}.{self.session_version}"

    # --- permissions ------------------------------------------------------------------
    def may_see_sector(self, sector: str) -> bool:
        if self.role == "bureau":
            return sector in (self.sectors or [])
        return self.role in ROLES and self.role != "provider"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginThrottle(Base):
    """Failed sign-ins under one key, with the backoff they earned.

    Keys: ``pair:<username>|<address>`` (one account from one client address),
    ``account:<username>`` (one account from anywhere) and ``global`` (the whole
    site).  Kept in the database so every worker sees the same counts.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} {self.failures}>"


class AuditLog(Base):
    """Who did what to which object, and when; rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The actor's name at the time ("cli" for commands run on the server).
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(200), nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)

    user: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<AuditLog {self.actor} {self.action} {self.target}>"
