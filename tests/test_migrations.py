"""Migrations are the only way the schema changes, so they must build exactly the schema the models describe.

The session fixture already upgrades an empty database (SQLite, or PostgreSQL with MPP_TEST_DATABASE_URL). These
tests add: the migrated schema has no drift from the models, the revision chain is linear with file names that
match their ids, and every migration can be undone and redone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import PROJECT_ROOT
from app.extensions import db

VERSIONS = PROJECT_ROOT / "migrations" / "versions"


def _schema_drift(engine) -> list:
    """What `flask db revision --autogenerate` would write now; empty when models and migrations agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _describe(difference) -> str:
    """One readable line per difference ("add_table auth_session") instead of a full Table repr."""
    if isinstance(difference, list):
        return "; ".join(_describe(item) for item in difference)
    operation, *objects = difference
    names = [str(getattr(obj, "name", None) or obj)[:60] for obj in objects if obj is not None]
    return " ".join([operation, *names])


def _script_directory(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_the_migrated_database_matches_the_models(app):
    with app.app_context():
        drift = _schema_drift(db.engine)
    assert drift == [], (
        "models and migrations differ; generate a migration (see README, 'Database migrations'):\n"
        + "\n".join(map(_describe, drift))
    )


def test_the_revision_chain_is_linear_and_named_by_its_ids(app):
    with app.app_context():
        script = _script_directory(app)
        heads = script.get_heads()
        assert len(heads) == 1, f"the migration chain must be linear, found heads {heads}"
        revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    for revision in revisions:
        assert not isinstance(revision.down_revision, tuple), f"{revision.revision} is a merge; keep the chain linear"
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", revision.revision), f"use --rev-id 000N_name, not {revision.revision}"
        assert Path(revision.path).name == f"{revision.revision}.py", (
            f"rename {revision.path} to {revision.revision}.py"
        )
    numbers = [int(r.revision[:4]) for r in reversed(revisions)]
    assert numbers == list(range(1, len(numbers) + 1)), f"revision numbers must follow each other: {numbers}"


def test_every_migration_can_be_undone_and_redone(tmp_path):
    """On a scratch SQLite file: upgrade, downgrade to an empty database, upgrade again, and still no drift."""
    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    scratch = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "scratch",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": str(tmp_path),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with scratch.app_context():
        try:
            upgrade()
            downgrade(revision="base")
            left_over = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert left_over == set(), f"downgrade to base left tables behind: {sorted(left_over)}"
            upgrade()
            assert [_describe(d) for d in _schema_drift(db.engine)] == []
        finally:
            db.engine.dispose()


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("*.py")), ids=lambda p: p.name)
def test_migrations_use_portable_types(path):
    """Enums are stored as strings (str_enum) so PostgreSQL and SQLite behave alike and values can be added."""
    source = path.read_text(encoding="utf-8")
    for line in source.splitlines():
        if "sa.Enum(" in line:
            assert "native_enum=False" in line, f"{path.name}: use app.database.str_enum: {line.strip()}"
    assert "postgresql." not in source, f"{path.name}: dialect-specific types break the SQLite profile"
