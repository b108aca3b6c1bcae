"""small-area auxiliaries per round

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
