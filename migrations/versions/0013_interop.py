"""interoperabilitas (issue 12): agency tokens, webhooks, channels

Revision ID: 0013_interop
Revises: 0012_feedback
Create Date: 2026-12-06 23:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0013_interop'
down_revision = '0012_feedback'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
