"""interop: more webhook events, endpoint admin (issue 12)

Revision ID: 0020_interop_more
Revises: 0019_feedback_more
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0020_interop_more'
down_revision = '0019_feedback_more'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
