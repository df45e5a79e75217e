"""bounded lists: indexes the paginated lists need (issue 15)

Revision ID: 0024_lists
Revises: 0023_kinerja_summary
Create Date: 2026-12-07 06:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0024_lists'
down_revision = '0023_kinerja_summary'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
