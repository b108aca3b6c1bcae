"""complaints: consumer complaints and the history of each case

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

STATUSES = "status IN ('received', 'accepted', 'not_accepted', 'mediation', 'closed')"
OUTCOMES = "outcome IS NULL OR outcome IN ('和解成功', '未达成和解', '终止')"


def upgrade():
    op.create_table(
        'complaint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('external_id', sa.String(length=64), nullable=True),
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('provider_name', sa.String(length=200), nullable=True),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('complainant_name', sa.String(length=64), nullable=True),
        sa.Column('complainant_phone', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('pii_cleared_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(STATUSES, name=op.f('ck_complaint_status')),
        sa.CheckConstraint(OUTCOMES, name=op.f('ck_complaint_outcome')),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['provider.id'], name=op.f('fk_complaint_provider_id_provider')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
        sa.UniqueConstraint(
            'channel', 'external_id', name=op.f('uq_complaint_channel_external_id')
        ),
        sa.UniqueConstraint('receipt_hash', name=op.f('uq_complaint_receipt_hash')),
    )
    for column in ('received_at', 'provider_id', 'sector', 'closed_at'):
        op.create_index(op.f(f'ix_complaint_{column}'), 'complaint', [column], unique=False)
    for column in ('received_at', 'accepted_at'):  # the overdue and due-soon queries
        op.create_index(
            f'ix_complaint_status_{column}', 'complaint', ['status', column], unique=False
        )
    op.create_table(
        'complaint_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('from_status', sa.String(length=16), nullable=True),
        sa.Column('to_status', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['complaint_id'],
            ['complaint.id'],
            name=op.f('fk_complaint_event_complaint_id_complaint'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['user_account.id'],
            name=op.f('fk_complaint_event_user_id_user_account'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_event')),
    )
    op.create_index(
        op.f('ix_complaint_event_complaint_id'), 'complaint_event', ['complaint_id'], unique=False
    )


def downgrade():
    op.drop_table('complaint_event')
    op.drop_table('complaint')
