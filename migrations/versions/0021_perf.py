"""performance: indexes and summaries (issue 15)

The application tally (app/backoffice/tally.py): a table of +n/-n rows per (service, status), appended by triggers
on ``application`` in the transaction of every change, so the national inbox sums a few hundred rows instead of
counting the whole table. Backfilled from the current rows. PostgreSQL: statement-level triggers over transition
tables (one INSERT per statement, however many rows it touched). SQLite: row-level triggers. A later migration that
rebuilds ``application`` in SQLite batch mode must create the SQLite triggers again (copy them from here).

Revision ID: 0021_perf
Revises: 0020_interop_more
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0021_perf'
down_revision = '0020_interop_more'
branch_labels = None
depends_on = None

TRIGGERS = ("application_tally_insert", "application_tally_delete", "application_tally_update")

POSTGRESQL = [
    """CREATE FUNCTION application_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_tally (service_id, status, delta)
  SELECT service_id, status, count(*) FROM new_rows GROUP BY service_id, status;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION application_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_tally (service_id, status, delta)
  SELECT service_id, status, -count(*) FROM old_rows GROUP BY service_id, status;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION application_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_tally (service_id, status, delta)
  SELECT service_id, status, sum(delta) FROM (
    SELECT o.service_id, o.status, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.status IS DISTINCT FROM n.status OR o.service_id IS DISTINCT FROM n.service_id
    UNION ALL
    SELECT n.service_id, n.status, 1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.status IS DISTINCT FROM n.status OR o.service_id IS DISTINCT FROM n.service_id
  ) AS changes GROUP BY service_id, status HAVING sum(delta) <> 0;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER application_tally_insert AFTER INSERT ON application REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_tally_insert()",
    "CREATE TRIGGER application_tally_delete AFTER DELETE ON application REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_tally_delete()",
    "CREATE TRIGGER application_tally_update AFTER UPDATE ON application "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_tally_update()",
]

_ADD = "INSERT INTO application_tally (service_id, status, delta) VALUES"
SQLITE = [
    f"CREATE TRIGGER application_tally_insert AFTER INSERT ON application "
    f"BEGIN {_ADD} (NEW.service_id, NEW.status, 1); END",
    f"CREATE TRIGGER application_tally_delete AFTER DELETE ON application "
    f"BEGIN {_ADD} (OLD.service_id, OLD.status, -1); END",
    f"CREATE TRIGGER application_tally_update AFTER UPDATE OF status, service_id ON application "
    f"WHEN OLD.status IS NOT NEW.status OR OLD.service_id IS NOT NEW.service_id "
    f"BEGIN {_ADD} (OLD.service_id, OLD.status, -1); {_ADD} (NEW.service_id, NEW.status, 1); END",
]


def upgrade():
    op.create_table(
        'application_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_tally')),
    )
    op.execute(
        "INSERT INTO application_tally (service_id, status, delta) "
        "SELECT service_id, status, count(*) FROM application GROUP BY service_id, status"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON application" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table('application_tally')
