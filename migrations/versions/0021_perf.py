"""performance: indexes and summaries (issue 15)

Revision ID: 0021_perf
Revises: 0020_interop_more
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0021_perf'
down_revision = '0020_interop_more'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
