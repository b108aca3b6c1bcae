"""Cheap invalidation: per-round stamps from a window above a floor, across processes."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import event, func, insert, select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.indices.cache import AnalysisCache, RoundStamps, round_stamps
from surveyapp.indices.state import indices_state
from surveyapp.models import Response, Round
from surveyapp.responses.codec import pack_answers, pack_profile


def _add(round_: Round, n: int = 1, first_id: int | None = None) -> None:
    """Store ``n`` responses to ``round_`` directly, as another process would."""
    q = questionnaire_of(round_.questionnaire_version)
    answers = pack_answers(q, {item.id: 4 for item in q.items} | {q.overall.id: 4})
    profile = pack_profile(q, {"district": "思茅区", "age_group": "30-44", "gender": "女"})
    rows = []
    for i in range(n):
        row = {
            "uid": secrets.token_hex(16),
            "round_id": round_.id,
            "questionnaire_version_id": round_.questionnaire_version_id,
            "district": "思茅区",
            "duration_seconds": 200.0,
            "channel": "web",
            "answers": answers,
            "profile": profile,
        }
        if first_id is not None:
            row["id"] = first_id + i
        rows.append(row)
    db.session.execute(insert(Response), rows)
    db.session.commit()


def _rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.id)))


def _ids() -> list[int]:
    return [r.id for r in _rounds()]


@pytest.mark.parametrize("settle", [0, 1, 7, 50, 1000])
def test_incremental_stamps_equal_a_full_count(app, demo, settle):
    with app.app_context():
        tracker = RoundStamps(settle=settle)
        rounds = _rounds()
        assert tracker.stamps(db.session, _ids()) == round_stamps(db.session, _ids())
        for step, r in enumerate(rounds * 3):
            _add(r, n=1 + step % 4)
            assert tracker.stamps(db.session, _ids()) == round_stamps(db.session, _ids()), step
        assert tracker.recounts == 1  # counted in full once, then only the new rows


def test_a_late_commit_below_the_largest_id_changes_the_stamp(app, demo):
    """PostgreSQL hands out ids at insert and may commit them out of order: a response
    that becomes visible with an id below ones already seen must still be counted."""
    with app.app_context():
        r = _rounds()[0]
        top = db.session.scalar(select(func.max(Response.id)))
        _add(r, first_id=top + 10)  # committed first
        tracker = RoundStamps(settle=100)
        before = tracker.stamps(db.session, [r.id])[r.id]
        _add(r, first_id=top + 5)  # "committed" later, smaller id
        after = tracker.stamps(db.session, [r.id])[r.id]
        assert after == (before[0] + 1, before[1]) == round_stamps(db.session, [r.id])[r.id]


def test_a_restore_to_fewer_responses_recounts(app, demo):
    with app.app_context():
        r = _rounds()[0]
        tracker = RoundStamps(settle=2)
        tracker.stamps(db.session, [r.id])
        top = db.session.scalar(select(func.max(Response.id)))
        db.session.execute(Response.__table__.delete().where(Response.id > top - 10))
        db.session.commit()
        assert tracker.stamps(db.session, [r.id]) == round_stamps(db.session, [r.id])
        assert tracker.recounts == 2


def test_a_page_view_does_not_count_the_whole_table(app, as_role, demo):
    """Once warm, a view reads only the rows above the floor: every query that touches
    the response table is bounded by ``id >`` (or is the primary key's max)."""
    client = as_role("evaluator")
    client.get("/dashboard")
    statements: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "response" in statement.lower() and "survey_round" not in statement.lower():
            statements.append((" ".join(statement.split()), parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/dashboard").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements, "the view must ask the database whether responses arrived"
    for sql, params in statements:
        assert "response.id >" in sql or sql.startswith("SELECT max(response.id)"), sql
        if engine.dialect.name == "sqlite":  # and the plan is a range of the primary key
            with engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            steps = " / ".join(str(row[-1]) for row in plan)
            assert "SCAN" not in steps, steps


def test_another_worker_sees_responses_stored_through_a_different_process(app, as_role, demo):
    """Two workers = two caches over one database: a response stored by one (here, by a
    plain insert, as the API, the importer or another worker would) invalidates the other's."""
    worker_a = as_role("evaluator")
    worker_a.get("/dashboard?sector=catering")
    cache: AnalysisCache = indices_state(app).cache
    other = AnalysisCache()  # the second worker's cache
    with app.app_context():
        r = db.session.scalar(
            select(Round).where(Round.code == f"catering-{demo['current'].lower()}")
        )
        first = other.tracker.stamps(db.session, [r.id])[r.id]
        _add(r, n=2)
        count, largest = other.tracker.stamps(db.session, [r.id])[r.id]
        assert count == first[0] + 2 and largest > first[1]
    html = worker_a.get("/dashboard?sector=catering").get_data(as_text=True)
    assert "收到 60" in html and "正在更新" in html  # seen: refreshing in the background
    assert cache.wait_idle(timeout=120)
    misses = cache.misses
    html = worker_a.get("/dashboard?sector=catering").get_data(as_text=True)
    assert cache.refreshes == 1 and "收到 62" in html
    assert worker_a.get("/dashboard?sector=catering").status_code == 200
    assert cache.misses == misses + 1  # the change of the new analysis; the next view is a hit
