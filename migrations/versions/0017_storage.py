"""document storage interface and cross-process state (issue 15)

Revision ID: 0017_storage
Revises: 0016_assisted
Create Date: 2026-12-07 03:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0017_storage'
down_revision = '0016_assisted'
branch_labels = None
depends_on = None


def upgrade():
    # Uploaded files in the database store (national profile, MPP_UPLOAD_STORAGE=database): see app/storage.py.
    op.create_table('stored_file',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_file'))
    )


def downgrade():
    op.drop_table('stored_file')
