"""The upload store (app/storage.py): the folder (embedded) and the database (national) behave the same, and a file
whose bytes changed after it was accepted is refused with a clear message and logged, on either store."""

from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.personal.models import Document
from app.storage import DATABASE, FOLDER, DatabaseStorage, FolderStorage, StoredFile, StoredFileCorrupted, storage
from tests.personal.conftest import pdf_bytes
from tests.personal.test_documents_pages import upload


@pytest.fixture(params=[FOLDER, DATABASE])
def store_kind(request, app):
    before = app.config["UPLOAD_STORAGE"]
    app.config["UPLOAD_STORAGE"] = request.param
    yield request.param
    app.config["UPLOAD_STORAGE"] = before


def test_a_store_keeps_reads_checks_and_deletes(app_ctx, store_kind):
    store = storage()
    assert isinstance(store, DatabaseStorage if store_kind == DATABASE else FolderStorage)
    data = b"%PDF-1.4 contoh"
    store.put("abc.pdf", data)
    store.put("hasil/def.pdf", data + b"!")
    db.session.commit()
    assert store.read("abc.pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest()) == data
    assert store.names() == ["abc.pdf", "hasil/def.pdf"]
    with pytest.raises(StoredFileCorrupted, match="SHA-256"):
        store.read("abc.pdf", sha256="0" * 64)
    with pytest.raises(StoredFileCorrupted, match="bytes"):
        store.read("abc.pdf", size=3)
    store.delete("abc.pdf")
    store.delete("abc.pdf")  # twice is fine
    with pytest.raises(FileNotFoundError):
        store.read("abc.pdf")
    for bad in ("../x.pdf", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(ValueError):
            store.put(bad, data)


def test_the_database_store_joins_the_callers_transaction(app_ctx):
    store = DatabaseStorage()
    store.put("rolled-back.pdf", b"x")
    db.session.rollback()
    with pytest.raises(FileNotFoundError):
        store.read("rolled-back.pdf")


def _corrupt(app, store_kind: str, name: str) -> None:
    """Flip bytes behind the app's back: on disk, or in the table (size and SHA-256 column left as they were)."""
    if store_kind == FOLDER:
        path = FolderStorage(app.config["UPLOAD_DIR"])._path(name)
        data = bytearray(path.read_bytes())
        data[-5] ^= 0xFF
        path.write_bytes(bytes(data))
    else:
        with app.app_context():
            data = bytearray(db.session.scalar(select(StoredFile.data).where(StoredFile.name == name)))
            data[-5] ^= 0xFF
            db.session.execute(update(StoredFile).where(StoredFile.name == name).values(data=bytes(data)))
            db.session.commit()


def test_a_corrupted_document_is_refused_with_a_clear_message_and_logged(
    app, client, citizen, signed_in, store_kind, caplog
):
    signed_in(client, citizen)
    original = pdf_bytes()
    upload(client, original, "kk.pdf", kind="kk")
    with app.app_context():
        document = db.session.scalar(select(Document))
        document_id, name = document.id, document.storage_name
        db.session.remove()
    response = client.get(f"/akun/dokumen/{document_id}/unduh")
    assert response.status_code == 200 and response.data == original
    _corrupt(app, store_kind, name)
    with caplog.at_level(logging.ERROR, logger="app.storage"):
        response = client.get(f"/akun/dokumen/{document_id}/unduh")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Berkas rusak" in page and "rusak di penyimpanan" in page
    assert original not in response.data
    assert any(name in record.getMessage() and "corrupted" in record.getMessage() for record in caplog.records)
