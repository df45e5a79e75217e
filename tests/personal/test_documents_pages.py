"""Dokumen Saya at /akun/dokumen: every refused upload leaves nothing behind; only the owner gets a file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from .conftest import exe_bytes, jpeg_with_exif, pdf_bytes, png_bomb, png_bytes


def upload(client, data: bytes, filename: str, *, kind: str = "ktp", title: str = "", url: str = "/akun/dokumen"):
    return client.post(
        url,
        data={"document_type": kind, "title": title, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (exe_bytes(), "ktp.jpg", "Jenis berkas ini tidak diterima"),
        (pdf_bytes(javascript="app.launchURL('http://example.invalid')"), "kk.pdf", "berisi skrip"),
        (pdf_bytes(password="rahasia"), "akta.pdf", "dilindungi kata sandi"),
        (png_bomb(), "foto.png", "Gambar terlalu besar"),
        (b"", "kosong.jpg", "Berkas kosong"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * (20 * 1024 * 1024), "besar.jpg", "lebih dari 5 MB"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * (6 * 1024 * 1024), "agak-besar.jpg", "lebih dari 5 MB"),
    ],
    ids=["renamed-exe", "pdf-javascript", "pdf-encrypted", "png-bomb", "zero-bytes", "20-mb", "6-mb"],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    client, citizen, signed_in, stored, data, filename, message
):
    signed_in(client, citizen)
    response = upload(client, data, filename, title="KTP saya")
    over_request_cap = len(data) > 12 * 1024 * 1024  # the body is never read, so nothing typed can be kept
    assert response.status_code == (413 if over_request_cap else 200)
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    if not over_request_cap:
        assert 'value="KTP saya"' in html
    assert stored() == (0, [])


def test_missing_type_and_file_are_explained(client, citizen, signed_in, stored):
    signed_in(client, citizen)
    soup = client.post_page("/akun/dokumen", data={"document_type": "", "title": "x"})
    assert "Pilih jenis dokumen" in soup.find(id="f-document_type-error").get_text()
    assert "Pilih berkas" in soup.find(id="f-file-error").get_text()
    assert stored() == (0, [])


def test_a_jpeg_is_stored_without_exif_under_a_random_name(app, client, citizen, signed_in, stored):
    signed_in(client, citizen)
    response = upload(client, jpeg_with_exif(), "../../etc/passwd.jpg", title="KTP baru")
    assert response.status_code == 303
    rows, files = stored()
    assert rows == 1 and len(files) == 1
    assert files[0].endswith(".jpg") and "passwd" not in files[0] and len(files[0]) == 36
    kept = (app.config["UPLOAD_DIR"] + "/" + files[0]).encode()
    with open(kept, "rb") as f:
        data = f.read()
    assert b"PhoneMaker" not in data and not Image.open(io.BytesIO(data)).getexif()
    soup = client.get_page("/akun/dokumen")
    assert "KTP baru" in soup.get_text()


def _only_document_id(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.personal.models import Document

    with app.app_context():
        return db.session.scalar(select(Document.id))


def test_the_owner_downloads_the_file_as_an_attachment_that_is_never_cached(app, client, citizen, signed_in):
    signed_in(client, citizen)
    upload(client, pdf_bytes(), "kk.pdf", kind="kk")
    document_id = _only_document_id(app)
    response = client.get(f"/akun/dokumen/{document_id}/unduh")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="kk-{document_id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF")


def test_an_image_has_a_small_private_thumbnail_and_a_pdf_shows_its_page_count(app, client, citizen, signed_in):
    signed_in(client, citizen)
    upload(client, jpeg_with_exif(size=(640, 480)), "ktp.jpg", kind="ktp")
    upload(client, pdf_bytes(pages=3), "kk.pdf", kind="kk")
    page = client.get_page("/akun/dokumen")
    thumbs = page.select("img.document-thumb")
    assert len(thumbs) == 1 and thumbs[0]["alt"] == ""  # the name next to it says what it is
    response = client.get(thumbs[0]["src"])
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert max(Image.open(io.BytesIO(response.data)).size) <= 160
    assert "3 halaman" in page.get_text()
    pdf_row = next(li for li in page.select(".document-item") if "PDF" in li.get_text())
    pdf_id = pdf_row.select_one(".document-name a")["href"].rsplit("/", 1)[1]
    assert client.get(f"/akun/dokumen/{pdf_id}/pratinjau").status_code == 404  # a PDF is never rendered


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "/unduh"), ("get", "/pratinjau"), ("post", "/ganti"), ("post", "/hapus")],
)
def test_another_citizen_gets_404_for_my_document(
    app, client, citizen, other_citizen, signed_in, stored, method, suffix
):
    signed_in(client, citizen)
    upload(client, png_bytes(), "foto.png", kind="pas_foto")
    document_id = _only_document_id(app)
    signed_in(client, other_citizen)
    url = f"/akun/dokumen/{document_id}{suffix}"
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(
            url, data={"file": (io.BytesIO(png_bytes()), "x.png")}, content_type="multipart/form-data"
        )
    assert response.status_code == 404
    assert stored()[0] == 1


def test_an_oversized_replacement_for_someone_elses_document_is_refused_without_a_server_error(
    app, client, citizen, other_citizen, signed_in, stored
):
    signed_in(client, citizen)
    upload(client, png_bytes(), "foto.png", kind="pas_foto")
    document_id = _only_document_id(app)
    signed_in(client, other_citizen)
    too_big = b"\xff\xd8\xff\xe0" + b"\x00" * (20 * 1024 * 1024)
    response = upload(client, too_big, "besar.jpg", url=f"/akun/dokumen/{document_id}/ganti")
    assert response.status_code == 413
    assert "foto.png" not in response.get_data(as_text=True)
    assert stored()[0] == 1


def test_a_document_is_replaced_and_the_old_file_removed(app, client, citizen, signed_in, stored):
    signed_in(client, citizen)
    upload(client, png_bytes(), "foto.png", kind="pas_foto")
    document_id = _only_document_id(app)
    _, before = stored()
    refused = upload(client, exe_bytes(), "new.png", url=f"/akun/dokumen/{document_id}/ganti")
    assert refused.status_code == 200 and "tidak diterima" in refused.get_data(as_text=True)
    assert stored()[1] == before
    response = upload(client, pdf_bytes(), "new.pdf", url=f"/akun/dokumen/{document_id}/ganti")
    assert response.status_code == 303
    rows, after = stored()
    assert rows == 1 and len(after) == 1 and after != before and after[0].endswith(".pdf")
    assert client.get(f"/akun/dokumen/{document_id}/unduh").mimetype == "application/pdf"


def test_deleting_a_document_removes_row_and_file(client, citizen, signed_in, stored, app):
    signed_in(client, citizen)
    upload(client, png_bytes(), "foto.png")
    document_id = _only_document_id(app)
    assert client.post(f"/akun/dokumen/{document_id}/hapus").status_code == 303
    assert stored() == (0, [])
    assert client.get(f"/akun/dokumen/{document_id}").status_code == 404


def test_the_document_page_shows_details_and_actions(app, client, citizen, signed_in):
    signed_in(client, citizen)
    upload(client, pdf_bytes(pages=3), "ijazah.pdf", kind="ijazah", title="Ijazah SMA")
    document_id = _only_document_id(app)
    soup = client.get_page(f"/akun/dokumen/{document_id}")
    assert soup.h1.get_text(strip=True) == "Ijazah — Ijazah SMA"
    assert "3" in soup.find("dl").get_text()
