"""ratings: held bursts and the per-sector device window

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
