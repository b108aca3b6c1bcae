"""credit record: events, class overrides and history, inspection plans and results

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

KINDS = "kind IN ('inspection', 'penalty', 'abnormal', 'honour')"
OUTCOME = (
    "(kind = 'inspection' AND outcome IS NOT NULL AND outcome IN ('合格', '不合格'))"
    " OR (kind <> 'inspection' AND outcome IS NULL)"
)
PUBLIC = "public = false OR kind IN ('penalty', 'honour')"
CLASSES = "{} IN ('A', 'B', 'C', 'D')"


def _provider_fk(table):
    return sa.ForeignKeyConstraint(
        ['provider_id'], ['provider.id'], name=op.f(f'fk_{table}_provider_id_provider'),
        ondelete='CASCADE',
    )


def upgrade():
    op.create_table(
        'credit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('external_id', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=8), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('end_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f('ck_credit_event_kind')),
        sa.CheckConstraint(OUTCOME, name=op.f('ck_credit_event_outcome')),
        sa.CheckConstraint(PUBLIC, name=op.f('ck_credit_event_public')),
        _provider_fk('credit_event'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_event')),
        sa.UniqueConstraint('source', 'external_id', name=op.f('uq_credit_event_source_external_id')),
    )
    op.create_index(
        'ix_credit_event_provider_kind_on', 'credit_event',
        ['provider_id', 'kind', 'occurred_on'], unique=False,
    )
    op.create_table(
        'credit_class_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('cls', sa.String(length=1), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('bureau', sa.String(length=64), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(CLASSES.format('cls'), name=op.f('ck_credit_class_override_cls')),
        _provider_fk('credit_class_override'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_class_override')),
    )
    op.create_index(
        op.f('ix_credit_class_override_provider_id'), 'credit_class_override', ['provider_id'],
        unique=False,
    )
    op.create_table(
        'credit_class_history',
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('cls', sa.String(length=1), nullable=False),
        sa.Column('computed', sa.String(length=1), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('factors', sa.JSON(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(CLASSES.format('cls'), name=op.f('ck_credit_class_history_cls')),
        sa.CheckConstraint(
            CLASSES.format('computed'), name=op.f('ck_credit_class_history_computed')
        ),
        _provider_fk('credit_class_history'),
        sa.PrimaryKeyConstraint('provider_id', 'period', name=op.f('pk_credit_class_history')),
    )
    op.create_index(
        op.f('ix_credit_class_history_period'), 'credit_class_history', ['period'], unique=False
    )
    op.create_table(
        'inspector',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector')),
        sa.UniqueConstraint('code', name=op.f('uq_inspector_code')),
    )
    op.create_table(
        'inspector_conflict',
        sa.Column('inspector_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['inspector_id'], ['inspector.id'],
            name=op.f('fk_inspector_conflict_inspector_id_inspector'), ondelete='CASCADE',
        ),
        _provider_fk('inspector_conflict'),
        sa.PrimaryKeyConstraint('inspector_id', 'provider_id', name=op.f('pk_inspector_conflict')),
    )
    op.create_table(
        'inspection_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('districts', sa.String(length=500), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
        sa.Column('plan', sa.JSON(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_plan')),
        sa.UniqueConstraint(
            'sector', 'period', 'districts', name=op.f('uq_inspection_plan_sector_period_districts')
        ),
    )


def downgrade():
    op.drop_table('inspection_plan')
    op.drop_table('inspector_conflict')
    op.drop_table('inspector')
    op.drop_table('credit_class_history')
    op.drop_table('credit_class_override')
    op.drop_table('credit_event')
