"""public performance pages at national scale: indexes for the period queries (issue 15)

Revision ID: 0022_kinerja
Revises: 0021_perf
Create Date: 2026-12-07 03:30:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0022_kinerja'
down_revision = '0021_perf'
branch_labels = None
depends_on = None


def upgrade():
    # Completions of a period: a range of the index, with the application id, instead of a scan of every event.
    op.create_index(
        "ix_application_status_event_to_status",
        "application_status_event",
        ["to_status", "created_at", "application_id"],
    )
    # Applications received in a period, counted per MPP / service without a scan of the whole table.
    op.create_index("ix_application_submitted_at", "application", ["submitted_at", "mpp_id", "service_id", "status"])


def downgrade():
    op.drop_index("ix_application_submitted_at", table_name="application")
    op.drop_index("ix_application_status_event_to_status", table_name="application_status_event")
