"""plans: values entered on the web and by token

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
