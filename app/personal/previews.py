"""A small preview of an image in Dokumen Saya, so the citizen can tell at a glance which scan is which.

The stored file already passed uploads.py (verified, pixel-capped, re-encoded without EXIF), so the thumbnail is
made from it on request, never stored: a fresh JPEG of at most ``SIZE`` pixels a side. PDFs get no picture (that
would mean rendering untrusted PDF content); the list shows their page count instead.
"""

from __future__ import annotations

import io

from PIL import Image

from .documents import open_document
from .models import Document

SIZE = 160  # CSS pixels × 2 for sharp thumbnails on a phone screen at 80 px
PREVIEWABLE = frozenset({"image/jpeg", "image/png"})


def can_preview(document: Document) -> bool:
    return document.content_type in PREVIEWABLE


def thumbnail(document: Document) -> bytes:
    """JPEG bytes of the document's image, scaled to fit SIZE×SIZE. Raises FileNotFoundError when storage lost it."""
    with open_document(document) as handle, Image.open(handle) as image:
        image.thumbnail((SIZE, SIZE))
        picture = image.convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()
