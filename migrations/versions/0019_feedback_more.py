"""feedback: MPP unsur and weights, complaint links (issue 11)

Revision ID: 0019_feedback_more
Revises: 0018_queue_more
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0019_feedback_more'
down_revision = '0018_queue_more'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_unsur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mpp_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('weight', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('question', sa.String(length=200), nullable=True),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mpp_id'], ['mpp.id'], name=op.f('fk_survey_unsur_mpp_id_mpp'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_survey_unsur_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_unsur')),
    sa.UniqueConstraint('mpp_id', 'code', name='uq_survey_unsur_mpp_code')
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('x1', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('x2', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('x3', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaint_booking_id_queue_booking'), 'queue_booking', ['booking_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_booking_id_queue_booking'), type_='foreignkey')
        batch_op.drop_column('booking_id')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_column('x3')
        batch_op.drop_column('x2')
        batch_op.drop_column('x1')
    op.drop_table('survey_unsur')
