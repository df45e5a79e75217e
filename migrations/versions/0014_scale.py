"""national profile (issue 15): e-mail outbox, delivery log, indexes

Revision ID: 0014_scale
Revises: 0013_interop
Create Date: 2026-12-07 00:30:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0014_scale'
down_revision = '0013_interop'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
