"""complaints: drop the sector's own index

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07

With a handful of sectors, ``ix_complaint_sector`` finds a sixth of all complaints: the
bureau's list of its sector's newest cases read and sorted every case of the sector
through it (1,000,000 complaints, SQLite: 116 ms; through the day index of
``ix_complaint_received_counts``, read newest first, 2 ms).  The overdue lists already
steer clear of it (``sector || ''``), the counts read their covering indexes, and every
new complaint wrote one b-tree more inside SQLite's write lock.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_complaint_sector", table_name="complaint")


def downgrade():
    op.create_index("ix_complaint_sector", "complaint", ["sector"])
