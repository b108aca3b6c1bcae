"""credit record: events, class overrides and history, inspection plans and results

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
