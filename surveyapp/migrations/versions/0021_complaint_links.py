"""complaints: covering indexes for the bulletin's, the dashboard's and the publicity's counts

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

The complaints section of the bulletin, the dashboard's complaints panel and the
month's publicity count complaints by the day they were received, accepted or closed,
per sector, category and outcome.  With an index holding every column such a count
reads, a quarter of a million-complaint table is counted from the index alone instead
of one table lookup per complaint (bench/complaints, README "Speed").
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: name → columns, as in surveyapp.models.complaint
INDEXES = {
    "ix_complaint_received_counts": ["received_at", "sector", "category", "created_at"],
    "ix_complaint_accepted_counts": ["accepted_at", "sector", "created_at"],
    "ix_complaint_closed_counts": [
        "closed_at",
        "status",
        "outcome",
        "sector",
        "provider_id",
        "category",
        "accepted_at",
        "created_at",
    ],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "complaint", columns, unique=False)


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="complaint")
