"""Checking an uploaded file by what it *is*, not what it is called. The only module that imports puremagic,
Pillow and pypdf: their many exceptions become one of ours, ``UploadRejected``, with a message for the citizen.

What we accept: JPEG, PNG and PDF up to 5 MB. Images are verified, capped in pixels (a decompression bomb — a few
kilobytes that unpack to gigabytes — is refused before it is decoded) and re-encoded: the stored file is pixels
we wrote ourselves, so EXIF (GPS position, phone model) and anything hidden after the image data (polyglots) are
gone. PDFs cannot be re-encoded faithfully, so they are inspected instead: encrypted files and files that can run
code or carry other files (JavaScript, OpenAction, Launch, EmbeddedFiles…) are refused.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import puremagic
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..errors import UserFacingError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP phone photo is fine; more is a bomb or a mistake
MAX_PDF_PAGES = 50
MAX_PDF_OBJECTS = 50_000  # bound the walk over a PDF's objects so a crafted file cannot keep a worker busy
# Pillow's own guard, as a second line: it raises DecompressionBombError above twice this value.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Names in a PDF that make it do something when opened, or carry another file inside.
PDF_ACTIVE_NAMES = frozenset(
    [
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
    ]
)

# Link targets that run code or reach the viewer's own machine instead of opening a web page.
DANGEROUS_URI_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_URI_IGNORED = "".join(map(chr, range(0x21)))  # what viewers skip before a URI (spaces and C0 controls)

MSG_EMPTY = _l("The file is empty (0 bytes). Choose the file again.")
MSG_TOO_BIG = _l("The file is larger than 5 MB. Reduce the photo size or scan at a lower resolution.")
MSG_TYPE = _l("This type of file is not accepted. Upload a JPG, PNG or PDF.")
MSG_IMAGE_BROKEN = _l("The image is damaged or cannot be read. Take the photo or scan again.")
MSG_IMAGE_TOO_LARGE = _l("The image is too large (more than 40 megapixels). Reduce its resolution.")
MSG_PDF_BROKEN = _l("The PDF is damaged or cannot be read. Save or scan it again.")
MSG_PDF_ENCRYPTED = _l("The PDF is password-protected. Upload a PDF without a password.")
MSG_PDF_ACTIVE = _l(
    "The PDF contains scripts, automatic actions or attached files. Print it to a new PDF and upload that."
)
MSG_PDF_PAGES = _l("The PDF has more than 50 pages. Upload only the pages needed.")


class UploadRejected(UserFacingError, ValueError):
    """An upload we will not store. ``message`` is shown next to the file field."""


@dataclass(frozen=True)
class CleanFile:
    """A file that passed every check, ready to store as is."""

    data: bytes
    content_type: str  # image/jpeg, image/png, application/pdf
    extension: str  # jpg, png, pdf
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def read_limited(stream, limit: int = MAX_BYTES) -> bytes:
    """Read at most one byte more than the cap, so a huge file is refused without reading all of it."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(MSG_TOO_BIG)
    return data


def sniff(data: bytes) -> str:
    """The content type by magic bytes. The name and the browser's Content-Type are never trusted."""
    try:
        matches = puremagic.magic_string(data[:4096])
    except (puremagic.PureError, ValueError):
        raise UploadRejected(MSG_TYPE) from None
    if not matches:
        raise UploadRejected(MSG_TYPE)
    best = max(match.confidence for match in matches)
    for match in matches:
        # The allowed type must start the file and be at least as likely as anything else it could be.
        if match.mime_type in ALLOWED and match.offset == 0 and match.confidence >= best:
            return match.mime_type
    raise UploadRejected(MSG_TYPE)


def inspect_upload(data: bytes) -> CleanFile:
    """Everything we check before a byte is written to disk. Raises ``UploadRejected``."""
    if not data:
        raise UploadRejected(MSG_EMPTY)
    if len(data) > MAX_BYTES:
        raise UploadRejected(MSG_TOO_BIG)
    content_type = sniff(data)
    if content_type == "application/pdf":
        return _inspect_pdf(data)
    return _clean_image(data, content_type)


