"""provider comments: hidden comments, provider accounts and replies; kept-up-to-date scores

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

``rating_comment_hidden`` (a bureau's hiding of a comment, with its reason),
``rating_reply`` (a provider's one reply per comment), ``user_account.provider_id`` (the
provider a ``provider`` account speaks for), and the public pages' stored scores
``provider_score`` with their one-row ``provider_score_state``.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: the directory's orders over all sectors and within one
INDEXES = (
    ("ix_provider_score_rank_score", ["rank_score"]),
    ("ix_provider_score_rank_n", ["rank_n"]),
    ("ix_provider_score_sector_rank_score", ["sector", "rank_score"]),
    ("ix_provider_score_sector_rank_n", ["sector", "rank_n"]),
)


def upgrade():
    op.create_table(
        "provider_score",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("posterior_share", sa.Float(), nullable=True),
        sa.Column("share_low", sa.Float(), nullable=True),
        sa.Column("share_high", sa.Float(), nullable=True),
        sa.Column("posterior_stars", sa.Float(), nullable=True),
        sa.Column("stars_low", sa.Float(), nullable=True),
        sa.Column("stars_high", sa.Float(), nullable=True),
        sa.Column("distribution", sa.JSON(), nullable=False),
        sa.Column("rank_score", sa.Integer(), nullable=False),
        sa.Column("rank_n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_score_provider_id_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "sector", name=op.f("pk_provider_score")),
    )
    for name, columns in INDEXES:
        op.create_index(name, "provider_score", columns, unique=False)
    op.create_table(
        "provider_score_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("min_n", sa.Integer(), nullable=False),
        sa.Column("last_rating_id", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("priors", sa.JSON(), nullable=False),
        sa.Column("refresh_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_score_state")),
    )
    op.create_table(
        "rating_comment_hidden",
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_by", sa.String(length=64), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["rating.id"],
            name=op.f("fk_rating_comment_hidden_rating_id_rating"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_rating_comment_hidden_provider_id_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user_account.id"],
            name=op.f("fk_rating_comment_hidden_hidden_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_rating_comment_hidden")),
    )
    op.create_index(
        op.f("ix_rating_comment_hidden_provider_id"),
        "rating_comment_hidden",
        ["provider_id"],
        unique=False,
    )
    op.create_table(
        "rating_reply",
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["rating.id"],
            name=op.f("fk_rating_reply_rating_id_rating"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_rating_reply_provider_id_provider")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_rating_reply_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_rating_reply")),
    )
    op.create_index(
        op.f("ix_rating_reply_provider_id"), "rating_reply", ["provider_id"], unique=False
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_provider_id_provider"),
            "provider",
            ["provider_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_user_account_provider_id_provider"), type_="foreignkey"
        )
        batch_op.drop_column("provider_id")
    op.drop_index(op.f("ix_rating_reply_provider_id"), table_name="rating_reply")
    op.drop_table("rating_reply")
    op.drop_index(op.f("ix_rating_comment_hidden_provider_id"), table_name="rating_comment_hidden")
    op.drop_table("rating_comment_hidden")
    op.drop_table("provider_score_state")
    for name, _ in INDEXES:
        op.drop_index(name, table_name="provider_score")
    op.drop_table("provider_score")
