"""national inbox: the due tally, and the open applications in deadline order (issue 15)

The due tally (app/backoffice/tally.py): +n/-n rows per (MPP, due date) of the applications waiting on the agency
(diajukan, diverifikasi, diproses), appended by triggers on ``application`` in the transaction of every change, so
the national inbox's "overdue" and "due today" sum a few thousand rows instead of counting every open application.
Backfilled from the current rows. Same shape as 0021's tally: statement-level triggers over transition tables on
PostgreSQL, row-level triggers on SQLite. A later migration that rebuilds ``application`` in SQLite batch mode must
create the SQLite triggers again (copy them from here).

``ix_application_open_due``: the open applications in the order the inbox lists them (due date, id), so a national
list of what is overdue reads its page from the start of the index instead of sorting every open application
(1M applications: 135,000 rows sorted for 26, 150 ms).

Revision ID: 0025_due_tally
Revises: 0024_lists
Create Date: 2026-12-07 13:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.database  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0025_due_tally"
down_revision = "0024_lists"
branch_labels = None
depends_on = None

TRIGGERS = (
    "application_due_tally_insert",
    "application_due_tally_delete",
    "application_due_tally_update",
    "application_due_tally_update_new",
)
OPEN = "('diajukan', 'diverifikasi', 'diproses')"  # tally.DUE_STATUSES, frozen as of this revision


def _counted(row: str) -> str:
    return f"{row}.status IN {OPEN} AND {row}.due_date IS NOT NULL"


_CHANGED = (
    "(o.status IS DISTINCT FROM n.status OR o.due_date IS DISTINCT FROM n.due_date "
    "OR o.mpp_id IS DISTINCT FROM n.mpp_id)"
)
POSTGRESQL = [
    f"""CREATE FUNCTION application_due_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_due_tally (mpp_id, due_date, delta)
  SELECT mpp_id, due_date, count(*) FROM new_rows WHERE {_counted("new_rows")} GROUP BY mpp_id, due_date;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION application_due_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_due_tally (mpp_id, due_date, delta)
  SELECT mpp_id, due_date, -count(*) FROM old_rows WHERE {_counted("old_rows")} GROUP BY mpp_id, due_date;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION application_due_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_due_tally (mpp_id, due_date, delta)
  SELECT mpp_id, due_date, sum(delta) FROM (
    SELECT o.mpp_id, o.due_date, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE {_CHANGED} AND {_counted("o")}
    UNION ALL
    SELECT n.mpp_id, n.due_date, 1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE {_CHANGED} AND {_counted("n")}
  ) AS changes GROUP BY mpp_id, due_date HAVING sum(delta) <> 0;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER application_due_tally_insert AFTER INSERT ON application REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_due_tally_insert()",
    "CREATE TRIGGER application_due_tally_delete AFTER DELETE ON application REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_due_tally_delete()",
    "CREATE TRIGGER application_due_tally_update AFTER UPDATE ON application "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION application_due_tally_update()",
]

_ADD = "INSERT INTO application_due_tally (mpp_id, due_date, delta) VALUES"
_CHANGED_ROW = "(OLD.status IS NOT NEW.status OR OLD.due_date IS NOT NEW.due_date OR OLD.mpp_id IS NOT NEW.mpp_id)"
SQLITE = [
    f"CREATE TRIGGER application_due_tally_insert AFTER INSERT ON application WHEN {_counted('NEW')} "
    f"BEGIN {_ADD} (NEW.mpp_id, NEW.due_date, 1); END",
    f"CREATE TRIGGER application_due_tally_delete AFTER DELETE ON application WHEN {_counted('OLD')} "
    f"BEGIN {_ADD} (OLD.mpp_id, OLD.due_date, -1); END",
    f"CREATE TRIGGER application_due_tally_update AFTER UPDATE OF status, due_date, mpp_id ON application "
    f"WHEN {_CHANGED_ROW} AND {_counted('OLD')} BEGIN {_ADD} (OLD.mpp_id, OLD.due_date, -1); END",
    f"CREATE TRIGGER application_due_tally_update_new AFTER UPDATE OF status, due_date, mpp_id ON application "
    f"WHEN {_CHANGED_ROW} AND {_counted('NEW')} BEGIN {_ADD} (NEW.mpp_id, NEW.due_date, 1); END",
]


def upgrade():
    op.create_table(
        "application_due_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mpp_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_due_tally")),
    )
    op.execute(
        "INSERT INTO application_due_tally (mpp_id, due_date, delta) "
        f"SELECT mpp_id, due_date, count(*) FROM application WHERE {_counted('application')} "
        "GROUP BY mpp_id, due_date"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
    op.create_index(
        "ix_application_open_due",
        "application",
        ["due_date", "id"],
        postgresql_where=sa.text(f"status IN {OPEN}"),
        sqlite_where=sa.text(f"status IN {OPEN}"),
    )


def downgrade():
    op.drop_index("ix_application_open_due", table_name="application")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON application" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("application_due_tally")
