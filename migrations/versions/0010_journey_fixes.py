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
    # jr-b (14.4): the step or document an officer's correction request points at.
    with op.batch_alter_table('application_status_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_target', sa.String(length=60), nullable=True))
    # jr-b (14.10): the MPP zone of a Riwayat akses entry and of a notification, so every time of an application
    # is shown in its MPP's zone.
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=40), nullable=True))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=40), nullable=True))


def downgrade():
    # jr-b (14.4, 14.10)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('application_status_event', schema=None) as batch_op:
        batch_op.drop_column('correction_target')
