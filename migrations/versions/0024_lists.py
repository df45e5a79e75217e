"""bounded lists: indexes the paginated lists need (issue 15)

Revision ID: 0024_lists
Revises: 0023_kinerja_summary
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import app.database  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0024_lists"
down_revision = "0023_kinerja_summary"
branch_labels = None
depends_on = None


def upgrade():
    # Lists read a page at a time, newest first. Without these, PostgreSQL sorted the whole table for each page
    # of a national admin's audit log (600k entries: parallel seq scan + top-N sort, 121 ms), catalog history
    # (300k: 152 ms) and an endpoint's delivery log (80k of 400k messages: 123 ms for 10 rows).
    op.create_index("ix_audit_entry_created", "audit_entry", ["created_at", "id"])
    op.create_index("ix_catalog_change_created", "catalog_change", ["created_at", "id"])
    # The same shape for a national admin's complaint list (not measured: complaints are far fewer).
    op.create_index("ix_complaint_created", "complaint", ["created_at", "id"])
    # (endpoint_id, created_at) serves everything endpoint_id alone did: that one goes.
    op.create_index("ix_webhook_message_endpoint_created", "webhook_message", ["endpoint_id", "created_at"])
    op.drop_index("ix_webhook_message_endpoint_id", table_name="webhook_message")


def downgrade():
    op.create_index("ix_webhook_message_endpoint_id", "webhook_message", ["endpoint_id"])
    op.drop_index("ix_webhook_message_endpoint_created", table_name="webhook_message")
    op.drop_index("ix_complaint_created", table_name="complaint")
    op.drop_index("ix_catalog_change_created", table_name="catalog_change")
    op.drop_index("ix_audit_entry_created", table_name="audit_entry")
