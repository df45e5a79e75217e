"""Where uploaded files live: one interface, two stores, chosen by ``MPP_UPLOAD_STORAGE``.

    folder     (embedded default) files under ``UPLOAD_DIR`` on the one server's disk.
    database   (national profile) rows of the ``stored_file`` table: bytea in PostgreSQL.

Every file is written once under a random name we chose (``abc123….pdf``; result PDFs under ``hasil/``), read
whole (documents are at most 5 MB) and checked on every read against the size and SHA-256 its row recorded when it
was accepted: a file that changed on disk or in the table is refused with ``StoredFileCorrupted`` and logged, never
sent as if it were the citizen's document.

Why PostgreSQL and not an S3-compatible object store for the national profile:
  * every web node already reaches the database: a second node serves a file the first one stored, and no other
    service has to be run, secured, monitored and paid for in each province;
  * the file and the row that points at it commit in ONE transaction: a failed request leaves neither, a committed
    one both — with an object store a crash between the two leaves an orphan or a row without its file;
  * ``pg_dump`` takes the files in the same consistent snapshot as the rows (``flask backup``), and a replica has
    them too; an object store needs its own backup, taken at the same moment, and its own restore drill;
  * the files are small (≤ 5 MB, a handful per application): PostgreSQL keeps bytea out of line (TOAST), so the
    tables that are scanned stay small.
If the total ever outgrows the database (many TB), a third store with the same four methods moves them to an object
store without touching a caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path, PurePosixPath
from typing import Protocol

from flask import current_app
from sqlalchemy import Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db

log = logging.getLogger(__name__)

FOLDER = "folder"
DATABASE = "database"
KINDS = (FOLDER, DATABASE)


class StoredFileCorrupted(RuntimeError):
    """The stored bytes are not the ones accepted (size or SHA-256 differ): they are never served."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"stored file {name} is corrupted: {reason}")
        self.name = name
        self.reason = reason


class StoredFile(db.Model):
    """One uploaded file in the database store (national profile). The name is the random one the caller chose."""

    __tablename__ = "stored_file"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _safe_name(name: str) -> str:
    """Names are ours (random hex, optionally under one folder such as ``hasil/``); refuse anything else."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise ValueError(f"not a storage name: {name!r}")
    return str(path)


def check(name: str, data: bytes, *, size: int | None, sha256: str | None) -> bytes:
    """The bytes if they are the ones recorded; else log and raise ``StoredFileCorrupted``."""
    reason = None
    if size is not None and len(data) != size:
        reason = f"{len(data)} bytes, {size} recorded"
    elif sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        reason = "SHA-256 differs from the one recorded"
    if reason is not None:
        log.error("stored file corrupted name=%s %s; not served", name, reason)
        raise StoredFileCorrupted(name, reason)
    return data


class Storage(Protocol):
    kind: str

    def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name`` (never overwriting). The database store joins the caller's transaction."""

    def read(self, name: str, *, size: int | None = None, sha256: str | None = None) -> bytes:
        """The bytes, checked; ``FileNotFoundError`` when absent, ``StoredFileCorrupted`` when changed."""

    def delete(self, name: str) -> None:
        """Remove (absent is fine). Call after the commit that dropped the row pointing at it."""

    def names(self) -> list[str]:
        """Every stored name (backups, checks)."""


class FolderStorage:
    kind = FOLDER

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        path = self.root / _safe_name(name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def put(self, name: str, data: bytes) -> None:
        target = self._path(name)
        temporary = target.with_name(target.name + ".part")
        with open(temporary, "xb") as out:  # "x": never overwrite, even on a (practically impossible) name clash
            out.write(data)
        os.replace(temporary, target)

    def read(self, name: str, *, size: int | None = None, sha256: str | None = None) -> bytes:
        return check(name, self._path(name).read_bytes(), size=size, sha256=sha256)

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file() and not path.name.endswith(".part")
        )


class DatabaseStorage:
    kind = DATABASE

    def put(self, name: str, data: bytes) -> None:
        db.session.add(
            StoredFile(name=_safe_name(name), data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        )

    def read(self, name: str, *, size: int | None = None, sha256: str | None = None) -> bytes:
        row = db.session.execute(
            select(StoredFile.data, StoredFile.size, StoredFile.sha256).where(StoredFile.name == name)
        ).first()
        if row is None:
            raise FileNotFoundError(name)
        data = bytes(row.data)
        check(name, data, size=row.size, sha256=row.sha256)  # as written…
        return check(name, data, size=size, sha256=sha256)  # …and as the document's own row recorded it

    def delete(self, name: str) -> None:
        # Its own short transaction: callers delete after their commit (or rollback), never inside it.
        with db.engine.begin() as connection:
            connection.execute(delete(StoredFile).where(StoredFile.name == name))

    def names(self) -> list[str]:
        return list(db.session.scalars(select(StoredFile.name).order_by(StoredFile.name)))


def storage(app=None) -> Storage:
    """The store this app is configured with (``UPLOAD_STORAGE``: folder or database)."""
    config = (app or current_app).config
    if config.get("UPLOAD_STORAGE", FOLDER) == DATABASE:
        return DatabaseStorage()
    return FolderStorage(config["UPLOAD_DIR"])
