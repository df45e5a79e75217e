"""public performance pages read summaries kept by triggers (issue 15)

What /kinerja counts, kept by the database in the transaction of every change (app/feedback/summary.py): one row per
completion event (``kinerja_completion``: MPP, service, the MPP's local month, exact duration, whole days, on time),
completions per (local month, MPP, service, whole days) (``kinerja_completion_month``) and per (local month, MPP,
whole days) (``kinerja_mpp_month``), and applications received per
(local month, MPP, service) (``kinerja_received_month``). Backfilled from the current rows, then kept by triggers on
``application_status_event`` (a completion), ``application`` (received; a changed submission time, due date, MPP or
service recomputes that application's completions), ``mpp`` (a changed zone recomputes its rows) and
``kinerja_completion`` itself (the monthly rows follow it, including deletes cascaded from an application).
PostgreSQL: statement-level triggers over transition tables, one grouped upsert per statement. SQLite: row-level
triggers. A later migration that rebuilds one of those tables in SQLite batch mode must create its SQLite triggers
again (copy them from here).

Revision ID: 0023_kinerja_summary
Revises: 0022_kinerja
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0023_kinerja_summary'
down_revision = '0022_kinerja'
branch_labels = None
depends_on = None

COMPLETED, DRAFT = "'selesai'", "'draf'"
MICROS_PER_DAY = 86_400_000_000
_SHIFT = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}  # fixed offsets: no daylight saving


def _pg_day(moment, zone):
    return f"(timezone({zone}, {moment}))::date"


def _pg_month(moment, zone):
    return f"date_trunc('month', timezone({zone}, {moment}))::date"


def _pg_micros(end, start):
    return f"((extract(epoch FROM {end}) - extract(epoch FROM {start})) * 1000000)::bigint"


def _sqlite_shift(zone):
    whens = " ".join(f"WHEN '{name}' THEN '+{hours} hours'" for name, hours in _SHIFT.items())
    return f"CASE {zone} {whens} END"


def _sqlite_day(moment, zone):
    return f"date({moment}, {_sqlite_shift(zone)})"


def _sqlite_month(moment, zone):
    return f"strftime('%Y-%m-01', {moment}, {_sqlite_shift(zone)})"


def _sqlite_micros(end, start):
    """Exact: whole seconds of the 'YYYY-MM-DD HH:MM:SS' part, plus the difference of the six fraction digits."""
    def fraction(moment):
        return f"CAST(substr({moment} || '.000000', 21, 6) AS INTEGER)"

    return (
        f"((strftime('%s', substr({end}, 1, 19)) - strftime('%s', substr({start}, 1, 19))) * 1000000"
        f" + {fraction(end)} - {fraction(start)})"
    )


def _completions(dialect, events, where):
    """SELECT the summary rows of the completion events in ``events`` (aliased e) matching ``where``."""
    day, month, micros = (
        (_pg_day, _pg_month, _pg_micros) if dialect == "postgresql" else (_sqlite_day, _sqlite_month, _sqlite_micros)
    )
    span = micros("e.created_at", "a.submitted_at")
    return (
        f"SELECT e.id, a.id, a.mpp_id, a.service_id, {month('e.created_at', 'm.timezone')}, {span}, "
        f"{span} / {MICROS_PER_DAY}, "
        f"CASE WHEN a.due_date IS NULL OR {day('e.created_at', 'm.timezone')} <= a.due_date THEN 1 ELSE 0 END "
        f"FROM {events} e JOIN application a ON a.id = e.application_id JOIN mpp m ON m.id = a.mpp_id "
        f"WHERE e.to_status = {COMPLETED} AND {where}"
    )


_INSERT_COMPLETIONS = (
    "INSERT INTO kinerja_completion "
    "(event_id, application_id, mpp_id, service_id, local_month, micros, whole_days, on_time) "
)


def _received(dialect, applications, where, sign="", group=True):
    """SELECT (local month, MPP, service, count) of the applications in ``applications`` (aliased x), drafts left out;
    one row each with ±1 when not grouped."""
    month = _pg_month if dialect == "postgresql" else _sqlite_month
    local = month("x.submitted_at", "m.timezone")
    count = f"{sign}count(*)" if group else f"{sign}1"
    return (
        f"SELECT {local}, x.mpp_id, x.service_id, {count} FROM {applications} x JOIN mpp m ON m.id = x.mpp_id "
        f"WHERE x.status <> {DRAFT} AND {where}" + (f" GROUP BY {local}, x.mpp_id, x.service_id" if group else "")
    )


def _sqlite_received(row, sign=""):
    """SELECT the one (local month, MPP, service, ±1) of the application in the trigger's OLD or NEW."""
    return (
        f"SELECT {_sqlite_month(f'{row}.submitted_at', 'm.timezone')}, {row}.mpp_id, {row}.service_id, {sign}1 "
        f"FROM mpp m WHERE m.id = {row}.mpp_id AND {row}.status <> {DRAFT}"
    )