def _open_image(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that; we refuse at the cap itself.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
    if image.width * image.height > MAX_PIXELS:
        raise UploadRejected(MSG_IMAGE_TOO_LARGE)
    return image


def _clean_image(data: bytes, content_type: str) -> CleanFile:
    expected_format = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        image = _open_image(data)  # reads the header only: dimensions are known before any pixel is decoded
        if image.format != expected_format:
            raise UploadRejected(MSG_TYPE)
        image.verify()  # structure and checksums; the object is unusable afterwards, so open again
        image = _open_image(data)
        image.load()
        # Keep the photo upright once the EXIF orientation tag is gone.
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if expected_format == "JPEG":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, format="JPEG", quality=88, optimize=True)  # no exif= argument: metadata is dropped
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, format="PNG", optimize=True)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(MSG_IMAGE_TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise UploadRejected(MSG_IMAGE_BROKEN) from None
    cleaned = out.getvalue()
    if len(cleaned) > MAX_BYTES:  # re-encoding a small PNG of noise can grow it; the cap is about what we keep
        raise UploadRejected(MSG_TOO_BIG)
    return CleanFile(
        data=cleaned,
        content_type=content_type,
        extension=ALLOWED[content_type],
        sha256=hashlib.sha256(cleaned).hexdigest(),
        width=image.width,
        height=image.height,
    )


def _resolved(value, seen: set[tuple[int, int]]):
    """Follow indirect references (``5 0 R``) to the object itself; a cycle ends the chain."""
    while isinstance(value, IndirectObject):
        key = (value.idnum, value.generation)
        if key in seen:
            return None
        seen.add(key)
        value = value.get_object()
    return value


def _dangerous_uri(value) -> bool:
    """A link target that runs code or opens a local file. Viewers ignore leading spaces and control characters and
    the tabs or newlines inside a scheme, so ``" java\tscript:"`` is stripped of them before the scheme is read."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    scheme = "".join(ch for ch in value.lstrip(_URI_IGNORED) if ch not in "\t\r\n").lower()
    return scheme.startswith(DANGEROUS_URI_SCHEMES)


def _active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (object streams are decompressed by pypdf, and escaped names
    like /J#61vaScript are decoded) looking for names that make a PDF act or carry other files, and for links to
    ``javascript:``/``file:`` URIs. Every indirect reference is resolved first: an action whose ``/S`` is
    ``7 0 R`` pointing at ``/Launch`` is a Launch action (issue 9, item 9) — annotations, OpenAction, AA, the names
    tree and outlines are all reached by this one walk."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        item = _resolved(stack.pop(), seen)
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UploadRejected(MSG_PDF_BROKEN)
        if isinstance(item, NameObject) and item in PDF_ACTIVE_NAMES:
            return True
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in PDF_ACTIVE_NAMES or (isinstance(value, NameObject) and value in PDF_ACTIVE_NAMES):
                    return True
                if name == "/URI" and _dangerous_uri(_resolved(value, set())):
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _inspect_pdf(data: bytes) -> CleanFile:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(MSG_PDF_ENCRYPTED)
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRejected(MSG_PDF_BROKEN)
        if pages > MAX_PDF_PAGES:
            raise UploadRejected(MSG_PDF_PAGES)
        if _active_content(reader):
            raise UploadRejected(MSG_PDF_ACTIVE)
    except UploadRejected:
        raise
    except RecursionError:
        raise UploadRejected(MSG_PDF_BROKEN) from None
    except Exception:  # noqa: BLE001 — pypdf raises many kinds (PdfReadError, KeyError, ValueError…) on bad input
        raise UploadRejected(MSG_PDF_BROKEN) from None
    return CleanFile(
        data=data,
        content_type="application/pdf",
        extension="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )
