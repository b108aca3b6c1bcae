"""circle: communities and coverage stored in the app

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
