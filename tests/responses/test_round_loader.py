"""The round loader (one statement, answers and profile as one blob, psycopg's binary
rows on PostgreSQL) gives exactly the arrays of the row-by-row reading it replaced:
same respondents in the same order, the same bytes, the same durations, and held or
rejected responses left out.  Run on SQLite and, with SURVEYAPP_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from analysis import Categorical, ResponseMatrix
from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import Response, Round
from surveyapp.models.base import utcnow
from surveyapp.models.review import COUNTED, HELD, REJECTED
from surveyapp.responses.codec import DONT_KNOW, MISSING
from surveyapp.responses.matrix import (
    SETTLE_IDS,
    RoundRows,
    build_matrix,
    load_round_matrix,
    load_round_rows,
    read_round_rows,
)


def _reference(round_: Round) -> ResponseMatrix:
    """The former loader: ORM rows one by one, counted ones only, oldest first."""
    q = questionnaire_of(round_.questionnaire_version)
    rows = db.session.scalars(
        select(Response)
        .where(Response.round_id == round_.id, Response.review == COUNTED)
        .order_by(Response.id)
    ).all()
    return build_matrix(
        q,
        round_.period,
        [r.external_id or r.uid for r in rows],
        [r.answers for r in rows],
        [r.profile for r in rows],
        [r.duration_seconds if r.stamp_trusted else None for r in rows],
    )


def _assert_same(got: ResponseMatrix, want: ResponseMatrix) -> None:
    assert got.n == want.n
    assert got.respondent_ids.tolist() == want.respondent_ids.tolist()
    np.testing.assert_array_equal(got.scores, want.scores)  # NaN where NaN
    np.testing.assert_array_equal(got.overall, want.overall)
    np.testing.assert_array_equal(got.durations, want.durations)
    assert got.scores.flags.c_contiguous == want.scores.flags.c_contiguous
    assert got.levels == want.levels and list(got.columns) == list(want.columns)
    for name, column in want.columns.items():
        mine = got.columns[name]
        assert isinstance(column, Categorical) and isinstance(mine, Categorical)
        assert mine.levels == column.levels, name
        np.testing.assert_array_equal(mine.codes, column.codes)


@pytest.fixture
def mixed_round(app, make_round):
    """A round with every kind of stored byte and row the loader must handle."""
    code = make_round("catering", code="cat-load")
    rng = np.random.default_rng(3)
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        q = questionnaire_of(round_.questionnaire_version)
        k, p = len(q.answer_ids), len(q.respondent)
        now = utcnow()
        kinds = [COUNTED] * 40 + [HELD] * 5 + [REJECTED] * 5
        rng.shuffle(kinds)
        for i, review in enumerate(kinds):
            answers = rng.integers(1, 6, k).astype(np.uint8)
            answers[rng.random(k) < 0.15] = DONT_KNOW
            answers[rng.random(k) < 0.15] = MISSING
            if i == 0:
                answers[:] = MISSING  # nobody answered anything: a NaN row
            profile = np.array(
                [rng.integers(0, len(qq.values)) for qq in q.respondent], dtype=np.uint8
            )
            if i % 7 == 0:
                profile[rng.integers(0, p)] = MISSING  # a question left out
            db.session.add(
                Response(
                    uid=f"{i:032x}",
                    round_id=round_.id,
                    questionnaire_version_id=round_.questionnaire_version_id,
                    submitted_at=now - timedelta(minutes=i),
                    duration_seconds=None if i % 5 == 0 else float(rng.lognormal(5, 0.5)),
                    stamp_trusted=i % 3 != 0,
                    channel="web",
                    answers=answers.tobytes(),
                    profile=profile.tobytes(),
                    # an imported row names its respondent: plain, Chinese, with a tab
                    external_id={1: f"P-{i}", 2: f"问卷-{i}", 4: f"a\tb\\c{i}"}.get(i % 9),
                    review=review,
                )
            )
        db.session.commit()
    return code


def test_the_loader_gives_the_former_arrays(app, mixed_round):
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == mixed_round))
        q, got = load_round_matrix(db.session, round_)
        want = _reference(round_)
        assert q.id == "catering"
        _assert_same(got, want)
        assert got.n == 40  # held and rejected responses are not loaded
        held = db.session.scalars(
            select(Response.uid).where(Response.round_id == round_.id, Response.review != COUNTED)
        ).all()
        assert len(held) == 10 and not set(held) & set(got.respondent_ids.tolist())
        named = [u for u in got.respondent_ids.tolist() if len(u) != 32]
        assert any("问卷" in u for u in named) and any("\t" in u and "\\" in u for u in named)
        assert np.isnan(got.durations).any() and not np.isnan(got.durations).all()
        assert np.isnan(got.scores).any() and (got.scores == 1).any()


def test_the_packed_column_keeps_every_byte(app, make_round):
    """Answers then profile as one blob: NUL bytes, 254 and 255 and bytes that are no
    UTF-8 arrive as stored (SQLite joins blobs as text before the CAST)."""
    code = make_round("catering", code="cat-bytes")
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        q = questionnaire_of(round_.questionnaire_version)
        k, p = len(q.answer_ids), len(q.respondent)
        answers = bytes([0, 254, 255, 0xC3, 0x80, 5] + [1] * (k - 6))
        profile = bytes([0] * (p - 1) + [255])
        db.session.add(
            Response(uid="b" * 32, round_id=round_.id,
                     questionnaire_version_id=round_.questionnaire_version_id,
                     answers=answers, profile=profile, channel="web")
        )  # fmt: skip
        db.session.commit()
        rows = read_round_rows(db.session, round_.id, q)
        assert rows.uids.tolist() == ["b" * 32] and np.isnan(rows.durations).all()
        assert rows.packed.tobytes() == answers + profile
        _assert_same(load_round_matrix(db.session, round_)[1], _reference(round_))


def test_an_empty_round_and_a_wrong_width(app, make_round):
    code = make_round("catering", code="cat-empty")
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == code))
        _, matrix = load_round_matrix(db.session, round_)
        assert matrix.n == 0 and matrix.scores.shape[0] == 0
        db.session.add(
            Response(uid="c" * 32, round_id=round_.id,
                     questionnaire_version_id=round_.questionnaire_version_id,
                     answers=b"\x01\x02", profile=b"\x00\x00\x00", channel="web")
        )  # fmt: skip
        db.session.commit()
        with pytest.raises(ValueError, match="width"):
            load_round_matrix(db.session, round_)


def _add(round_: Round, k: int, p: int, *, id_: int | None = None, review: str = COUNTED) -> None:
    n = db.session.scalar(select(func.count()).select_from(Response)) or 0
    db.session.add(
        Response(
            id=id_, uid=f"{n + 1000:032x}", round_id=round_.id,
            questionnaire_version_id=round_.questionnaire_version_id,
            answers=bytes([(n % 5) + 1] * k), profile=bytes([0] * p), channel="web",
            review=review, duration_seconds=float(n), stamp_trusted=True,
        )
    )  # fmt: skip
    db.session.commit()


def test_a_refresh_reads_only_the_new_responses(app, mixed_round, monkeypatch):
    import surveyapp.responses.matrix as loader

    reads: list[int] = []
    real = loader.read_round_rows

    def spy(session, round_id, q, after=0):
        reads.append(after)
        return real(session, round_id, q, after)

    monkeypatch.setattr(loader, "read_round_rows", spy)
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == mixed_round))
        q = questionnaire_of(round_.questionnaire_version)
        k, p = len(q.answer_ids), len(q.respondent)
        monkeypatch.setattr(loader, "SETTLE_IDS", 5)  # the round has some 50 ids
        kept = load_round_rows(db.session, round_)
        assert reads == [0] and kept.n == 40
        for _ in range(3):
            _add(round_, k, p)
        _add(round_, k, p, review=HELD)  # not counted: not loaded
        rows = load_round_rows(db.session, round_, kept)
        assert reads == [0, kept.top - 5]  # no second full read: the last ones only
        assert rows.n == 43
        _assert_same(load_round_matrix(db.session, round_, rows)[1], _reference(round_))


def test_a_late_commit_a_release_or_a_deletion_reads_the_round_again(app, mixed_round):
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == mixed_round))
        q = questionnaire_of(round_.questionnaire_version)
        k, p = len(q.answer_ids), len(q.respondent)
        _add(round_, k, p, id_=3 * SETTLE_IDS)  # the largest id, far above the others
        kept = load_round_rows(db.session, round_)
        # a response with a small id that becomes visible only now (a late commit)
        _add(round_, k, p, id_=SETTLE_IDS)
        rows = load_round_rows(db.session, round_, kept)
        assert rows.n == kept.n + 1 and SETTLE_IDS in rows.ids.tolist()
        _assert_same(load_round_matrix(db.session, round_, rows)[1], _reference(round_))
        # a held response counted without the review version changing, then one deleted
        held = db.session.scalars(
            select(Response).where(Response.round_id == round_.id, Response.review == HELD)
        ).first()
        assert held is not None
        held.review = COUNTED
        db.session.commit()
        again = load_round_rows(db.session, round_, rows)
        assert again.n == rows.n + 1
        _assert_same(load_round_matrix(db.session, round_, again)[1], _reference(round_))
        db.session.delete(db.session.get(Response, int(again.ids[5])))
        db.session.commit()
        fewer = load_round_rows(db.session, round_, again)
        assert fewer.n == again.n - 1
        _assert_same(load_round_matrix(db.session, round_, fewer)[1], _reference(round_))


def test_kept_rows_of_another_width_are_not_used(app, mixed_round):
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.code == mixed_round))
        kept = load_round_rows(db.session, round_)
        narrow = RoundRows(kept.ids, kept.uids, kept.packed[:, :3], kept.durations)
        rows = load_round_rows(db.session, round_, narrow)
        assert rows.packed.shape == kept.packed.shape
        np.testing.assert_array_equal(rows.packed, kept.packed)
