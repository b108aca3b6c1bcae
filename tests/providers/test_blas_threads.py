"""The fits' one BLAS thread (surveyapp.blas): in force inside the score keeper's
background refresh, and kept while any thread still fits when two overlap."""

from __future__ import annotations

import threading
from datetime import timedelta

from threadpoolctl import threadpool_info, threadpool_limits

from surveyapp.blas import one_blas_thread
from surveyapp.extensions import db
from surveyapp.indices.state import app_session
from surveyapp.models import Provider, Rating
from surveyapp.models.base import utcnow
from surveyapp.providers import published
from surveyapp.providers.published import ScoreKeeper, ScoreSettings, score_state
from surveyapp.rounds.dates import china_today
from tests.providers.registry_data import REAL_CODES


def blas_threads() -> list[int]:
    """Every BLAS library's thread count, as threadpoolctl reads it now (numpy's and
    scipy's OpenBLAS here; empty without one)."""
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_the_keepers_background_refresh_fits_on_one_blas_thread(app, monkeypatch):
    """Read in the keeper's thread during its fits, while another thread holds a limit of
    its own (as a request computing the credit classes would): with a plain
    ``threadpool_limits`` in each, threadpoolctl ignored the keeper's (2 threads)."""
    seen: list[tuple[str, list[int]]] = []
    fit = published.score_columns

    def watched(groups):
        seen.append((threading.current_thread().name, blas_threads()))
        return fit(groups)

    monkeypatch.setattr(published, "score_columns", watched)
    with app.app_context():
        p = Provider(credit_code=REAL_CODES[0], name="甲", district="思茅区", service_types=[])
        p.sectors = ["catering"]
        db.session.add(p)
        db.session.flush()
        for i, stars in enumerate([5, 4, 2, 5, 3]):
            at = utcnow() - timedelta(days=i + 1)
            db.session.add(Rating(
                provider_id=p.id, sector="catering", form_id="catering-rating",
                form_version=1, answers=bytes([stars] * 4), overall=stars,
                device_hash=f"d{i}", window_start=at.date(), created_at=at,
            ))  # fmt: skip
        db.session.commit()
        keeper = ScoreKeeper(lambda: app_session(app), ScoreSettings(12, 5))
        with threadpool_limits(limits=2, user_api="blas"):  # more than one outside the fits
            before = blas_threads()
            keeper._start(china_today(utcnow()))  # the background refresh, as a nudge starts it
            keeper.wait(60)
            after = blas_threads()
        db.session.expire_all()
        assert score_state(db.session) is not None
    assert seen and all(name == "provider-scores" for name, _ in seen)
    if before:  # an OpenBLAS: one thread during every fit of that thread, two again after
        assert all(threads == [1] * len(before) for _, threads in seen)
        assert after == before and 2 in before
    else:  # no BLAS library threadpoolctl knows: nothing to limit
        assert all(threads == [] for _, threads in seen)


def test_overlapping_threads_keep_one_thread_until_the_last_leaves():
    """Thread A leaves while B still fits: B keeps one thread; when B leaves, the count
    from before both comes back (the naive per-thread ``threadpool_limits`` lost B's
    limit and then left the process on one thread)."""
    a_in, a_out, b_checked = threading.Event(), threading.Event(), threading.Event()
    read: dict[str, list[int]] = {}

    def first() -> None:
        with one_blas_thread():
            a_in.set()
            b_checked.wait(10)  # B is inside too
        a_out.set()

    def second() -> None:
        a_in.wait(10)
        with one_blas_thread(), one_blas_thread():  # nested, as a refresh within a refresh
            b_checked.set()
            a_out.wait(10)
            read["B after A left"] = blas_threads()

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        read["after both"] = blas_threads()
    assert read["B after A left"] == [1] * len(before)
    assert read["after both"] == before
