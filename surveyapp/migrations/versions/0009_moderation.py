"""moderation decisions: free text is published only once approved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'moderation_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text_key', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('scope', sa.String(length=120), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['decided_by_id'],
            ['user_account.id'],
            name=op.f('fk_moderation_decision_decided_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_decision')),
        sa.UniqueConstraint(
            'kind', 'text_key', name=op.f('uq_moderation_decision_kind_text_key')
        ),
    )


def downgrade():
    op.drop_table('moderation_decision')
