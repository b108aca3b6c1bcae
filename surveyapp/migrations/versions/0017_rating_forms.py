"""rating forms: versions of the per-sector rating forms; a rating's channel and signals

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# The partial unique indexes of ``rating`` (one rating per device per window): SQLite's
# batch mode copies the table, so they are dropped first and made again afterwards,
# with their WHERE clauses.
_PARTIAL = (
    ('uq_rating_provider_device_window', 'provider_id', 'practitioner_id IS NULL'),
    ('uq_rating_practitioner_device_window', 'practitioner_id', 'practitioner_id IS NOT NULL'),
)


def _drop_partial():
    for name, _, _ in _PARTIAL:
        op.drop_index(name, table_name='rating')


def _create_partial():
    for name, column, where in _PARTIAL:
        op.create_index(
            name,
            'rating',
            [column, 'device_hash', 'window_start'],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def upgrade():
    op.create_table(
        'rating_form_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_form_version')),
        sa.UniqueConstraint('form_id', 'version', name=op.f('uq_rating_form_version_form_version')),
        sa.UniqueConstraint('form_id', 'content_hash', name=op.f('uq_rating_form_version_form_hash')),
    )
    op.create_index(
        op.f('ix_rating_form_version_sector'), 'rating_form_version', ['sector'], unique=False
    )
    _drop_partial()
    with op.batch_alter_table('rating') as batch:
        batch.add_column(
            sa.Column('channel', sa.String(length=16), server_default='web', nullable=False)
        )
        batch.add_column(sa.Column('channel_key_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('flags', sa.String(length=255), nullable=True))
        batch.create_foreign_key(
            op.f('fk_rating_channel_key_id_channel_key'), 'channel_key', ['channel_key_id'], ['id']
        )
    _create_partial()
    op.create_index('ix_rating_source_created', 'rating', ['source_hash', 'created_at'])


def downgrade():
    op.drop_index('ix_rating_source_created', table_name='rating')
    _drop_partial()
    with op.batch_alter_table('rating') as batch:
        batch.drop_constraint(op.f('fk_rating_channel_key_id_channel_key'), type_='foreignkey')
        batch.drop_column('flags')
        batch.drop_column('source_hash')
        batch.drop_column('channel_key_id')
        batch.drop_column('channel')
    _create_partial()
    op.drop_index(op.f('ix_rating_form_version_sector'), table_name='rating_form_version')
    op.drop_table('rating_form_version')
