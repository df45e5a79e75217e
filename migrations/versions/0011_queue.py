"""antrean (issue 10): slots, holds, bookings, tickets, counters

Revision ID: 0011_queue
Revises: 0010_journey_fixes
Create Date: 2026-12-06 23:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0011_queue'
down_revision = '0010_journey_fixes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('mpp_id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('ditahan', 'terjadwal', 'hadir', 'dipanggil', 'selesai', 'tidak_hadir', 'dibatalkan', 'kedaluwarsa', name='bookingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('slot_start', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('slot_end', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('priority_category', sa.Enum('lansia', 'disabilitas', 'ibu_hamil', 'anak', name='prioritycategory', native_enum=False, length=16), nullable=True),
    sa.Column('nik_hash', sa.String(length=64), nullable=True),
    sa.Column('nik_tail', sa.String(length=4), nullable=True),
    sa.Column('hold_expires_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('day_reminder_version', sa.Integer(), nullable=True),
    sa.Column('hour_reminder_version', sa.Integer(), nullable=True),
    sa.Column('queue_number', sa.String(length=8), nullable=True),
    sa.Column('counter_label', sa.String(length=60), nullable=True),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('called_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_called_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mpp_id'], ['mpp.id'], name=op.f('fk_queue_booking_mpp_id_mpp'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_queue_booking_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_queue_booking_tenancy_id_tenancy'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_queue_booking_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_booking')),
    sa.UniqueConstraint('code', name=op.f('uq_queue_booking_code')),
    sa.UniqueConstraint('tenancy_id', 'local_day', 'queue_number', name='uq_queue_booking_number')
    )
    with op.batch_alter_table('queue_booking', schema=None) as batch_op:
        batch_op.create_index('ix_queue_booking_counter', ['tenancy_id', 'local_day', 'status'], unique=False)
        batch_op.create_index('ix_queue_booking_slot', ['tenancy_id', 'service_id', 'slot_start'], unique=False)
        batch_op.create_index('ix_queue_booking_stats', ['mpp_id', 'local_day'], unique=False)
        batch_op.create_index('ix_queue_booking_user_day', ['user_id', 'local_day'], unique=False)

    op.create_table('queue_closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mpp_id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_queue_closure_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mpp_id'], ['mpp.id'], name=op.f('fk_queue_closure_mpp_id_mpp'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_queue_closure_tenancy_id_tenancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_closure'))
    )
    with op.batch_alter_table('queue_closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_closure_mpp_id'), ['mpp_id'], unique=False)

    op.create_table('queue_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenancy_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('priority_capacity', sa.Integer(), nullable=False),
    sa.Column('daily_quota', sa.Integer(), nullable=False),
    sa.Column('priority_daily_quota', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('release_hour', sa.Integer(), nullable=False),
    sa.Column('reschedule_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('no_show_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0 AND priority_capacity >= 0', name=op.f('ck_queue_settings_capacity_not_negative')),
    sa.CheckConstraint('daily_quota >= 0 AND priority_daily_quota >= 0', name=op.f('ck_queue_settings_quota_not_negative')),
    sa.CheckConstraint('no_show_minutes BETWEEN 0 AND 240', name=op.f('ck_queue_settings_no_show_range')),
    sa.CheckConstraint('release_hour BETWEEN 0 AND 23', name=op.f('ck_queue_settings_release_hour_range')),
    sa.CheckConstraint('reschedule_cutoff_hours BETWEEN 0 AND 168', name=op.f('ck_queue_settings_cutoff_range')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 240', name=op.f('ck_queue_settings_slot_minutes_range')),
    sa.CheckConstraint('window_days BETWEEN 0 AND 90', name=op.f('ck_queue_settings_window_range')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_queue_settings_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenancy_id'], ['tenancy.id'], name=op.f('fk_queue_settings_tenancy_id_tenancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_settings')),
    sa.UniqueConstraint('tenancy_id', 'service_id', name='uq_queue_settings_tenancy_service')
    )
    with op.batch_alter_table('queue_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_settings_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_settings_tenancy_id'), ['tenancy_id'], unique=False)

    # The claims: a place is taken by inserting its key; the primary key lets exactly one booking have it.
    op.create_table('queue_claim',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['queue_booking.id'], name=op.f('fk_queue_claim_booking_id_queue_booking'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_queue_claim'))
    )
    with op.batch_alter_table('queue_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_claim_booking_id'), ['booking_id'], unique=False)


def downgrade():
    with op.batch_alter_table('queue_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_claim_booking_id'))
    op.drop_table('queue_claim')
    with op.batch_alter_table('queue_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_settings_tenancy_id'))
        batch_op.drop_index(batch_op.f('ix_queue_settings_service_id'))
    op.drop_table('queue_settings')
    with op.batch_alter_table('queue_closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_closure_mpp_id'))
    op.drop_table('queue_closure')
    with op.batch_alter_table('queue_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_booking_user_day')
        batch_op.drop_index('ix_queue_booking_stats')
        batch_op.drop_index('ix_queue_booking_slot')
        batch_op.drop_index('ix_queue_booking_counter')
    op.drop_table('queue_booking')
