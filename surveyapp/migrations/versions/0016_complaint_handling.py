"""complaint handling: handlers, provider explanations, publicity editions, consumer warnings

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint') as batch:
        batch.add_column(sa.Column('handler_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_complaint_handler_id_user_account'),
            'user_account',
            ['handler_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch.create_index(op.f('ix_complaint_handler_id'), ['handler_id'], unique=False)
    op.create_table(
        'complaint_explanation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=64), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['provider.id'],
            name=op.f('fk_complaint_explanation_provider_id_provider'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_explanation')),
    )
    op.create_index(
        op.f('ix_complaint_explanation_provider_id'), 'complaint_explanation', ['provider_id']
    )
    op.create_table(
        'complaint_publicity_edition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('csv', sa.LargeBinary(), nullable=False),
        sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
        sa.Column('csv_sha256', sa.String(length=64), nullable=False),
        sa.Column('inputs', sa.JSON(), nullable=False),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('published_by', sa.String(length=64), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['replaces_id'], ['complaint_publicity_edition.id'],
            name=op.f('fk_complaint_publicity_edition_replaces_id_complaint_publicity_edition'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_publicity_edition')),
        sa.UniqueConstraint('edition', name=op.f('uq_complaint_publicity_edition_edition')),
        sa.UniqueConstraint('replaces_id', name=op.f('uq_complaint_publicity_edition_replaces_id')),
    )
    op.create_index(
        op.f('ix_complaint_publicity_edition_period'), 'complaint_publicity_edition', ['period']
    )
    op.create_table(
        'consumer_warning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('sector', sa.String(length=32), nullable=True),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('issuer', sa.String(length=64), nullable=False),
        sa.Column('issuer_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scope IN ('provider', 'category')", name=op.f('ck_consumer_warning_scope')
        ),
        sa.ForeignKeyConstraint(
            ['provider_id'], ['provider.id'], name=op.f('fk_consumer_warning_provider_id_provider')
        ),
        sa.ForeignKeyConstraint(
            ['issuer_id'], ['user_account.id'],
            name=op.f('fk_consumer_warning_issuer_id_user_account'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consumer_warning')),
    )
    op.create_index(
        op.f('ix_consumer_warning_published_at'), 'consumer_warning', ['published_at']
    )


def downgrade():
    op.drop_index(op.f('ix_consumer_warning_published_at'), table_name='consumer_warning')
    op.drop_table('consumer_warning')
    op.drop_index(
        op.f('ix_complaint_publicity_edition_period'), table_name='complaint_publicity_edition'
    )
    op.drop_table('complaint_publicity_edition')
    op.drop_index(
        op.f('ix_complaint_explanation_provider_id'), table_name='complaint_explanation'
    )
    op.drop_table('complaint_explanation')
    with op.batch_alter_table('complaint') as batch:
        batch.drop_index(op.f('ix_complaint_handler_id'))
        batch.drop_constraint(op.f('fk_complaint_handler_id_user_account'), type_='foreignkey')
        batch.drop_column('handler_id')