_ADD_RECEIVED = (
    "INSERT INTO kinerja_received_month (local_month, mpp_id, service_id, received) {select} "
    "ON CONFLICT (local_month, mpp_id, service_id) "
    "DO UPDATE SET received = kinerja_received_month.received + excluded.received"
)
_ADD_MONTH = (
    "INSERT INTO kinerja_completion_month (local_month, mpp_id, service_id, whole_days, completed, on_time) {select} "
    "ON CONFLICT (local_month, mpp_id, service_id, whole_days) DO UPDATE SET "
    "completed = kinerja_completion_month.completed + excluded.completed, "
    "on_time = kinerja_completion_month.on_time + excluded.on_time"
)
# The national table's histogram: the same per MPP only (a few hundred rows a quarter instead of thousands).
_ADD_MPP_MONTH = (
    "INSERT INTO kinerja_mpp_month (local_month, mpp_id, whole_days, completed, on_time) {select} "
    "ON CONFLICT (local_month, mpp_id, whole_days) DO UPDATE SET "
    "completed = kinerja_mpp_month.completed + excluded.completed, "
    "on_time = kinerja_mpp_month.on_time + excluded.on_time"
)
_CHANGED_APPLICATION = (
    "o.submitted_at IS DISTINCT FROM n.submitted_at OR o.due_date IS DISTINCT FROM n.due_date "
    "OR o.mpp_id IS DISTINCT FROM n.mpp_id OR o.service_id IS DISTINCT FROM n.service_id"
)
_CHANGED_RECEIVED = (
    "o.status IS DISTINCT FROM n.status OR o.submitted_at IS DISTINCT FROM n.submitted_at "
    "OR o.mpp_id IS DISTINCT FROM n.mpp_id OR o.service_id IS DISTINCT FROM n.service_id"
)


def _pg_function(name, body):
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND $$"


