"""queue: closures, notices, releases (issue 10)

Revision ID: 0018_queue_more
Revises: 0017_storage
Create Date: 2026-12-07 03:00:00

"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = "0018_queue_more"
down_revision = "0017_storage"
branch_labels = None
depends_on = None


def upgrade():
    # A visit booked from an application that needs the counter carries the application, for the officer.
    with op.batch_alter_table("queue_booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_queue_booking_application_id"), ["application_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_queue_booking_application_id_application"),
            "application",
            ["application_id"],
            ["id"],
            ondelete="SET NULL",
        )
        # Statistics of every MPP over a period (the public performance pages) read a range of days.
        batch_op.create_index("ix_queue_booking_day", ["local_day"], unique=False)


def downgrade():
    with op.batch_alter_table("queue_booking", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_booking_day")
        batch_op.drop_constraint(batch_op.f("fk_queue_booking_application_id_application"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_queue_booking_application_id"))
        batch_op.drop_column("application_id")
