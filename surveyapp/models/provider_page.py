"""What the public provider pages read: kept-up-to-date scores, hidden comments, replies.

``provider_score`` holds every provider's published posterior per sector (one row per
provider and sector, as :func:`surveyapp.providers.scores.compute_scores` lists them),
with the overall stars' distribution; ``provider_score_state`` (one row) says for which
window, minimum and ratings the table was computed, and who is recomputing it.  Pages
read these rows only: nothing is estimated per request
(:mod:`surveyapp.providers.published`).

A comment is the optional text of a :class:`~surveyapp.models.provider_rating.Rating`.
A sector bureau may hide one (``rating_comment_hidden``: the reason, who, when; the
rating itself is never changed or deleted), and the provider's own account may answer
it once (``rating_reply``: unique per rating).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.base import Base, UTCDateTime, utcnow


class PublishedScore(Base):
    """A provider's score in one sector over the window, as last computed."""

    __tablename__ = "provider_score"
    __table_args__ = (
        # the directory's two orders, over all sectors and within one: a page walks the
        # index and stops after its rows (no sort of 50,000 rows per view)
        Index("ix_provider_score_rank_score", "rank_score"),
        Index("ix_provider_score_rank_n", "rank_n"),
        Index("ix_provider_score_sector_rank_score", "sector", "rank_score"),
        Index("ix_provider_score_sector_rank_n", "sector", "rank_n"),
    )

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    # n >= min_n: the score may be shown; otherwise only n is
    published: Mapped[bool] = mapped_column(Boolean)
    posterior_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    share_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    share_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    posterior_stars: Mapped[float | None] = mapped_column(Float, nullable=True)
    stars_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    stars_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    # ratings with 1, 2, 3, 4, 5 overall stars
    distribution: Mapped[list[int]] = mapped_column(JSON, default=list)
    # positions in the directory's orders (0 first), over every row: by score
    # (published scores highest first, then the unpublished by name) and by n (most first)
    rank_score: Mapped[int] = mapped_column(Integer)
    rank_n: Mapped[int] = mapped_column(Integer)


class PublishedItemScore(Base):
    """A provider's score on one item of its sector's rating form over the window, as last
    computed: the share of ratings giving the item 4-5 stars and the mean stars, each with
    the sector's prior for that item (as the overall score has its own); ``n`` counts the
    ratings that answered the item, and the minimum number of ratings applies to it."""

    __tablename__ = "provider_item_score"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean)
    posterior_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    share_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    share_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    posterior_stars: Mapped[float | None] = mapped_column(Float, nullable=True)
    stars_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    stars_high: Mapped[float | None] = mapped_column(Float, nullable=True)


class PastScore(Base):
    """A provider's score in one sector over the last period's window (the same length,
    ending one quarter earlier): what the bureaus' board compares with."""

    __tablename__ = "provider_score_past"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean)
    posterior_share: Mapped[float | None] = mapped_column(Float, nullable=True)


class PublishedScoreState(Base):
    """The one row saying what ``provider_score`` was computed from, and when."""

    __tablename__ = "provider_score_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the window's last China day, its length and the minimum number of ratings
    as_of: Mapped[date] = mapped_column(Date)
    months: Mapped[int] = mapped_column(Integer)
    min_n: Mapped[int] = mapped_column(Integer)
    # the largest rating id and the number of ratings when computed
    last_rating_id: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[int] = mapped_column(Integer)
    # the priors per sector, for staff (JSON of alpha, beta, scope per sector)
    priors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the last period's window's last China day (``provider_score_past``), None before
    past_as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    # set while a process recomputes (a claim other processes respect for a while)
    refresh_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HiddenComment(Base):
    """A comment a sector bureau hid from the public pages, with its reason."""

    __tablename__ = "rating_comment_hidden"

    rating_id: Mapped[int] = mapped_column(
        ForeignKey("rating.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    hidden_by: Mapped[str] = mapped_column(String(64))
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentReply(Base):
    """The provider's one reply to a comment on one of its ratings."""

    __tablename__ = "rating_reply"

    rating_id: Mapped[int] = mapped_column(
        ForeignKey("rating.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    written_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
