"""security hardening (issue 9): immutable document versions, push ownership

Revision ID: 0009_security_hardening
Revises: 0008_signup_email_purpose
Create Date: 2026-12-06 23:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0009_security_hardening'
down_revision = '0008_signup_email_purpose'
branch_labels = None
depends_on = None


def upgrade():
    # --- sec-b (issue 9, item 5): immutable document versions, and the version each submitted revision pins ---
    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.Enum('ktp', 'kk', 'akta_kelahiran', 'pas_foto', 'ijazah', 'buku_nikah', 'stnk', 'bpkb', 'sim', 'skck', 'paspor', 'str', 'surat_keterangan_sehat', 'surat_kehilangan', 'surat_pindah', 'surat_keterangan_lahir', 'lainnya', name='documenttype', native_enum=False, length=32), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_document_version_storage_name'))
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_document_id'), ['document_id'], unique=False)

    op.create_table('submitted_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('requirement_key', sa.String(length=60), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['application_revision.id'], name=op.f('fk_submitted_document_revision_id_application_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['document_version.id'], name=op.f('fk_submitted_document_version_id_document_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submitted_document')),
    sa.UniqueConstraint('revision_id', 'requirement_key', name=op.f('uq_submitted_document_revision_id'))
    )
    with op.batch_alter_table('submitted_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submitted_document_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submitted_document_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', app.database.UTCDateTime(timezone=True), nullable=True))

    # Existing data: each document's file becomes its first version, and each submitted revision pins the version
    # its documents hold now — the closest record there is of what was sent before versions existed.
    op.execute(
        "INSERT INTO document_version (document_id, document_type, storage_name, content_type, size, sha256, created_at) "
        "SELECT id, document_type, storage_name, content_type, size, sha256, created_at FROM document"
    )
    bind = op.get_bind()
    revision_table = sa.table('application_revision', sa.column('id', sa.Integer()), sa.column('application_id', sa.Integer()), sa.column('documents', sa.JSON()))
    owners = dict(bind.execute(sa.text("SELECT id, user_id FROM application")).all())
    versions = {
        document_id: (version_id, user_id)
        for version_id, document_id, user_id in bind.execute(
            sa.text("SELECT v.id, v.document_id, d.user_id FROM document_version v JOIN document d ON d.id = v.document_id")
        )
    }
    pins = []
    for revision_id, application_id, documents in bind.execute(sa.select(revision_table.c.id, revision_table.c.application_id, revision_table.c.documents)):
        for key, document_id in (documents or {}).items():
            found = versions.get(int(document_id)) if str(document_id).isdigit() else None
            if found and found[1] == owners.get(application_id):
                pins.append({'revision_id': revision_id, 'requirement_key': key[:60], 'document_id': int(document_id), 'version_id': found[0]})
    if pins:
        op.bulk_insert(sa.table('submitted_document', sa.column('revision_id', sa.Integer()), sa.column('requirement_key', sa.String()), sa.column('document_id', sa.Integer()), sa.column('version_id', sa.Integer())), pins)
    # --- end sec-b (item 5) ---

    # --- sec-a (issue 9, item 11): new recovery codes wait here sealed, their key in the cookie, not the codes ---
    op.create_table('recovery_code_reveal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('auth_session_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['auth_session_id'], ['auth_session.id'], name=op.f('fk_recovery_code_reveal_auth_session_id_auth_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code_reveal')),
    sa.UniqueConstraint('auth_session_id', name=op.f('uq_recovery_code_reveal_auth_session_id'))
    )
    with op.batch_alter_table('recovery_code_reveal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_reveal_expires_at'), ['expires_at'], unique=False)
    # --- end sec-a (item 11) ---


def downgrade():
    # --- sec-a (issue 9, item 11) ---
    with op.batch_alter_table('recovery_code_reveal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_reveal_expires_at'))

    op.drop_table('recovery_code_reveal')
    # --- end sec-a (item 11) ---

    # --- sec-b (issue 9, item 5): versions go; archived documents (deleted by their owner) go with them ---
    op.execute("DELETE FROM document WHERE archived_at IS NOT NULL")
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('submitted_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submitted_document_version_id'))
        batch_op.drop_index(batch_op.f('ix_submitted_document_revision_id'))

    op.drop_table('submitted_document')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_document_id'))

    op.drop_table('document_version')
    # --- end sec-b (item 5) ---
