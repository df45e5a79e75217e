"""Dokumen Saya: upload once, reuse in every application.

Files live in the upload store (``app/storage.py``: a folder outside the static folder, or the database) under
random names we choose, never served by a path anyone named. A row is written only after the file passed every
check in ``uploads.py``; a file is written only for a row that is committed, and removed again when the commit
fails — so a refused or failed upload leaves nothing. Every read checks the bytes against the row's size and
SHA-256.
"""

from __future__ import annotations

import io
import secrets
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..catalog.models import DocumentType
from ..database import utcnow
from ..extensions import db
from ..storage import storage
from .models import Document, DocumentVersion, SubmittedDocument
from .uploads import CleanFile, UploadRejected, inspect_upload, read_limited

MAX_DOCUMENTS_PER_USER = 40  # storage is shared by everyone on a small pilot server
MSG_TOO_MANY = _l("You already keep 40 documents. Delete ones you no longer need first.")
MSG_TITLE = _l("At most 120 characters.")

DOCUMENT_TYPE_LABELS = {
    DocumentType.KTP: _l("KTP-el scan"),
    DocumentType.KK: _l("Family Card (KK)"),
    DocumentType.AKTA_KELAHIRAN: _l("Birth certificate"),
    DocumentType.PAS_FOTO: _l("Passport photo"),
    DocumentType.IJAZAH: _l("School certificate (ijazah)"),
    DocumentType.BUKU_NIKAH: _l("Marriage book"),
    DocumentType.STNK: "STNK",
    DocumentType.BPKB: "BPKB",
    DocumentType.SIM: _l("Driving licence (SIM)"),
    DocumentType.SKCK: "SKCK",
    DocumentType.PASPOR: _l("Passport"),
    DocumentType.STR: _l("Registration certificate (STR)"),
    DocumentType.SURAT_KETERANGAN_SEHAT: _l("Health certificate"),
    DocumentType.SURAT_KEHILANGAN: _l("Police loss report"),
    DocumentType.SURAT_PINDAH: _l("Moving letter"),
    DocumentType.SURAT_KETERANGAN_LAHIR: _l("Birth letter from the hospital or midwife"),
    DocumentType.LAINNYA: _l("Other document"),
}


def list_documents(user: User, type: DocumentType | None = None) -> list[Document]:  # noqa: A002 — agreed signature
    query = select(Document).where(Document.user_id == user.id, Document.archived_at.is_(None))
    if type is not None:
        query = query.where(Document.document_type == DocumentType(type))
    return list(db.session.scalars(query.order_by(Document.document_type, Document.created_at.desc())))


def get_document_for_owner(user: User, document_id: int) -> Document | None:
    """The document only if it belongs to ``user``; callers answer 404 otherwise (never 403: no existence leak)."""
    return db.session.scalar(
        select(Document).where(Document.id == document_id, Document.user_id == user.id, Document.archived_at.is_(None))
    )


def open_document(document: Document | DocumentVersion) -> BinaryIO:
    """The stored bytes, checked against the row's size and SHA-256 (``storage.StoredFileCorrupted`` otherwise).
    For officers: record the read with ``privacy.record_access`` before showing them."""
    return io.BytesIO(storage().read(document.storage_name, size=document.size, sha256=document.sha256))


def store_file(clean: CleanFile) -> str:
    """Keep a checked file under a new random name; returns the name (the database store joins the transaction)."""
    name = f"{secrets.token_hex(16)}.{clean.extension}"
    storage().put(name, clean.data)
    return name


def remove_stored_file(name: str) -> None:
    storage().delete(name)


def _read(file) -> bytes:
    stream = getattr(file, "stream", file)
    return read_limited(stream)


