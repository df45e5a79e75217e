"""Evidence cannot be swapped after submission (issue 9, item 5): a submitted application keeps the exact bytes it was
sent with, whatever the citizen later does in Dokumen Saya — replayed over HTTP with the citizen and the officer each
on their own client, the way the attack was found."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from sqlalchemy import select

from app.accounts.models import User
from app.applications.models import Application
from app.extensions import db
from app.personal.models import Document, DocumentVersion

from ..backoffice.conftest import demo, make_staff, officer, submit_application  # noqa: F401  (fixtures)
from ..helpers import PageClient
from .conftest import pdf_bytes, png_bytes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _citizen_client(app, citizen, signed_in) -> PageClient:
    browser = PageClient(app.test_client())
    signed_in(browser, citizen)
    return browser


def _attached_document_id(app, number: str) -> int:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.tracking_number == number))
        return int(application.latest_revision.documents["kk"])


def _replace(browser, document_id: int, data: bytes, filename: str):
    response = browser.post(
        f"/akun/dokumen/{document_id}/ganti",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.status_code
    return response


def _officer_download(client, number: str, document_id: int) -> bytes:
    response = client.get(f"/petugas/permohonan/{number}/dokumen/{document_id}")
    assert response.status_code == 200
    return response.data


def _hashes_on_work_page(client, number: str) -> list[str]:
    soup = client.get_page(f"/petugas/permohonan/{number}")
    return [code.get_text(strip=True) for code in soup.select("#dokumen-judul ~ ul code.hash")]


def test_replacing_a_submitted_document_leaves_the_officer_the_original_bytes(
    app, client, citizen, officer, signed_in, demo
):
    number = submit_application(app, citizen)
    document_id = _attached_document_id(app, number)
    signed_in(client, officer)
    original = _officer_download(client, number, document_id)
    assert _hashes_on_work_page(client, number) == [_sha(original)]

    browser = _citizen_client(app, citizen, signed_in)
    replacement = pdf_bytes(pages=2)
    _replace(browser, document_id, replacement, "kk-baru.pdf")

    # The officer still opens exactly what was submitted, and the work page shows its SHA-256.
    after = _officer_download(client, number, document_id)
    assert after == original and _sha(after) == _sha(original)
    assert _hashes_on_work_page(client, number) == [_sha(original)]
    # The citizen's Dokumen Saya shows the new version.
    mine = browser.get(f"/akun/dokumen/{document_id}/unduh")
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF") and mine.data != original
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.content_type == "application/pdf" and document.sha256 == _sha(mine.data)
        assert (
            len(db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document_id)).all())
            == 2
        )


def test_replacing_twice_keeps_the_submitted_version_and_drops_the_unsubmitted_one(
    app, client, citizen, officer, signed_in, demo
):
    number = submit_application(app, citizen)
    document_id = _attached_document_id(app, number)
    signed_in(client, officer)
    original = _officer_download(client, number, document_id)
    browser = _citizen_client(app, citizen, signed_in)
    _replace(browser, document_id, png_bytes((50, 50)), "kedua.png")
    _replace(browser, document_id, png_bytes((60, 60)), "ketiga.png")
    with app.app_context():
        versions = db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document_id)).all()
        assert sorted(v.sha256 for v in versions) == sorted(
            [_sha(original), db.session.get(Document, document_id).sha256]
        )
    files = sorted(path.name for path in Path(app.config["UPLOAD_DIR"]).iterdir())
    assert len(files) == 2  # the submitted file and the current one; the middle one nobody sent is gone
    assert _officer_download(client, number, document_id) == original


def test_deleting_a_submitted_document_hides_it_from_the_citizen_but_not_from_the_officer(
    app, client, citizen, officer, signed_in, demo
):
    number = submit_application(app, citizen)
    document_id = _attached_document_id(app, number)
    signed_in(client, officer)
    original = _officer_download(client, number, document_id)
    browser = _citizen_client(app, citizen, signed_in)
    assert browser.post(f"/akun/dokumen/{document_id}/hapus").status_code == 303
    assert browser.get(f"/akun/dokumen/{document_id}").status_code == 404
    assert f"/akun/dokumen/{document_id}" not in browser.get("/akun/dokumen").get_data(as_text=True)
    assert _officer_download(client, number, document_id) == original


def test_a_draft_not_yet_submitted_picks_up_the_latest_version(app, client, citizen, officer, signed_in, demo):
    from ..applications.conftest import complete_draft

    public_id = complete_draft(app, citizen)
    with app.app_context():
        from app.applications.models import Draft
        from app.catalog.models import Mpp

        draft = db.session.scalar(select(Draft).where(Draft.public_id == public_id))
        draft.mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari"))  # the officer's MPP
        document_id = int(draft.answers["dokumen.kk"])
        db.session.commit()
    browser = _citizen_client(app, citizen, signed_in)
    newer = pdf_bytes(pages=3)
    _replace(browser, document_id, newer, "kk-terbaru.pdf")

    check = browser.get_page(f"/permohonan/draf/{public_id}/periksa")
    key = check.find("input", attrs={"name": "idempotency_key"})["value"]
    sent = browser.post(f"/permohonan/draf/{public_id}/kirim", data={"idempotency_key": key, "pernyataan": "ya"})
    assert sent.status_code == 303
    number = re.search(r"/permohonan/([^/?]+)", sent.headers["Location"]).group(1)

    signed_in(client, officer)
    downloaded = _officer_download(client, number, document_id)
    assert _sha(downloaded) == _sha(browser.get(f"/akun/dokumen/{document_id}/unduh").data)
    assert downloaded.startswith(b"%PDF")
    assert _hashes_on_work_page(client, number) == [_sha(downloaded)]


def test_deleting_the_account_removes_every_kept_version_file(app, citizen, officer, signed_in, demo):
    from app.personal import privacy

    number = submit_application(app, citizen)
    document_id = _attached_document_id(app, number)
    browser = _citizen_client(app, citizen, signed_in)
    _replace(browser, document_id, png_bytes((70, 70)), "baru.png")
    with app.app_context():
        privacy.delete_account(db.session.get(User, citizen.id), privacy.DELETE_PHRASE)
        assert db.session.scalar(select(DocumentVersion.id)) is None
    assert not any(Path(app.config["UPLOAD_DIR"]).iterdir())
