"""feedback: MPP unsur and weights, complaint links (issue 11)

Revision ID: 0019_feedback_more
Revises: 0018_queue_more
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0019_feedback_more'
down_revision = '0018_queue_more'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