def _clean_title(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    if len(title) > 120:
        raise UploadRejected(MSG_TITLE)
    return title or None


def store_upload(user: User, file, document_type: DocumentType, *, title: str | None = None) -> Document:
    """Check the upload and keep it. ``file`` is a werkzeug FileStorage or any binary stream.

    Raises ``UploadRejected`` (with a message for the citizen); nothing is stored then.
    """
    document_type = DocumentType(document_type)
    title = _clean_title(title)
    count = db.session.scalar(
        select(func.count()).select_from(Document).where(Document.user_id == user.id, Document.archived_at.is_(None))
    )
    if count >= MAX_DOCUMENTS_PER_USER:
        raise UploadRejected(MSG_TOO_MANY)
    clean = inspect_upload(_read(file))
    name = store_file(clean)
    document = Document(user_id=user.id, document_type=document_type, title=title, storage_name=name)
    _apply(document, clean)
    db.session.add(document)
    try:
        db.session.flush()
        _add_version(document)
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_stored_file(name)
        raise
    return document


def _apply(document: Document, clean: CleanFile) -> None:
    document.content_type = clean.content_type
    document.size = clean.size
    document.sha256 = clean.sha256
    document.width, document.height, document.pages = clean.width, clean.height, clean.pages


def replace_document(user: User, document_id: int, file) -> Document | None:
    """Put a new file in place of an old one (a clearer scan, a renewed KTP). None when not the owner's."""
    document = get_document_for_owner(user, document_id)
    if document is None:
        return None
    clean = inspect_upload(_read(file))
    new_name = store_file(clean)
    if current_version(document) is None:  # a document from before versions: its file becomes version 1
        _add_version(document)
    document.storage_name = new_name
    _apply(document, clean)
    try:
        db.session.flush()
        _add_version(document)
        # The file a submitted application was sent with stays (the officer opens exactly those bytes); one that
        # no application pins is gone with the replacement, as before.
        unpinned = _drop_unpinned_versions(document, keep=new_name)
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_stored_file(new_name)
        raise
    for name in unpinned:
        remove_stored_file(name)
    return document


# --- versions: what a submitted application was sent with never changes (issue 9, item 5) --------------------------


def current_version(document: Document) -> DocumentVersion | None:
    """The version the document shows now (the one whose file it points at)."""
    return db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == document.id, DocumentVersion.storage_name == document.storage_name
        )
    )


def _add_version(document: Document) -> DocumentVersion:
    """A version row for the file the document holds now. Part of the caller's transaction."""
    version = DocumentVersion(
        document_id=document.id,
        document_type=document.document_type,
        storage_name=document.storage_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
    )
    db.session.add(version)
    return version


def _is_pinned(version_id: int) -> bool:
    pin = select(SubmittedDocument.id).where(SubmittedDocument.version_id == version_id).limit(1)
    return db.session.scalar(pin) is not None


def _drop_unpinned_versions(document: Document, *, keep: str | None = None) -> list[str]:
    """Delete the document's versions no submitted application pins (except the one holding ``keep``); returns
    their file names, to remove after the commit."""
    names = []
    for version in db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)):
        if version.storage_name != keep and not _is_pinned(version.id):
            names.append(version.storage_name)
            db.session.delete(version)
    return names


def pin_documents(revision, documents: dict[str, int], user: User) -> None:
    """Record, for a revision being submitted, the version of each attached document as it is now — the latest one,
    since a draft refers to the document and so picks up every replacement until it is sent. Part of the caller's
    transaction (the submission)."""
    if not documents:
        return
    db.session.flush()  # the revision's id
    found = {
        document.id: document
        for document in db.session.scalars(
            select(Document).where(Document.id.in_(sorted(set(documents.values()))), Document.user_id == user.id)
        )
    }
    for key, document_id in documents.items():
        document = found.get(int(document_id))
        if document is None:
            continue
        version = current_version(document) or _add_version(document)  # a document from before versions
        db.session.flush()  # ids for the pin
        db.session.add(
            SubmittedDocument(
                revision_id=revision.id, requirement_key=key, document_id=document.id, version_id=version.id
            )
        )


def pinned_version(application, document_id: int) -> DocumentVersion | None:
    """The version of ``document_id`` the application's latest revision that attached it was submitted with."""
    for revision in reversed(application.revisions):
        if int(document_id) in {int(value) for value in revision.documents.values()}:
            return db.session.scalar(
                select(DocumentVersion)
                .join(SubmittedDocument, SubmittedDocument.version_id == DocumentVersion.id)
                .where(SubmittedDocument.revision_id == revision.id, SubmittedDocument.document_id == int(document_id))
                .limit(1)
            )
    return None


def stored_names(user: User) -> list[str]:
    """Every file kept for ``user``: current documents (archived ones too) and every version."""
    documents = select(Document.id).where(Document.user_id == user.id)
    names = set(db.session.scalars(select(Document.storage_name).where(Document.user_id == user.id)))
    names.update(
        db.session.scalars(select(DocumentVersion.storage_name).where(DocumentVersion.document_id.in_(documents)))
    )
    return sorted(names)


def delete_document(user: User, document_id: int) -> bool:
    document = get_document_for_owner(user, document_id)
    if document is None:
        return False
    names = _drop_unpinned_versions(document)
    if db.session.scalar(select(DocumentVersion.id).where(DocumentVersion.document_id == document.id).limit(1)):
        document.archived_at = utcnow()  # a submitted application still pins a version: keep that for the officer
    else:
        names.append(document.storage_name)
        db.session.delete(document)
    db.session.commit()
    for name in set(names):  # after the commit: a failed commit must not leave a row without its file
        remove_stored_file(name)
    return True
