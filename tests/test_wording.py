"""The Indonesian wording that issue 14 asked for, each pinned where a citizen reads it, and the retired phrasings
kept out of the catalog for good. Other wordings of that list are pinned next to their feature: the form labels
and messages (applications/test_document_slots.py), "Diajukan · 5 Des 2026, 16.11 WITA"
(applications/test_journey_pages.py), the draft notices (applications/drafts_browser.py), "Foto/scan KTP-el"
(personal/test_browser.py), a document's name in Riwayat akses (backoffice/test_casework.py), "Ditemukan N
layanan" (catalog/test_search.py), and the glossary's single words (test_i18n.py)."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT

# What the catalog said before, and must never say again (issue 14, "Indonesian wording").
RETIRED = [
    "tersimpan di server",
    "dikirim ke server",
    "Kode galat",
    "Pindaian KTP-el",
    "Dibuka: Dokumen",
    "Layanan ditemukan",
    "sudah melupakan akun",
    "Pilih Jenis kelamin",
    "Anak ke- wajib",
    "Diajukan · Diajukan",
]


def _texts(html_soup) -> str:
    return " ".join(html_soup.get_text(" ").split())


def test_the_recovery_page_sends_a_lost_phone_to_the_mpp_not_to_dukcapil(client):
    text = _texts(client.get_page("/masuk/pemulihan"))
    assert "Tidak perlu datang ke MPP" in text
    assert "Dukcapil" not in text


def test_an_error_page_says_kode_kesalahan(client):
    text = _texts(client.get_page("/halaman-yang-tidak-ada", expected_status=404))
    assert "Kode kesalahan: 404" in text
    assert "galat" not in text.lower()


def test_the_signed_out_page_says_the_account_was_removed_from_this_browser(client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.post("/keluar")
    assert response.status_code in (302, 303)
    text = _texts(client.get_page(response.headers["Location"]))
    assert "Akun Anda sudah dihapus dari browser ini" in text


def test_no_retired_phrasing_is_left_in_the_indonesian_catalog():
    with (PROJECT_ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        texts = [message.string] if isinstance(message.string, str) else list(message.string or [])
        for text in texts:
            for phrase in RETIRED:
                if re.search(re.escape(phrase), text or "", re.IGNORECASE):
                    found.append(f"{phrase!r} in {text!r}")
    assert not found, "\n".join(found)
