"""Between a view and a refresh the cache keeps the round's loaded rows and reads only
the responses stored since: the numbers are those of an analysis from scratch, and the
board computes only what it shows (no item scores) with the very same figures."""

from __future__ import annotations

import dataclasses

import numpy as np
from sqlalchemy import select

import surveyapp.responses.matrix as loader
from surveyapp.extensions import db
from surveyapp.indices import AnalysisCache, analyse_round, options_for, serve_round
from surveyapp.indices.settings import settings_from_config
from surveyapp.models import Response, Round
from surveyapp.models.review import COUNTED


def _catering(demo) -> Round:
    code = f"catering-{demo['current'].lower()}"
    return db.session.scalar(select(Round).where(Round.code == code))


def _copy_of(response: Response, n: int) -> Response:
    return Response(
        uid=f"{n:032x}", round_id=response.round_id,
        questionnaire_version_id=response.questionnaire_version_id,
        answers=bytes(response.answers), profile=bytes(response.profile), channel="web",
        duration_seconds=response.duration_seconds, stamp_trusted=response.stamp_trusted,
    )  # fmt: skip


def test_a_refresh_reuses_the_rows_and_gives_the_fresh_numbers(app, demo, monkeypatch):
    reads: list[int] = []
    real = loader.read_round_rows

    def spy(session, round_id, q, after=0):
        reads.append(after)
        return real(session, round_id, q, after)

    monkeypatch.setattr(loader, "read_round_rows", spy)
    monkeypatch.setattr(loader, "SETTLE_IDS", 5)  # the demo's round has a few hundred ids
    cache = AnalysisCache()  # no session scope: a stale view computes in the request
    with app.app_context():
        settings = settings_from_config(app.config)
        round_ = _catering(demo)
        first = serve_round(db.session, round_, settings, cache)
        assert reads == [0] and first.result is not None
        rid = round_.id
        sample = db.session.scalars(
            select(Response).where(Response.round_id == rid, Response.review == COUNTED)
        ).all()
        for i, response in enumerate(sample[:7]):
            db.session.add(_copy_of(response, 10**6 + i))
        db.session.commit()
        second = serve_round(db.session, db.session.get(Round, rid), settings, cache)
        assert len(reads) == 2 and reads[1] > 0  # the new responses only
        assert second.n_received == first.n_received + 7
        fresh = analyse_round(
            db.session, db.session.get(Round, rid), options_for(settings, round_, "board")
        )
        sector = analyse_round(
            db.session, db.session.get(Round, rid), options_for(settings, round_, "sector")
        )
    got, want, full = second.result, fresh.result, sector.result
    assert got is not None and want is not None and full is not None
    # the board: no item scores; every number it has is the full analysis' own
    assert got.items == () and want.items == () and len(full.items) > 0
    for mine, other in ((got, want), (got, full)):
        assert mine.index == other.index and mine.satisfaction_rate == other.satisfaction_rate
        assert mine.dimensions == other.dimensions and len(mine.groups) == len(other.groups)
        for g, h in zip(mine.groups, other.groups, strict=True):
            assert (g.by, g.n, g.index, g.satisfaction_rate, g.dimensions) == (
                h.by, h.n, h.index, h.satisfaction_rate, h.dimensions
            )  # fmt: skip
        assert mine.drivers == other.drivers and mine.quality == other.quality
    assert dataclasses.replace(
        got, weights=np.zeros(0), respondent_ids=np.zeros(0)
    ) == dataclasses.replace(want, weights=np.zeros(0), respondent_ids=np.zeros(0))
