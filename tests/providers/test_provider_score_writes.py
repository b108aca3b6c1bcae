"""A refresh writes only the stored rows that changed, and stores exactly what a refresh
from nothing stores: providers in two sectors, a practitioner's ratings, held and
rejected ratings, ratings in one window only and in both, unanswered items."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import delete, select

from surveyapp.models import Practitioner, Provider, Rating
from surveyapp.models.base import utcnow
from surveyapp.models.provider_page import (
    PastScore,
    PublishedItemScore,
    PublishedScore,
    PublishedScoreState,
)
from surveyapp.models.review import COUNTED, HELD, REJECTED
from surveyapp.providers import published
from surveyapp.providers.published import ScoreSettings, refresh_published_scores
from surveyapp.ratings.forms import form_version, shipped_form
from surveyapp.rounds.dates import china_today
from tests.providers.registry_data import REAL_CODES

TABLES = (PublishedScore, PublishedItemScore, PastScore)


def _rate(session, rng, provider, sector, days, review=COUNTED, practitioner=None) -> None:
    form = shipped_form(sector)
    assert form is not None
    version = form_version(session, form).version
    stars = int(rng.integers(1, 6))
    answers = np.clip(stars + rng.integers(-1, 2, len(form.item_ids)), 1, 5)
    answers[rng.random(len(answers)) < 0.2] = 255  # not answered
    at = utcnow() - timedelta(days=days)
    session.add(Rating(
        provider_id=provider.id, practitioner_id=practitioner, sector=sector,
        form_id=form.id, form_version=version, answers=bytes(answers.tolist()),
        overall=stars, window_start=at.date(), created_at=at, review=review,
    ))  # fmt: skip


def _stored(session) -> dict:
    out = {}
    for model in TABLES:
        columns = [c for c in model.__table__.c]
        out[model.__tablename__] = sorted(tuple(r) for r in session.execute(select(*columns)))
    return out


def test_a_refresh_writes_only_what_changed_and_stores_what_a_full_one_does(session, monkeypatch):
    rng = np.random.default_rng(11)
    providers = []
    for i in range(12):
        p = Provider(credit_code=REAL_CODES[i] if i < len(REAL_CODES) else None,
                     registration_no=None if i < len(REAL_CODES) else f"R{i:05d}",
                     name=f"店{i}", district="思茅区", service_types=[])  # fmt: skip
        p.sectors = ["catering"] if i < 8 else ["domestic", "catering"]
        session.add(p)
        providers.append(p)
    session.flush()
    worker = Practitioner(provider_id=providers[9].id, name="张阿姨")
    session.add(worker)
    session.flush()
    for p in providers:
        for _ in range(int(rng.integers(0, 12))):
            # the current window only, both windows, the last period's only
            _rate(session, rng, p, "catering", int(rng.choice([10, 200, 400])))
    for p in providers[8:]:
        for _ in range(6):
            _rate(session, rng, p, "domestic", int(rng.integers(1, 300)))
        _rate(session, rng, p, "domestic", 5, review=HELD)
        _rate(session, rng, p, "catering", 5, review=REJECTED)
    for _ in range(4):
        _rate(session, rng, providers[9], "domestic", 20, practitioner=worker.id)
    session.commit()
    today = china_today(utcnow())
    settings = ScoreSettings(12, 5)

    written: dict[str, int] = {}
    write = published.write_rows

    def counted(session_, table, names, rows):
        if rows:
            written[table] = written.get(table, 0) + len(rows)
        return write(session_, table, names, rows)

    monkeypatch.setattr(published, "write_rows", counted)
    refresh_published_scores(session, today, settings)
    session.commit()
    first = dict(written)
    assert first["provider_item_score"] > 50 and first["provider_score_past"] == 16
    written.clear()
    refresh_published_scores(session, today, settings)  # nothing changed: nothing written
    session.commit()
    assert written == {}
    # a new rating in domestic: the domestic rows change, the catering ones do not
    _rate(session, rng, providers[10], "domestic", 3)
    session.commit()
    written.clear()
    refresh_published_scores(session, today, settings)
    session.commit()
    domestic = session.scalar(
        select(PublishedItemScore.item).where(PublishedItemScore.sector == "domestic").limit(1)
    )
    assert domestic is not None
    count = session.query(PublishedItemScore).filter_by(sector="domestic").count()
    assert 0 < written["provider_item_score"] <= count < first["provider_item_score"]
    kept = _stored(session)
    for model in (*TABLES, PublishedScoreState):  # from nothing: every row written
        session.execute(delete(model))
    session.commit()
    refresh_published_scores(session, today, settings)
    session.commit()
    assert _stored(session) == kept
    assert kept["provider_score"] and kept["provider_score_past"]


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_few_or_many_changes_leave_the_same_rows(session, share):
    """Picking the changed rows and rewriting the table store the same thing."""
    table = PastScore.__table__
    names = ("provider_id", "sector", "n", "published", "posterior_share")
    providers = []
    for i in range(10):
        p = Provider(
            registration_no=f"R{i:05d}", name=f"店{i}", district="思茅区", service_types=[]
        )
        session.add(p)
        providers.append(p)
    session.flush()
    old = [(p.id, "catering", 3, False, 0.5) for p in providers]
    published._write_changes(session, table, names, old)
    new = [
        (pid, sector, n + 1, True, 0.75) if i < share * len(old) else (pid, sector, n, pub, x)
        for i, (pid, sector, n, pub, x) in enumerate(old[1:])
    ] + [(providers[0].id, "domestic", 1, False, None)]
    published._write_changes(session, table, names, new)
    got = sorted(tuple(r) for r in session.execute(select(*(table.c[n] for n in names))))
    assert got == sorted(new)
