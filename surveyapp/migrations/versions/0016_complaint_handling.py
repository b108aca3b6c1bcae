"""complaint handling: handlers, provider explanations, publicity editions, consumer warnings

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

Reserved for work in progress (filled in by the change that needs it): an empty step
keeps the chain linear while several changes are written at the same time.
"""

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
