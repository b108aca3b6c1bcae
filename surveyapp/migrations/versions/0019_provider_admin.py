"""provider admin: merged duplicates and what the admin pages need

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