def _postgresql():
    pg = "postgresql"
    month_rows = (
        "SELECT local_month, mpp_id, service_id, whole_days, {sign}count(*), {sign}sum(on_time) FROM {rows} "
        "GROUP BY local_month, mpp_id, service_id, whole_days"
    )
    mpp_month_rows = (
        "SELECT local_month, mpp_id, whole_days, {sign}count(*), {sign}sum(on_time) FROM {rows} "
        "GROUP BY local_month, mpp_id, whole_days"
    )
    pairs = "old_rows o JOIN new_rows n ON n.id = o.id"
    changed = f"SELECT n.id FROM {pairs} WHERE {_CHANGED_APPLICATION}"
    changed_received = f"SELECT n.id FROM {pairs} WHERE {_CHANGED_RECEIVED}"
    changed_zone = f"SELECT n.id FROM {pairs} WHERE o.timezone IS DISTINCT FROM n.timezone"
    received_delta = (
        "SELECT local_month, mpp_id, service_id, sum(received) FROM ("
        + _received(pg, "old_rows", f"x.id IN ({changed_received})", sign="-", group=False)
        + " UNION ALL "
        + _received(pg, "new_rows", f"x.id IN ({changed_received})", group=False)
        + ") AS changes (local_month, mpp_id, service_id, received) GROUP BY local_month, mpp_id, service_id "
        "HAVING sum(received) <> 0"
    )
    functions = {
        "kinerja_event_insert": _INSERT_COMPLETIONS + _completions(pg, "new_rows", "true") + ";",
        "kinerja_event_update": "DELETE FROM kinerja_completion WHERE event_id IN (SELECT id FROM old_rows);\n"
        + _INSERT_COMPLETIONS
        + _completions(pg, "new_rows", "true")
        + ";",
        "kinerja_completion_insert": _ADD_MONTH.format(select=month_rows.format(sign="", rows="new_rows"))
        + ";\n"
        + _ADD_MPP_MONTH.format(select=mpp_month_rows.format(sign="", rows="new_rows"))
        + ";",
        "kinerja_completion_delete": _ADD_MONTH.format(select=month_rows.format(sign="-", rows="old_rows"))
        + ";\n"
        + _ADD_MPP_MONTH.format(select=mpp_month_rows.format(sign="-", rows="old_rows"))
        + ";",
        "kinerja_application_insert": _ADD_RECEIVED.format(select=_received(pg, "new_rows", "true")) + ";",
        "kinerja_application_delete": _ADD_RECEIVED.format(select=_received(pg, "old_rows", "true", sign="-")) + ";",
        # Most updates change none of these columns: each step is skipped unless a row did.
        "kinerja_application_update": f"IF EXISTS ({changed_received}) THEN\n"
        + _ADD_RECEIVED.format(select=received_delta)
        + f";\nEND IF;\nIF EXISTS ({changed}) THEN\n"
        + f"DELETE FROM kinerja_completion WHERE application_id IN ({changed});\n"
        + _INSERT_COMPLETIONS
        + _completions(pg, "application_status_event", f"a.id IN ({changed})")
        + ";\nEND IF;",
        "kinerja_mpp_update": f"IF EXISTS ({changed_zone}) THEN\n"
        + f"DELETE FROM kinerja_completion WHERE mpp_id IN ({changed_zone});\n"
        + _INSERT_COMPLETIONS
        + _completions(pg, "application_status_event", f"a.mpp_id IN ({changed_zone})")
        + f";\nDELETE FROM kinerja_received_month WHERE mpp_id IN ({changed_zone});\n"
        + _ADD_RECEIVED.format(select=_received(pg, "application", f"x.mpp_id IN ({changed_zone})"))
        + ";\nEND IF;",
    }
    triggers = [
        ("kinerja_event_insert", "INSERT", "application_status_event", "NEW TABLE AS new_rows"),
        ("kinerja_event_update", "UPDATE", "application_status_event", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("kinerja_completion_insert", "INSERT", "kinerja_completion", "NEW TABLE AS new_rows"),
        ("kinerja_completion_delete", "DELETE", "kinerja_completion", "OLD TABLE AS old_rows"),
        ("kinerja_application_insert", "INSERT", "application", "NEW TABLE AS new_rows"),
        ("kinerja_application_delete", "DELETE", "application", "OLD TABLE AS old_rows"),
        ("kinerja_application_update", "UPDATE", "application", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("kinerja_mpp_update", "UPDATE", "mpp", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ]
    statements = [_pg_function(name, body) for name, body in functions.items()]
    statements += [
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        for name, event, table, tables in triggers
    ]
    return statements, [(name, table) for name, _e, table, _t in triggers]


def _sqlite():
    lite = "sqlite"
    one_month = "SELECT {row}.local_month, {row}.mpp_id, {row}.service_id, {row}.whole_days, {sign}1, {sign}{row}.on_time"
    one_mpp_month = "SELECT {row}.local_month, {row}.mpp_id, {row}.whole_days, {sign}1, {sign}{row}.on_time"

    recompute_application = (
        "DELETE FROM kinerja_completion WHERE application_id = NEW.id; "
        + _INSERT_COMPLETIONS
        + _completions(lite, "application_status_event", "a.id = NEW.id")
        + ";"
    )
    recompute_mpp = (
        "DELETE FROM kinerja_completion WHERE mpp_id = NEW.id; "
        + _INSERT_COMPLETIONS
        + _completions(lite, "application_status_event", "a.mpp_id = NEW.id")
        + "; DELETE FROM kinerja_received_month WHERE mpp_id = NEW.id; "
        + _ADD_RECEIVED.format(select=_received(lite, "application", "x.mpp_id = NEW.id"))
        + ";"
    )
    new_event = _completions(lite, "application_status_event", "e.id = NEW.id")
    triggers = [
        ("kinerja_event_insert", "application_status_event",
         f"AFTER INSERT ON application_status_event WHEN NEW.to_status = {COMPLETED} "
         f"BEGIN {_INSERT_COMPLETIONS}{new_event}; END"),
        ("kinerja_event_update", "application_status_event",
         "AFTER UPDATE OF to_status, created_at, application_id ON application_status_event "
         f"BEGIN DELETE FROM kinerja_completion WHERE event_id = OLD.id; {_INSERT_COMPLETIONS}{new_event}; END"),
        ("kinerja_completion_insert", "kinerja_completion",
         "AFTER INSERT ON kinerja_completion BEGIN "
         + _ADD_MONTH.format(select=one_month.format(row="NEW", sign="") + " WHERE true") + "; "
         + _ADD_MPP_MONTH.format(select=one_mpp_month.format(row="NEW", sign="") + " WHERE true") + "; END"),
        ("kinerja_completion_delete", "kinerja_completion",
         "AFTER DELETE ON kinerja_completion BEGIN "
         + _ADD_MONTH.format(select=one_month.format(row="OLD", sign="-") + " WHERE true") + "; "
         + _ADD_MPP_MONTH.format(select=one_mpp_month.format(row="OLD", sign="-") + " WHERE true") + "; END"),
        ("kinerja_application_insert", "application",
         f"AFTER INSERT ON application BEGIN {_ADD_RECEIVED.format(select=_sqlite_received('NEW'))}; END"),
        ("kinerja_application_delete", "application",
         f"AFTER DELETE ON application BEGIN {_ADD_RECEIVED.format(select=_sqlite_received('OLD', '-'))}; END"),
        ("kinerja_application_received", "application",
         "AFTER UPDATE OF status, submitted_at, mpp_id, service_id ON application "
         f"WHEN {_CHANGED_RECEIVED.replace('o.', 'OLD.').replace('n.', 'NEW.')} BEGIN {_ADD_RECEIVED.format(select=_sqlite_received('OLD', '-'))}; "
         f"{_ADD_RECEIVED.format(select=_sqlite_received('NEW'))}; END"),
        ("kinerja_application_update", "application",
         "AFTER UPDATE OF submitted_at, due_date, mpp_id, service_id ON application "
         f"WHEN {_CHANGED_APPLICATION.replace('o.', 'OLD.').replace('n.', 'NEW.')} "
         f"BEGIN {recompute_application} END"),
        ("kinerja_mpp_update", "mpp",
         "AFTER UPDATE OF timezone ON mpp WHEN OLD.timezone IS NOT NEW.timezone "
         f"BEGIN {recompute_mpp} END"),
    ]
    # IS NOT: SQLite's null-safe comparison (IS DISTINCT FROM only arrived in 3.39)
    statements = [
        f"CREATE TRIGGER {name} {body.replace('IS DISTINCT FROM', 'IS NOT')}" for name, _table, body in triggers
    ]
    return statements, [(name, table) for name, table, _body in triggers]


def _backfill(dialect):
    return [
        _INSERT_COMPLETIONS + _completions(dialect, "application_status_event", "true"),
        "INSERT INTO kinerja_completion_month (local_month, mpp_id, service_id, whole_days, completed, on_time) "
        "SELECT local_month, mpp_id, service_id, whole_days, count(*), sum(on_time) FROM kinerja_completion "
        "GROUP BY local_month, mpp_id, service_id, whole_days",
        "INSERT INTO kinerja_mpp_month (local_month, mpp_id, whole_days, completed, on_time) "
        "SELECT local_month, mpp_id, whole_days, count(*), sum(on_time) FROM kinerja_completion "
        "GROUP BY local_month, mpp_id, whole_days",
        "INSERT INTO kinerja_received_month (local_month, mpp_id, service_id, received) "
        + _received(dialect, "application", "true"),
    ]


def upgrade():
    op.create_table(
        'kinerja_completion',
        sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('mpp_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('local_month', sa.Date(), nullable=False),
        sa.Column('micros', sa.BigInteger(), nullable=False),
        sa.Column('whole_days', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'], ['application_status_event.id'],
            name=op.f('fk_kinerja_completion_event_id_application_status_event'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_kinerja_completion')),
    )
    op.create_index(op.f('ix_kinerja_completion_application_id'), 'kinerja_completion', ['application_id'])
    # The exact median / p90: one MPP's durations of one whole day, read from the index alone (service included,
    # so a service's or agency's lookup needs no visit to the table either).
    op.create_index(
        'ix_kinerja_completion_rank',
        'kinerja_completion',
        ['mpp_id', 'whole_days', 'local_month', 'service_id', 'micros'],
    )
    op.create_table(
        'kinerja_completion_month',
        sa.Column('local_month', sa.Date(), nullable=False),
        sa.Column('mpp_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('whole_days', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('completed', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'local_month', 'mpp_id', 'service_id', 'whole_days', name=op.f('pk_kinerja_completion_month')
        ),
    )
    op.create_table(
        'kinerja_mpp_month',
        sa.Column('local_month', sa.Date(), nullable=False),
        sa.Column('mpp_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('whole_days', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('completed', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('local_month', 'mpp_id', 'whole_days', name=op.f('pk_kinerja_mpp_month')),
    )
    op.create_table(
        'kinerja_received_month',
        sa.Column('local_month', sa.Date(), nullable=False),
        sa.Column('mpp_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('local_month', 'mpp_id', 'service_id', name=op.f('pk_kinerja_received_month')),
    )
    dialect = op.get_bind().dialect.name
    for statement in _backfill(dialect):
        op.execute(statement)
    statements, _names = _postgresql() if dialect == "postgresql" else _sqlite()
    for statement in statements:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    _statements, names = _postgresql() if dialect == "postgresql" else _sqlite()
    for name, table in names:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('kinerja_received_month')
    op.drop_table('kinerja_mpp_month')
    op.drop_table('kinerja_completion_month')
    op.drop_index('ix_kinerja_completion_rank', table_name='kinerja_completion')
    op.drop_index(op.f('ix_kinerja_completion_application_id'), table_name='kinerja_completion')
    op.drop_table('kinerja_completion')
