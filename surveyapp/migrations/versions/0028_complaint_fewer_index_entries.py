"""complaints: drop the sector's own index; four indexes only of the cases with a value

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07

With a handful of sectors, ``ix_complaint_sector`` finds a sixth of all complaints: the
bureau's list of its sector's newest cases read and sorted every case of the sector
through it (1,000,000 complaints, SQLite: 116 ms; through the day index of
``ix_complaint_received_counts``, read newest first, 2 ms).  The overdue lists already
steer clear of it (``sector || ''``) and the counts read their covering indexes.

The indexes led by the day of acceptance or closing and the handler's become partial
(``… IS NOT NULL``): a new complaint has none of these yet, so it writes no entry in
them, where before each was one more b-tree written inside SQLite's write lock (a
complaint taken in through the API wrote 13 b-trees against a survey submission's 10).
Every query they serve compares that column (a day range, a handler), which both
databases take as implying ``IS NOT NULL``.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

#: name → (the column that must be set, the index's columns)
PARTIAL = {
    "ix_complaint_status_accepted_at": ("accepted_at", ["status", "accepted_at"]),
    "ix_complaint_accepted_counts": ("accepted_at", ["accepted_at", "sector", "created_at"]),
    "ix_complaint_closed_counts": (
        "closed_at",
        ["closed_at", "status", "outcome", "sector", "provider_id", "category", "accepted_at",
         "created_at"],
    ),  # fmt: skip
    "ix_complaint_handler_id": ("handler_id", ["handler_id"]),
}


def upgrade():
    op.drop_index("ix_complaint_sector", table_name="complaint")
    for name, (column, columns) in PARTIAL.items():
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name="complaint")
        op.create_index(name, "complaint", columns, sqlite_where=where, postgresql_where=where)


def downgrade():
    for name, (_, columns) in PARTIAL.items():
        op.drop_index(name, table_name="complaint")
        op.create_index(name, "complaint", columns)
    op.create_index("ix_complaint_sector", "complaint", ["sector"])
