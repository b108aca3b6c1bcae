"""The rows :func:`~surveyapp.ratings.submit.submit_rating` stores for a sequence of
posts, every column, and what it answers (id, replaced, held): a new rating, its
replacement, another sector, another window, a practitioner, a burst held and then
replaced by a counted rating, ratings without a device, and a race lost to a
simultaneous first rating.  How the row is written may change; these rows may not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from surveyapp.extensions import db
from surveyapp.models import Practitioner, Provider, Rating
from surveyapp.models.provider_rating import RatingWave
from surveyapp.ratings.forms import form_version, shipped_form
from surveyapp.ratings.submit import (
    CleanRating,
    Rater,
    StoredRating,
    rater_hash,
    submit_rating,
)
from surveyapp.review.holds import Threshold

SECRET = "s" * 64
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 China time, in the window from 2026-02-19
COLUMNS = (
    "id", "provider_id", "practitioner_id", "sector", "form_id", "form_version", "answers",
    "overall", "comment", "device_hash", "window_start", "created_at", "channel",
    "channel_key_id", "source_hash", "flags", "review", "wave_id", "revision",
)  # fmt: skip


def _rows() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(Rating).order_by(Rating.id))
    return [tuple(getattr(r, c) for c in COLUMNS) for r in rows]


@pytest.fixture
def world(app):
    """A provider in catering and supermarket, its practitioner, and a post function."""
    with app.app_context():
        provider = Provider(credit_code="91350100M000100Y43", name="普洱超市", district="思茅区",
                            status="open", service_types=[])  # fmt: skip
        provider.sectors = ["catering", "supermarket"]
        db.session.add(provider)
        db.session.flush()
        worker = Practitioner(provider_id=provider.id, name="李阿姨", status="active")
        db.session.add(worker)
        db.session.commit()
        versions = {s: form_version(db.session, shipped_form(s)) for s in ("catering", "supermarket")}  # fmt: skip

        def post(sector, overall, device, at, *, source=None, threshold=None, comment=None,
                 practitioner=False, channel="web"):  # fmt: skip
            stars = {"overall": overall}
            return submit_rating(
                db.session,
                db.session.get(Provider, provider.id),
                versions[sector],
                CleanRating(stars, comment, device),
                Rater(
                    device_id=device,
                    source=source,
                    channel=channel,
                    threshold=threshold,
                    label="web",
                ),  # fmt: skip
                secret=SECRET,
                window_days=30,
                practitioner=db.session.get(Practitioner, worker.id) if practitioner else None,
                now=at,
            )

        yield post, provider.id, worker.id, versions


def test_a_sequence_of_posts_stores_these_rows(app, world):
    post, pid, wid, versions = world
    cat, sup = versions["catering"], versions["supermarket"]
    burst = Threshold(count=1, seconds=3600)
    with app.app_context():
        h = {d: rater_hash(SECRET, pid, "dev", d) for d in ("A", "B", "C")}
        src = {s: rater_hash(SECRET, 0, "src", s) for s in ("s1", "s2", "s3")}
        at = [T0 + timedelta(minutes=i) for i in range(20)]
        answers = [
            post("catering", 4, "A", at[0], source="s1", comment="好"),  # new
            post("catering", 2, "A", at[1], source="s1"),  # replaces it
            post("supermarket", 5, "A", at[2], source="s1"),  # another sector: new
            post("catering", 3, "A", at[3] + timedelta(days=30), source="s1"),  # next window
            post("catering", 5, "A", at[4], practitioner=True),  # the practitioner: new
            post("catering", 1, "A", at[5], practitioner=True, source="s1"),  # replaces it
            post("catering", 5, "B", at[6], source="s2", threshold=burst),  # s2's first
            post("catering", 4, "C", at[7], source="s2", threshold=burst),  # a burst: held
            post("catering", 3, "C", at[8], source="s2", threshold=burst),  # held, replaces
            post("catering", 2, "C", at[9], source="s3", threshold=burst),  # counted, replaces
            post("catering", 5, None, at[10], source="s3"),  # no device: never matched
            post("catering", 5, None, at[11], source="s3"),
        ]
        wave = db.session.scalar(select(RatingWave.id))
        rows = _rows()
    assert answers == [
        StoredRating(1, False), StoredRating(1, True), StoredRating(2, False),
        StoredRating(3, False), StoredRating(4, False), StoredRating(4, True),
        StoredRating(5, False), StoredRating(6, False, True), StoredRating(6, True, True),
        StoredRating(6, True, False), StoredRating(7, False), StoredRating(8, False),
    ]  # fmt: skip
    c, s = ("rating-catering", cat.version), ("rating-supermarket", sup.version)
    w1, w2 = date(2026, 2, 19), date(2026, 3, 21)
    n = 255  # an item not answered
    cat_answers = lambda overall: bytes(overall if i == "overall" else n for i in cat.form.item_ids)  # noqa: E731
    sup_answers = bytes(5 if i == "overall" else n for i in sup.form.item_ids)
    web = ("web", None)
    assert rows == [
        (1, pid, None, "catering", *c, cat_answers(2), 2, None, h["A"], w1, at[1], *web,
         src["s1"], None, "counted", None, 1),
        (2, pid, None, "supermarket", *s, sup_answers, 5, None, h["A"], w1, at[2], *web,
         src["s1"], None, "counted", None, 0),
        (3, pid, None, "catering", *c, cat_answers(3), 3, None, h["A"], w2,
         at[3] + timedelta(days=30), *web, src["s1"], None, "counted", None, 0),
        (4, pid, wid, "catering", *c, cat_answers(1), 1, None, h["A"], w1, at[5], *web,
         src["s1"], None, "counted", None, 1),
        (5, pid, None, "catering", *c, cat_answers(5), 5, None, h["B"], w1, at[6], *web,
         src["s2"], None, "counted", None, 0),
        (6, pid, None, "catering", *c, cat_answers(2), 2, None, h["C"], w1, at[9], *web,
         src["s3"], None, "counted", None, 2),
        (7, pid, None, "catering", *c, cat_answers(5), 5, None, None, w1, at[10], *web,
         src["s3"], None, "counted", None, 0),
        (8, pid, None, "catering", *c, cat_answers(5), 5, None, None, w1, at[11], *web,
         src["s3"], None, "counted", None, 0),
    ]  # fmt: skip
    assert wave is not None


def test_a_held_replacement_keeps_its_wave_and_burst_flag(app, world):
    post, pid, _, versions = world
    burst = Threshold(count=1, seconds=3600)
    with app.app_context():
        post("catering", 5, "B", T0, source="s2", threshold=burst)
        first = post("catering", 4, "C", T0 + timedelta(minutes=1), source="s2", threshold=burst)
        again = post("catering", 3, "C", T0 + timedelta(minutes=2), source="s2",
                     threshold=burst, comment="再评")  # fmt: skip
        wave = db.session.scalar(select(RatingWave.id))
        rows = _rows()
    assert (first, again) == (StoredRating(2, False, True), StoredRating(2, True, True))
    assert [r[COLUMNS.index("flags")] for r in rows] == [None, "burst"]
    assert [r[COLUMNS.index("review")] for r in rows] == ["counted", "held"]
    assert [r[COLUMNS.index("wave_id")] for r in rows] == [None, wave]
    assert rows[1][COLUMNS.index("comment")] == "再评"
    assert [r[COLUMNS.index("revision")] for r in rows] == [0, 1]


def test_a_race_lost_to_a_simultaneous_first_rating_replaces_the_winner(app, world):
    """Another worker commits the device's first rating just before this post's write:
    this post replaces that row (replaced: true), never a second row."""
    post, _, _, _ = world
    with app.app_context():
        winner = post("catering", 5, "A", T0, source="s1")
        stored = _rows()
        db.session.execute(Rating.__table__.delete())
        db.session.commit()
        state = {"done": False}

        def other_worker(conn, cursor, statement, *_):
            # the post's first write to the table: the other worker's row lands first
            words = statement.split(None, 6)
            writes = words[0].upper() in ("INSERT", "UPDATE", "WITH") and "rating" in words
            if state["done"] or not writes:
                return
            state["done"] = True
            with db.engine.connect() as other:
                other.execute(
                    Rating.__table__.insert(), [dict(zip(COLUMNS, stored[0], strict=True))]
                )
                other.commit()

        event.listen(db.engine, "before_cursor_execute", other_worker)
        try:
            loser = post("catering", 2, "A", T0 + timedelta(minutes=1), source="s1")
        finally:
            event.remove(db.engine, "before_cursor_execute", other_worker)
        rows = _rows()
    assert state["done"]
    assert winner == StoredRating(1, False)
    assert loser == StoredRating(1, True)
    assert len(rows) == 1 and rows[0][COLUMNS.index("overall")] == 2
    assert rows[0][COLUMNS.index("revision")] == 1  # the winner's row, replaced once
