"""held-for-review waves, the review state of a response, its source and stamp trust

A response is ``counted``, ``held`` (beyond the per-source threshold: stored, not
analysed until its wave is released) or ``rejected``.  The fingerprint (address and
browser) is no longer unique per round: it is a fraud signal, not an identity.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'review_wave',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('source_hash', sa.String(length=64), nullable=False),
        sa.Column('source_label', sa.String(length=120), nullable=False),
        sa.Column('channel_key_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['round_id'], ['survey_round.id'], name=op.f('fk_review_wave_round_id_survey_round')
        ),
        sa.ForeignKeyConstraint(
            ['channel_key_id'],
            ['channel_key.id'],
            name=op.f('fk_review_wave_channel_key_id_channel_key'),
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'],
            ['user_account.id'],
            name=op.f('fk_review_wave_decided_by_id_user_account'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_wave')),
    )
    op.create_index(op.f('ix_review_wave_round_id'), 'review_wave', ['round_id'], unique=False)
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('review', sa.String(length=16), server_default='counted', nullable=False)
        )
        batch_op.add_column(sa.Column('wave_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('prefix_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('stamp_trusted', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column(
            'flags', existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
        batch_op.drop_constraint('uq_response_round_id_fingerprint_hash', type_='unique')
        batch_op.create_foreign_key(
            batch_op.f('fk_response_wave_id_review_wave'), 'review_wave', ['wave_id'], ['id']
        )
        batch_op.create_index('ix_response_round_fingerprint', ['round_id', 'fingerprint_hash'])
        batch_op.create_index('ix_response_round_source', ['round_id', 'source_hash', 'submitted_at'])
        batch_op.create_index(batch_op.f('ix_response_wave_id'), ['wave_id'])
    # Stamps stored before: the survey pages' start stamp was signed by the server; an
    # API post's counts only with a key whose client stamps are trusted; an import's
    # durations are the bureau's own file.
    op.execute(
        "UPDATE response SET stamp_trusted = TRUE WHERE duration_seconds IS NOT NULL AND ("
        "(channel_key_id IS NULL) OR channel_key_id IN "
        "(SELECT id FROM channel_key WHERE trusted_stamps = TRUE))"
    )


def downgrade():
    op.execute("UPDATE response SET flags = substr(flags, 1, 64) WHERE length(flags) > 64")
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_wave_id'))
        batch_op.drop_index('ix_response_round_source')
        batch_op.drop_index('ix_response_round_fingerprint')
        batch_op.drop_constraint(batch_op.f('fk_response_wave_id_review_wave'), type_='foreignkey')
        batch_op.drop_column('stamp_trusted')
        batch_op.drop_column('prefix_hash')
        batch_op.drop_column('source_hash')
        batch_op.drop_column('wave_id')
        batch_op.drop_column('review')
        batch_op.alter_column(
            'flags', existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
    # Two residents sharing an address may now have answered: keep the first response of
    # each fingerprint as it was, clear the hash of the others so the unique rule holds.
    op.execute(
        "UPDATE response SET fingerprint_hash = NULL WHERE fingerprint_hash IS NOT NULL AND "
        "id NOT IN (SELECT min_id FROM (SELECT min(id) AS min_id FROM response "
        "WHERE fingerprint_hash IS NOT NULL GROUP BY round_id, fingerprint_hash) AS firsts)"
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            'uq_response_round_id_fingerprint_hash', ['round_id', 'fingerprint_hash']
        )
    op.drop_index(op.f('ix_review_wave_round_id'), table_name='review_wave')
    op.drop_table('review_wave')
