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
    # E-mail goes through an outbox delivered by the job worker, never from the web request.
    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('what', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outboxstatus', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox'))
    )
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_email_outbox_due', ['status', 'next_attempt_at'], unique=False)
    # Redundant: ix_application_inbox_mpp (mpp_id, status, due_date) and ix_application_inbox_status (status,
    # due_date) lead with the same columns; two fewer indexes to update on every status change.
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_status')
        batch_op.drop_index('ix_application_mpp_id')


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_mpp_id', ['mpp_id'], unique=False)
        batch_op.create_index('ix_application_status', ['status'], unique=False)
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_email_outbox_due')
    op.drop_table('email_outbox')
