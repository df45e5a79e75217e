"""Restore drill (README runbook): backup → wipe everything → restore → every row and every document's bytes are the
same. Runs on the suite's database: SQLite by default, PostgreSQL (pg_dump/pg_restore) with MPP_TEST_DATABASE_URL;
uploads in the folder store and in the database store."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.ops import backup as backups
from app.personal.models import Document
from app.storage import DATABASE, FOLDER, storage
from tests.personal.conftest import pdf_bytes, png_bytes
from tests.personal.test_documents_pages import upload


@pytest.fixture(params=[FOLDER, DATABASE])
def store_kind(request, app):
    before = app.config["UPLOAD_STORAGE"]
    app.config["UPLOAD_STORAGE"] = request.param
    yield request.param
    app.config["UPLOAD_STORAGE"] = before


def _snapshot(app) -> dict[str, str]:
    """A digest of every table's rows (alembic_version included), in primary-key order."""
    with app.app_context():
        db.session.remove()
        digests = {}
        with db.engine.connect() as connection:
            for table in [*db.metadata.sorted_tables, sa.table("alembic_version", sa.column("version_num"))]:
                order = list(table.primary_key.columns) if hasattr(table, "primary_key") and table.primary_key else []
                rows = connection.execute(sa.select(table).order_by(*order or list(table.c))).all()
                digests[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        return digests


def _documents(app) -> dict[str, bytes]:
    with app.app_context():
        found = {
            document.storage_name: storage().read(document.storage_name, sha256=document.sha256)
            for document in db.session.scalars(sa.select(Document))
        }
        db.session.remove()
        return found


def _wipe_everything(app) -> None:
    """Lose the database (every table, the migration record too) and the upload folder."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
            else:
                db.metadata.drop_all(connection)
                connection.execute(sa.text("DROP TABLE alembic_version"))
        db.engine.dispose()
    shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)


def test_restore_drill_gives_back_every_row_and_every_documents_bytes(
    app, client, runner, citizen, signed_in, demo_data, store_kind, tmp_path
):
    signed_in(client, citizen)
    upload(client, pdf_bytes(pages=2), "kk.pdf", kind="kk")
    upload(client, png_bytes(), "foto.png", kind="pas_foto")
    rows, files = _snapshot(app), _documents(app)
    assert len(files) == 2 and all(files.values())

    archive = tmp_path / "mpp.backup"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "2 uploaded files" in result.output
    with tarfile.open(archive) as tar:
        members = set(tar.getnames())
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    database_member = backups.PGDUMP_MEMBER if postgres else backups.SQLITE_MEMBER
    assert {"manifest.json", database_member} <= members
    # Folder store: the files are in the archive; database store: they are inside the database dump.
    assert (
        {f"uploads/{name}" for name in files} <= members
        if store_kind == FOLDER
        else not any(name.startswith("uploads/") for name in members)
    )

    _wipe_everything(app)
    with app.app_context():
        assert "document" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()

    assert runner.invoke(args=["restore", str(archive)]).exit_code != 0  # --yes is required
    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert _snapshot(app) == rows
    assert _documents(app) == files
    # The citizen downloads exactly the bytes they uploaded.
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.content_type == "application/pdf"))
        document_id, name = document.id, document.storage_name
        db.session.remove()
    signed_in(client, citizen)
    assert client.get(f"/akun/dokumen/{document_id}/unduh").data == files[name]


def test_a_restore_that_does_not_give_back_the_same_bytes_fails_loudly(
    app, client, runner, citizen, signed_in, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_STORAGE", FOLDER)
    signed_in(client, citizen)
    upload(client, pdf_bytes(), "kk.pdf", kind="kk")
    archive = tmp_path / "mpp.backup"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    # Tamper with the archived file: same name and size, other bytes.
    tampered = tmp_path / "tampered.backup"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("uploads/"):
                data = data[:-3] + b"XYZ"
            target.addfile(member, io.BytesIO(data))
    result = runner.invoke(args=["restore", str(tampered), "--yes"])
    assert result.exit_code != 0
    assert "restore failed" in result.output and "corrupted" in result.output


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        tar.add(Path(__file__), "hello.py")
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not an MPP backup" in result.output
