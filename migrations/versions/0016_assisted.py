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

STATUSES = ('identifikasi', 'mengisi', 'menunggu_konfirmasi', 'dikonfirmasi', 'dibatalkan')


def upgrade():
    # An application made with a front-desk officer: who helped where, how the citizen was identified and how the
    # citizen confirmed the declaration (their passkey, or a scanned signed paper consent).
    op.create_table('assisted_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('mpp_id', sa.Integer(), nullable=False),
    sa.Column('assistant_id', sa.Integer(), nullable=True),
    sa.Column('assistant_name', sa.String(length=120), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum(*STATUSES, name='assiststatus', native_enum=False, length=20), nullable=False),
    sa.Column('identified_by', sa.Enum('email', 'kode_ponsel', name='identifiedby', native_enum=False, length=20), nullable=True),
    sa.Column('pending_email', sa.String(length=254), nullable=True),
    sa.Column('pending_name', sa.String(length=120), nullable=True),
    sa.Column('code_hash', sa.String(length=200), nullable=True),
    sa.Column('code_expires_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('confirmation', sa.Enum('passkey', 'kertas', name='confirmationmethod', native_enum=False, length=10), nullable=True),
    sa.Column('consent_document_id', sa.Integer(), nullable=True),
    sa.Column('consent_sha256', sa.String(length=64), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_assisted_application_application_id_application'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assistant_id'], ['user_account.id'], name=op.f('fk_assisted_application_assistant_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['citizen_id'], ['user_account.id'], name=op.f('fk_assisted_application_citizen_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consent_document_id'], ['document.id'], name=op.f('fk_assisted_application_consent_document_id_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['application_draft.id'], name=op.f('fk_assisted_application_draft_id_application_draft'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mpp_id'], ['mpp.id'], name=op.f('fk_assisted_application_mpp_id_mpp'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_assisted_application_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_application')),
    sa.UniqueConstraint('public_id', name=op.f('uq_assisted_application_public_id'))
    )
    with op.batch_alter_table('assisted_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_application_assistant_id'), ['assistant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_application_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_application_mpp_id'), ['mpp_id'], unique=False)

    # The short-lived code a citizen's phone shows so the front desk can find their account.
    op.create_table('desk_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_desk_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_code'))
    )
    with op.batch_alter_table('desk_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_code_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('desk_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_code_user_id'))
        batch_op.drop_index(batch_op.f('ix_desk_code_code_hash'))
    op.drop_table('desk_code')
    with op.batch_alter_table('assisted_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_application_mpp_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_application_citizen_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_application_assistant_id'))
    op.drop_table('assisted_application')
