"""ratings: how many times a device replaced its rating in the window

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07

``rating.revision`` counts a rating's replacements (0: the device's first rating of the
window).  A bureau can see a device that keeps changing its mind; and on SQLite, whose
``RETURNING`` of an upsert shows the row as written with no trace of the conflict, the
count is how one ``INSERT … ON CONFLICT DO UPDATE`` tells a new rating from a
replacement (before: two statements for every replacement).  Existing rows get 0: how
often they were replaced was not recorded.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "rating", sa.Column("revision", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade():
    # SQLite drops an unindexed column in place (3.35+): no table rebuild that could
    # lose the partial unique indexes of the one-rating-per-window rule
    op.drop_column("rating", "revision")
