"""small-area auxiliaries per round

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

The district auxiliaries an admin uploads for a round's small-area (Fay–Herriot)
estimates: ``{district: {covariate: value}}`` in a nullable JSON column.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auxiliaries", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.drop_column("auxiliaries")
