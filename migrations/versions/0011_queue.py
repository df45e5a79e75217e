"""antrean (issue 10): slots, holds, bookings, tickets, counters

Revision ID: 0011_queue
Revises: 0010_journey_fixes
Create Date: 2026-12-06 23:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0011_queue'
down_revision = '0010_journey_fixes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
