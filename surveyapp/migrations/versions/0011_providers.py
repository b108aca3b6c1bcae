"""providers: the registry (providers, their sectors, practitioners) and ratings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=True),
        sa.Column('registration_no', sa.String(length=64), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('district', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('service_types', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            '(credit_code IS NULL) <> (registration_no IS NULL)',
            name=op.f('ck_provider_one_identifier'),
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_provider_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider')),
        sa.UniqueConstraint('credit_code', name=op.f('uq_provider_credit_code')),
        sa.UniqueConstraint('registration_no', name=op.f('uq_provider_registration_no')),
    )
    op.create_index(op.f('ix_provider_district'), 'provider', ['district'], unique=False)
    op.create_table(
        'provider_sector',
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ['provider_id'],
            ['provider.id'],
            name=op.f('fk_provider_sector_provider_id_provider'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('provider_id', 'sector', name=op.f('pk_provider_sector')),
    )
    op.create_index(
        op.f('ix_provider_sector_sector'), 'provider_sector', ['sector'], unique=False
    )
    op.create_table(
        'practitioner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('certificate_no', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'left')", name=op.f('ck_practitioner_status')),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['provider.id'], name=op.f('fk_practitioner_provider_id_provider')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner')),
        sa.UniqueConstraint('certificate_no', name=op.f('uq_practitioner_certificate_no')),
    )
    op.create_index(
        op.f('ix_practitioner_provider_id'), 'practitioner', ['provider_id'], unique=False
    )
    op.create_table(
        'rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('practitioner_id', sa.Integer(), nullable=True),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('form_version', sa.Integer(), nullable=False),
        sa.Column('answers', sa.LargeBinary(), nullable=False),
        sa.Column('overall', sa.SmallInteger(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('device_hash', sa.String(length=64), nullable=True),
        sa.Column('window_start', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('overall BETWEEN 1 AND 5', name=op.f('ck_rating_overall')),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['provider.id'], name=op.f('fk_rating_provider_id_provider')
        ),
        sa.ForeignKeyConstraint(
            ['practitioner_id'],
            ['practitioner.id'],
            name=op.f('fk_rating_practitioner_id_practitioner'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    )
    op.create_index(
        'ix_rating_provider_sector_created',
        'rating',
        ['provider_id', 'sector', 'created_at', 'overall'],
        unique=False,
    )
    op.create_index(
        'uq_rating_provider_device_window',
        'rating',
        ['provider_id', 'device_hash', 'window_start'],
        unique=True,
        sqlite_where=sa.text('practitioner_id IS NULL'),
        postgresql_where=sa.text('practitioner_id IS NULL'),
    )
    op.create_index(
        'uq_rating_practitioner_device_window',
        'rating',
        ['practitioner_id', 'device_hash', 'window_start'],
        unique=True,
        sqlite_where=sa.text('practitioner_id IS NOT NULL'),
        postgresql_where=sa.text('practitioner_id IS NOT NULL'),
    )


def downgrade():
    op.drop_table('rating')
    op.drop_table('practitioner')
    op.drop_table('provider_sector')
    op.drop_table('provider')
