"""queue: closures, notices, releases (issue 10)

Revision ID: 0018_queue_more
Revises: 0017_storage
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0018_queue_more'
down_revision = '0017_storage'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
