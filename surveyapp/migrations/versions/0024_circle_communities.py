"""circle: communities and coverage stored in the app

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

``circle_community``: the residential communities of the 15-minute service circle
(name, district, population, WGS-84 coordinates), replaced as a whole by each import;
the facilities are the providers of the registry.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "circle_community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "population >= 0", name=op.f("ck_circle_community_population")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_community")),
        sa.UniqueConstraint(
            "district", "name", name=op.f("uq_circle_community_district_name")
        ),
    )
    op.create_index(
        op.f("ix_circle_community_district"), "circle_community", ["district"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_circle_community_district"), table_name="circle_community")
    op.drop_table("circle_community")
