"""stored rounds: what loading a million responses fast needs

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
