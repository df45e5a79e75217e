"""core journey fixes (issue 14): correction targets, e-mail change

Revision ID: 0010_journey_fixes
Revises: 0009_security_hardening
Create Date: 2026-12-06 23:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010_journey_fixes'
down_revision = '0009_security_hardening'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
