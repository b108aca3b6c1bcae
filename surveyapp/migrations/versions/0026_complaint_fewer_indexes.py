"""complaints: drop the two single-column day indexes the covering indexes make redundant

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

``ix_complaint_received_at`` and ``ix_complaint_closed_at`` lead with the same column as
the covering count indexes of migration 0021 (``ix_complaint_received_counts``,
``ix_complaint_closed_counts``), which serve every query on those days (the range, the
order, the retention purge).  Each index is one more b-tree every new complaint writes
inside SQLite's write lock: a complaint wrote 21.5 pages to the WAL per commit against a
survey submission's 11.3 (bench/complaints, README "Complaints").
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

#: the dropped indexes: name → column
DROPPED = {"ix_complaint_received_at": "received_at", "ix_complaint_closed_at": "closed_at"}


def upgrade():
    for name in DROPPED:
        op.drop_index(name, table_name="complaint")


def downgrade():
    for name, column in DROPPED.items():
        op.create_index(name, "complaint", [column])
