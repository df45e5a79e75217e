"""document storage interface and cross-process state (issue 15)

Revision ID: 0017_storage
Revises: 0016_assisted
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0017_storage'
down_revision = '0016_assisted'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
