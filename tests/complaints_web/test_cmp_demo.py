"""The demo's complaints: two quarters, overdue cases, one published publicity edition."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from surveyapp.complaints import ComplaintSettings, overdue
from surveyapp.complaints.demo import seed_complaints
from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.complaint import Complaint, PublicityEdition


def test_demo_complaints(app, pdf_text):
    with app.app_context():
        now = utcnow()
        assert seed_complaints(db.session, np.random.default_rng(5), now) == 160
        assert seed_complaints(db.session, np.random.default_rng(5), now) == 0  # once
        settings = ComplaintSettings()
        assert overdue(db.session, now, settings.calendar(), settings)
        first = db.session.scalar(select(func.min(Complaint.received_at)))
        assert (now - first).days > 120  # two quarters
        assert db.session.scalar(select(func.count()).where(Complaint.status == "closed")) > 20
        edition = db.session.scalar(select(PublicityEdition))
        text = " ".join(pdf_text(edition.pdf)) + edition.csv.decode("utf-8-sig")
        phones = db.session.scalars(select(Complaint.complainant_phone)).all()
        assert phones and not [p for p in phones if p in text] and "居民" not in text
