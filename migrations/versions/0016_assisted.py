"""front-desk assisted applications and kiosk (issue 13)

Revision ID: 0016_assisted
Revises: 0015_family
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0016_assisted'
down_revision = '0015_family'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
