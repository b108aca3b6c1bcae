"""provider admin: merged duplicates and what the admin pages need

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

``provider.merged_into_id``: a duplicate merged into another provider points at the
provider it was merged into (its ratings and other references moved there; it is closed).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_provider_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_provider_merged_into_id_provider"),
            "provider",
            ["merged_into_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_provider_merged_into_id_provider"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_provider_merged_into_id"))
        batch_op.drop_column("merged_into_id")
