"""ratings: held bursts and the per-sector device window

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

- ``rating_wave`` and ``rating.review`` / ``rating.wave_id``: a burst of ratings from one
  source is held for review (counted in no score until released);
- the one-rating-per-device-per-window indexes gain ``sector`` (ratings belong to the
  sector of the form used: a provider in two sectors is rated once per sector);
- the scores' covering index gains ``review``;
- ``provider_item_score`` (per-item scores), ``provider_score_past`` (the last period's
  scores, for the bureaus' board) and ``provider_score_state.past_as_of``.

Downgrade: held and rejected ratings are deleted first (before 0020 every stored rating
counts), then the narrower unique indexes keep per device and window the latest rating.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_PARTIAL = (
    ("uq_rating_provider_device_window", "provider_id", "practitioner_id IS NULL"),
    ("uq_rating_practitioner_device_window", "practitioner_id", "practitioner_id IS NOT NULL"),
)
_COVERING = "ix_rating_provider_sector_created"


def _drop_indexes():
    for name, _, _ in _PARTIAL:
        op.drop_index(name, table_name="rating")
    op.drop_index(_COVERING, table_name="rating")


def _create_indexes(with_sector: bool):
    for name, column, where in _PARTIAL:
        columns = [column, "sector"] if with_sector else [column]
        op.create_index(
            name,
            "rating",
            [*columns, "device_hash", "window_start"],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    covering = ["provider_id", "sector", "created_at", "overall"]
    op.create_index(_COVERING, "rating", covering + (["review"] if with_sector else []))


def _score_columns():
    return [
        sa.Column("posterior_share", sa.Float(), nullable=True),
        sa.Column("share_low", sa.Float(), nullable=True),
        sa.Column("share_high", sa.Float(), nullable=True),
        sa.Column("posterior_stars", sa.Float(), nullable=True),
        sa.Column("stars_low", sa.Float(), nullable=True),
        sa.Column("stars_high", sa.Float(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "rating_wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("source_label", sa.String(length=120), nullable=False),
        sa.Column("channel_key_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_key_id"], ["channel_key.id"],
            name=op.f("fk_rating_wave_channel_key_id_channel_key"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], ondelete="SET NULL",
            name=op.f("fk_rating_wave_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_wave")),
    )  # fmt: skip
    op.create_index("ix_rating_wave_sector_state", "rating_wave", ["sector", "state"])
    _drop_indexes()
    with op.batch_alter_table("rating") as batch:
        batch.add_column(
            sa.Column("review", sa.String(length=16), server_default="counted", nullable=False)
        )
        batch.add_column(sa.Column("wave_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_rating_wave_id_rating_wave"), "rating_wave", ["wave_id"], ["id"]
        )
    _create_indexes(with_sector=True)
    op.create_index("ix_rating_wave", "rating", ["wave_id"])
    op.create_table(
        "provider_item_score",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_score_columns(),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], ondelete="CASCADE",
            name=op.f("fk_provider_item_score_provider_id_provider"),
        ),
        sa.PrimaryKeyConstraint(
            "provider_id", "sector", "item", name=op.f("pk_provider_item_score")
        ),
    )  # fmt: skip
    op.create_table(
        "provider_score_past",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("posterior_share", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], ondelete="CASCADE",
            name=op.f("fk_provider_score_past_provider_id_provider"),
        ),
        sa.PrimaryKeyConstraint("provider_id", "sector", name=op.f("pk_provider_score_past")),
    )  # fmt: skip
    with op.batch_alter_table("provider_score_state") as batch:
        batch.add_column(sa.Column("past_as_of", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("provider_score_state") as batch:
        batch.drop_column("past_as_of")
    op.drop_table("provider_score_past")
    op.drop_table("provider_item_score")
    # before 0020 every stored rating counts: the held and rejected ones go; and one
    # rating per device per window again, across sectors: the latest stays
    doomed = ["review <> 'counted'"]
    for _, column, where in _PARTIAL:
        later_where = where.replace("practitioner_id", "later.practitioner_id")
        doomed.append(
            f"(device_hash IS NOT NULL AND {where} AND EXISTS (SELECT 1 FROM rating later"
            f" WHERE later.{column} = rating.{column} AND later.device_hash = rating.device_hash"
            f" AND later.window_start = rating.window_start AND {later_where}"
            " AND later.review = 'counted'"
            " AND (later.created_at > rating.created_at"
            " OR (later.created_at = rating.created_at AND later.id > rating.id))))"
        )
    gone = "SELECT id FROM rating WHERE " + " OR ".join(doomed)
    for table in ("rating_reply", "rating_comment_hidden"):  # their keys cascade: by hand
        op.execute(f"DELETE FROM {table} WHERE rating_id IN ({gone})")
    op.execute(f"DELETE FROM rating WHERE id IN ({gone})")
    op.drop_index("ix_rating_wave", table_name="rating")
    _drop_indexes()
    with op.batch_alter_table("rating") as batch:
        batch.drop_constraint(op.f("fk_rating_wave_id_rating_wave"), type_="foreignkey")
        batch.drop_column("wave_id")
        batch.drop_column("review")
    _create_indexes(with_sector=False)
    op.drop_index("ix_rating_wave_sector_state", table_name="rating_wave")
    op.drop_table("rating_wave")
