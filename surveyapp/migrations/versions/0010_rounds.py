"""rounds: a parallel sample flag and the archive time of a round

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('parallel', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('parallel')
