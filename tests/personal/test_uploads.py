"""What uploads.py lets through, checked without HTTP: content decides, never the name."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.personal.uploads import MAX_BYTES, UploadRejected, inspect_upload

from .conftest import exe_bytes, jpeg_with_exif, pdf_bytes, png_bomb, png_bytes


def refused(app, data: bytes) -> str:
    with app.test_request_context("/"):
        with pytest.raises(UploadRejected) as error:
            inspect_upload(data)
        return str(error.value.message)


def test_an_executable_is_refused_whatever_it_is_called(app):
    assert "tidak diterima" in refused(app, exe_bytes())


def test_plain_text_is_refused(app):
    assert "tidak diterima" in refused(app, b"just some text pretending to be a photo")


def test_a_pdf_with_javascript_is_refused(app):
    assert "skrip" in refused(app, pdf_bytes(javascript="app.alert('hi')"))


def test_an_encrypted_pdf_is_refused(app):
    assert "kata sandi" in refused(app, pdf_bytes(password="rahasia"))


def test_a_pdf_with_too_many_pages_is_refused(app):
    assert "50 halaman" in refused(app, pdf_bytes(pages=51))


def test_a_decompression_bomb_png_is_refused_before_decoding(app):
    bomb = png_bomb()
    assert len(bomb) < 1000
    assert "terlalu besar" in refused(app, bomb)


def test_a_zero_byte_file_is_refused(app):
    assert "kosong" in refused(app, b"")


def test_a_file_over_five_megabytes_is_refused(app):
    assert "5 MB" in refused(app, b"\xff\xd8\xff" + b"\x00" * MAX_BYTES)


def test_a_truncated_jpeg_is_refused_as_damaged(app):
    assert "rusak" in refused(app, jpeg_with_exif()[:200])


def test_a_jpeg_is_reencoded_without_its_exif():
    original = jpeg_with_exif()
    assert b"PhoneMaker" in original
    clean = inspect_upload(original)
    assert clean.content_type == "image/jpeg" and clean.extension == "jpg"
    assert b"PhoneMaker" not in clean.data and b"Exif" not in clean.data
    assert not Image.open(io.BytesIO(clean.data)).getexif()
    assert (clean.width, clean.height) == (64, 48)


def test_a_png_and_a_plain_pdf_are_accepted():
    assert inspect_upload(png_bytes()).content_type == "image/png"
    pdf = inspect_upload(pdf_bytes(pages=2))
    assert (pdf.content_type, pdf.pages) == ("application/pdf", 2)


def test_anything_appended_after_the_image_is_dropped():
    polyglot = png_bytes() + b"PK\x03\x04 a zip hiding behind the picture"
    clean = inspect_upload(polyglot)
    assert b"PK\x03\x04" not in clean.data
