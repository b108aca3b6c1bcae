"""The demo's 15-minute circle: Pu'er communities in every demo district, the circle's
types on the demo's providers, and communities that lack some services."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from surveyapp.circle.demo import seed_circle
from surveyapp.circle.stored import DEFAULT_TYPES, coverage_share, stored_report
from surveyapp.demo import DISTRICT_POPULATION, DISTRICT_SEATS, seed_providers
from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider
from surveyapp.models.circle import CircleCommunity


def test_the_demo_circle_has_gaps_and_some_coverage(app):
    with app.app_context():
        s = db.session
        seed_providers(s)
        stored, changed = seed_circle(s, DISTRICT_POPULATION, DISTRICT_SEATS)
        assert 150 <= stored <= 400 and changed > 100
        districts = set(s.scalars(select(CircleCommunity.district).distinct()))
        assert districts == set(DISTRICT_POPULATION)
        assert s.scalar(select(func.count()).where(AuditLog.action == "provider.update")) == changed
        report = stored_report(s)
        assert report is not None and report.distance == "straight-line"
        covered = report.result.covered
        # every community lacks something, none lacks nothing of the eight basic services
        missing = report.result.missing_count
        assert missing.min() >= 1 and missing.max() == len(DEFAULT_TYPES)
        # some of each of the eight basic services is covered somewhere, not everywhere
        for k, t in enumerate(report.types[:8]):
            assert 0 < covered[:, k].sum() < report.communities.n, t
            share = coverage_share(s, t)
            assert share is not None and 0.0 < share < 1.0, t
        # villages lack more than town communities
        village = np.char.endswith(report.communities.name.astype(str), "村")
        assert missing[village].mean() > missing[~village].mean()
        # the registry's counts stay the demo's (no provider is added)
        assert s.scalar(select(func.count()).select_from(Provider)) == 300
        assert seed_circle(s, DISTRICT_POPULATION, DISTRICT_SEATS) == (0, 0)
