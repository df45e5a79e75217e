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
    pass


def downgrade():
    pass
