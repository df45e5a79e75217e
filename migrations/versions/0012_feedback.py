"""umpan balik (issue 11): SKM, complaints

Revision ID: 0012_feedback
Revises: 0011_queue
Create Date: 2026-12-06 23:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0012_feedback'
down_revision = '0011_queue'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
