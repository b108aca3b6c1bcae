"""plan values: the values of plan indicators per period, corrections as new rows

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.String(length=64), nullable=False),
        sa.Column('indicator_id', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('entered_by', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['user_account.id'],
            name=op.f('fk_plan_value_user_id_user_account'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['supersedes_id'], ['plan_value.id'], name=op.f('fk_plan_value_supersedes_id_plan_value')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_value')),
        sa.UniqueConstraint('supersedes_id', name=op.f('uq_plan_value_supersedes_id')),
    )
    op.create_index(
        'ix_plan_value_key', 'plan_value', ['plan_id', 'indicator_id', 'period'], unique=False
    )
    op.create_index(
        'uq_plan_value_first',
        'plan_value',
        ['plan_id', 'indicator_id', 'period'],
        unique=True,
        sqlite_where=sa.text('supersedes_id IS NULL'),
        postgresql_where=sa.text('supersedes_id IS NULL'),
    )


def downgrade():
    op.drop_index('uq_plan_value_first', table_name='plan_value')
    op.drop_index('ix_plan_value_key', table_name='plan_value')
    op.drop_table('plan_value')
