"""The demo's providers: about 300 across Pu'er's districts and the six sectors, through
the registry import (audited), with ratings; some below the minimum number to publish."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from surveyapp.demo import DISTRICT_POPULATION, PROVIDERS_PER_SECTOR, seed_providers
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider, ProviderSector, Rating
from surveyapp.models.base import utcnow
from surveyapp.providers.scores import compute_scores, score_window
from surveyapp.rounds.dates import china_today


def test_the_demo_seeds_providers_with_ratings_some_below_min_n(app):
    with app.app_context():
        session = db.session
        providers, ratings = seed_providers(session)
        assert providers == sum(PROVIDERS_PER_SECTOR.values()) == 300
        assert session.scalar(select(func.count()).select_from(Rating)) == ratings > 5000
        sectors = dict(session.execute(
            select(ProviderSector.sector, func.count()).group_by(ProviderSector.sector)
        ).all())  # fmt: skip
        assert sectors == PROVIDERS_PER_SECTOR
        districts = set(session.scalars(select(Provider.district).distinct()))
        assert districts == set(DISTRICT_POPULATION)
        assert session.scalar(select(func.count()).where(Provider.registration_no.is_not(None)))
        audited = session.scalar(select(func.count()).where(AuditLog.action == "provider.create"))
        assert audited == 300  # through the registry service, not raw SQL
        per_provider = dict(session.execute(
            select(Rating.provider_id, func.count()).group_by(Rating.provider_id)
        ).all())  # fmt: skip
        assert max(per_provider.values()) <= 400
        few = [n for n in per_provider.values() if n <= 3]
        assert len(few) >= 15  # shrinkage and the minimum-n rule are visible
        assert len(per_provider) < 300  # some have no rating at all
        window = score_window(china_today(utcnow()), 12)
        scores = compute_scores(session, window)
        unpublished = [p for s in scores.sectors for p in s.providers if 0 < p.n < s.min_n]
        assert unpublished and all(not p.published for p in unpublished)
        oldest = session.scalar(select(func.min(Rating.created_at)))
        assert utcnow() - oldest < timedelta(days=331)
        # a second run adds nothing
        assert seed_providers(session) == (0, 0)
        assert session.scalar(select(func.count()).select_from(Provider)) == 300
