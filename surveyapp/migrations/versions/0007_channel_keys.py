"""channel keys for the submission API; the key of each API response

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'channel_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('rounds', sa.JSON(), nullable=True),
        sa.Column('trusted_stamps', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_key')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_channel_key_key_hash')),
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_key_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_response_channel_key_id_channel_key'),
            'channel_key',
            ['channel_key_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_response_channel_key_id_channel_key'), type_='foreignkey'
        )
        batch_op.drop_column('channel_key_id')
    op.drop_table('channel_key')
