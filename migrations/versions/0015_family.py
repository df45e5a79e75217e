"""family members and who applied for whom (issue 13)

Revision ID: 0015_family
Revises: 0014_scale
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0015_family'
down_revision = '0014_scale'
branch_labels = None
depends_on = None


RELATIONSHIPS = ('anak', 'pasangan', 'orang_tua', 'saudara', 'cucu', 'kakek_nenek', 'mertua', 'menantu', 'lainnya')


def upgrade():
    # Anggota keluarga: the people a citizen may apply for, and the links of members' own accounts (their consent).
    op.create_table('family_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('relationship', sa.Enum(*RELATIONSHIPS, name='relationship', native_enum=False, length=20), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('birth_place', sa.String(length=80), nullable=True),
    sa.Column('same_kk', sa.Boolean(), nullable=False),
    sa.Column('link_code_hash', sa.String(length=64), nullable=True),
    sa.Column('link_code_expires_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_family_member_owner_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_member')),
    sa.UniqueConstraint('link_code_hash', name=op.f('uq_family_member_link_code_hash')),
    sa.UniqueConstraint('owner_id', 'nik', name=op.f('uq_family_member_owner_id'))
    )
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_member_owner_id'), ['owner_id'], unique=False)

    op.create_table('family_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['user_account.id'], name=op.f('fk_family_link_account_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['family_member.id'], name=op.f('fk_family_link_member_id_family_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_link'))
    )
    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_link_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_link_member_id'), ['member_id'], unique=False)

    # Who an application (or draft) is about when the citizen applies for a member; whose a document is.
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_application_draft_subject_member_id_family_member'), 'family_member', ['subject_member_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('subject_relationship', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_subject_user_id'), ['subject_user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_application_subject_member_id_family_member'), 'family_member', ['subject_member_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_application_subject_user_id_user_account'), 'user_account', ['subject_user_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_document_family_member_id_family_member'), 'family_member', ['family_member_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_family_member_id_family_member'), type_='foreignkey')
        batch_op.drop_column('family_member_id')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_subject_user_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_application_subject_member_id_family_member'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_application_subject_user_id'))
        batch_op.drop_column('subject_relationship')
        batch_op.drop_column('subject_name')
        batch_op.drop_column('subject_user_id')
        batch_op.drop_column('subject_member_id')
    with op.batch_alter_table('application_draft', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_draft_subject_member_id_family_member'), type_='foreignkey')
        batch_op.drop_column('subject_member_id')
    with op.batch_alter_table('family_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_link_member_id'))
        batch_op.drop_index(batch_op.f('ix_family_link_account_id'))
    op.drop_table('family_link')
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_member_owner_id'))
    op.drop_table('family_member')
