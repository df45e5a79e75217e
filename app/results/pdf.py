"""The result PDF (fpdf2) and its QR code (segno). The only module that imports them.

fpdf2's built-in Helvetica covers Latin-1, which is all Indonesian needs; a name with another script is
transliterated (NFKD, then "?") rather than failing the whole completion, and no font file has to ship.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

import segno
from fpdf import FPDF

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def indonesian_date(day: dt.date) -> str:
    """Always Indonesian on the document itself: it is an official paper, whatever the officer's UI language."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def latin1(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    if all(ord(ch) < 256 for ch in text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch if ord(ch) < 256 else ("" if unicodedata.combining(ch) else "?") for ch in decomposed)


def qr_for(url: str) -> segno.QRCode:
    """Error correction Q (25%): a folded, stamped or slightly torn paper still scans."""
    return segno.make_qr(url, error="q", boost_error=False)


def qr_png(qr: segno.QRCode) -> bytes:
    out = io.BytesIO()
    qr.save(out, kind="png", scale=8, border=2)
    return out.getvalue()


@dataclass(frozen=True)
class ResultContent:
    service: str
    agency: str
    mpp: str | None
    tracking_number: str
    holder_name: str
    issued_on: dt.date
    code_display: str
    verify_url: str


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_creator("MPP Digital")
    pdf.set_margins(20, 20, 20)
    return pdf


def _verification_block(pdf: FPDF, content: ResultContent, qr: segno.QRCode) -> None:
    top = pdf.get_y() + 4
    pdf.image(io.BytesIO(qr_png(qr)), x=20, y=top, w=42, h=42)
    pdf.set_xy(68, top)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, "Verifikasi keaslian dokumen", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(68)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0, 5,
        "Pindai kode QR atau buka alamat di bawah ini, lalu masukkan kode verifikasi. Dokumen asli akan "
        "menampilkan layanan, instansi, tanggal terbit, dan status dokumen.",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.set_x(68)
    pdf.set_font("Courier", "B", 13)
    pdf.multi_cell(0, 7, latin1(content.code_display), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(68)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, latin1(content.verify_url), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 46))


def render_result(content: ResultContent, qr: segno.QRCode) -> bytes:
    """A one-page certificate of completion (bukti penyelesaian layanan) with its verification code and QR."""
    pdf = _pdf()
    pdf.set_title(latin1(f"Bukti Penyelesaian Layanan {content.tracking_number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    header = content.agency if not content.mpp else f"{content.agency} - {content.mpp}"
    pdf.multi_cell(0, 5, latin1(header.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(20, pdf.get_y() + 2, 190, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "BUKTI PENYELESAIAN LAYANAN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0, 6,
        "Dengan ini diterangkan bahwa permohonan layanan berikut telah selesai diproses:",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.ln(3)
    rows = [
        ("Layanan", content.service),
        ("Instansi penerbit", content.agency),
        ("Tempat layanan", content.mpp or "-"),
        ("Nomor permohonan", content.tracking_number),
        ("Nama pemohon", content.holder_name),
        ("Tanggal terbit", indonesian_date(content.issued_on)),
    ]
    for label, value in rows:
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(50, 7, latin1(label))
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 7, latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _verification_block(pdf, content, qr)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0, 5,
        "Dokumen ini diterbitkan secara elektronik melalui MPP Digital. Keasliannya dapat diperiksa siapa saja "
        "dengan kode verifikasi di atas; dokumen yang kodenya tidak ditemukan atau berstatus dicabut tidak sah.",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    return bytes(pdf.output())


def verification_page(content: ResultContent, qr: segno.QRCode) -> bytes:
    """One page appended to an agency's own PDF, so its paper carries the same code and QR."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, "LEMBAR VERIFIKASI DOKUMEN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for label, value in (
        ("Layanan", content.service),
        ("Instansi penerbit", content.agency),
        ("Nomor permohonan", content.tracking_number),
        ("Tanggal terbit", indonesian_date(content.issued_on)),
    ):
        pdf.cell(50, 7, latin1(label))
        pdf.multi_cell(0, 7, latin1(f": {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _verification_block(pdf, content, qr)
    return bytes(pdf.output())


class PdfUnusable(Exception):
    """An (already checked) agency PDF that pypdf cannot rewrite with the extra page."""


def append_pages(original: bytes, extra: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
        writer.append(PdfReader(io.BytesIO(extra)))
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # noqa: BLE001 — pypdf raises many kinds (PdfReadError, KeyError, RecursionError…) on odd files
        raise PdfUnusable() from None
    return out.getvalue()
