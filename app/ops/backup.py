"""`flask backup` and `flask restore`: the database and every uploaded file in one archive, checked on the way back.

One archive (a plain tar file, readable with `tar tf`) holds

    manifest.json     format, when, the database's kind and migration head, the upload store, every file with its
                      size and SHA-256
    database.sqlite   SQLite: a consistent copy taken with SQLite's online backup API (the app may keep running)
    database.pgdump   PostgreSQL: `pg_dump --format=custom` (one consistent snapshot; the app may keep running)
    uploads/…         the upload folder's files (embedded profile). In the national profile the files are rows of
                      the stored_file table, so they are inside the database dump, in the same snapshot.

Restore puts the database back (SQLite: the online backup API again, into the configured file; PostgreSQL: the
public schema is dropped and `pg_restore` rebuilds it in one transaction) and the upload folder, then reads every
file listed in the manifest back through the upload store and compares size and SHA-256: a restore that does not
give back the same bytes fails loudly. Stop the web and worker processes before a restore (README runbook).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..extensions import db
from ..storage import FOLDER, FolderStorage, storage

FORMAT = "mpp-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PGDUMP_MEMBER = "database.pgdump"
UPLOADS = "uploads"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done or did not give back what it should; the message says why."""


@dataclass(frozen=True)
class Summary:
    path: Path
    dialect: str
    revision: str | None
    files: int
    bytes: int


def _libpq(url) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore: the password goes in the environment, never on the command line
    (where `ps` shows it)."""
    args = ["--dbname", url.database]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 — a database without migrations applied still backs up
        db.session.rollback()
        return None


def _files() -> list[dict]:
    """Every stored file with its size and SHA-256, read (and so checked) through the upload store."""
    store = storage()
    listed = []
    for name in store.names():
        data = store.read(name)
        listed.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return listed


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(target: str | Path) -> Summary:
    """Write the archive to ``target`` (written next to it first, then renamed: never half a backup)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    dialect = url.get_backend_name()
    revision = _revision()
    files = _files()
    db.session.remove()
    store = storage()
    partial = target.with_name(target.name + ".part")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(partial, "w") as archive:
        if dialect == "sqlite":
            copy = Path(scratch) / SQLITE_MEMBER
            source = sqlite3.connect(url.database)
            destination = sqlite3.connect(copy)
            try:
                with destination:
                    source.backup(destination)
            finally:
                destination.close()
                source.close()
            archive.add(copy, SQLITE_MEMBER)
        elif dialect == "postgresql":
            dump = Path(scratch) / PGDUMP_MEMBER
            args, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *args], env)
            archive.add(dump, PGDUMP_MEMBER)
        else:
            raise BackupError(f"no backup method for a {dialect} database")
        if store.kind == FOLDER:
            for entry in files:
                _add_bytes(archive, f"{UPLOADS}/{entry['name']}", store.read(entry["name"], sha256=entry["sha256"]))
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": dialect,
            "revision": revision,
            "upload_storage": store.kind,
            "files": files,
        }
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
    os.replace(partial, target)
    return Summary(target, dialect, revision, len(files), sum(entry["size"] for entry in files))


def _manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, json.JSONDecodeError) as error:
        raise BackupError(f"not an MPP backup (no readable {MANIFEST})") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}; expected {FORMAT}")
    return manifest


def restore(source: str | Path) -> Summary:
    """Replace this app's database and uploaded files with the archive's, then check every file's bytes."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    dialect = url.get_backend_name()
    store = storage()
    with tarfile.open(source, "r") as archive, tempfile.TemporaryDirectory() as scratch:
        manifest = _manifest(archive)
        if manifest["database"] != dialect:
            raise BackupError(f"the backup is of a {manifest['database']} database; this app uses {dialect}")
        if manifest["upload_storage"] != store.kind:
            raise BackupError(
                f"the backup's files are in the {manifest['upload_storage']} store; this app uses {store.kind} "
                "(set MPP_UPLOAD_STORAGE to match)"
            )
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold the old database open
        if dialect == "sqlite":
            archive.extract(SQLITE_MEMBER, scratch, filter="data")
            source_db = sqlite3.connect(Path(scratch) / SQLITE_MEMBER)
            destination = sqlite3.connect(url.database)
            try:
                with destination:
                    source_db.backup(destination)
            finally:
                destination.close()
                source_db.close()
        else:
            archive.extract(PGDUMP_MEMBER, scratch, filter="data")
            args, env = _libpq(url)
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    *args,
                    str(Path(scratch) / PGDUMP_MEMBER),
                ],
                env,
            )
        if store.kind == FOLDER:
            root = FolderStorage(current_app.config["UPLOAD_DIR"]).root
            if root.exists():
                shutil.rmtree(root)
            for entry in manifest["files"]:
                member = archive.extractfile(f"{UPLOADS}/{entry['name']}")
                if member is None:
                    raise BackupError(f"the backup lacks the file {entry['name']}")
                store.put(entry["name"], member.read())
    # Every file the backup listed, read back through the store: same size, same SHA-256, nothing more.
    for entry in manifest["files"]:
        try:
            store.read(entry["name"], size=entry["size"], sha256=entry["sha256"])
        except FileNotFoundError:
            raise BackupError(f"restored data lacks the file {entry['name']}") from None
    extra = set(store.names()) - {entry["name"] for entry in manifest["files"]}
    if extra:
        raise BackupError(f"restored store holds files the backup did not list: {sorted(extra)[:5]}")
    revision = _revision()
    db.session.remove()
    if revision != manifest["revision"]:
        raise BackupError(f"restored database is at migration {revision}, the backup at {manifest['revision']}")
    return Summary(source, dialect, revision, len(manifest["files"]), sum(entry["size"] for entry in manifest["files"]))
