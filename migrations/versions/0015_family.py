"""family members and who applied for whom (issue 13)

Revision ID: 0015_family
Revises: 0014_scale
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0015_family'
down_revision = '0014_scale'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
