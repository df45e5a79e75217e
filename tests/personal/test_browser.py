"""The personal pages in a real Chromium at 360 px, signed in: zero axe violations, upload progress via upload.js."""

from __future__ import annotations

import pytest

from tests.helpers import assert_no_axe_violations, shot

from .conftest import jpeg_with_exif


@pytest.fixture
def signed_in_page(app, page, base_url, client, citizen, signed_in):
    """A Playwright page carrying the session cookie of a test client signed in as ``citizen``."""
    signed_in(client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return page


def test_data_saya_with_errors_shown_has_no_axe_violations(signed_in_page, base_url):
    page = signed_in_page
    page.goto(f"{base_url}/akun/data")
    page.fill("#f-nik", "3510011713900001")
    page.fill("#f-postal_code", "123")
    page.click("button:has-text('Simpan')")
    page.wait_for_selector("#f-nik-error")
    assert page.input_value("#f-nik") == "3510011713900001"
    assert_no_axe_violations(page)


def test_data_saya_with_a_nik_warning_and_revealed_numbers_has_no_axe_violations(signed_in_page, base_url):
    page = signed_in_page
    page.goto(f"{base_url}/akun/data")
    page.fill("#f-nik", "3510011708900001")
    page.fill("#f-birth_date", "1991-08-17")
    page.click("button:has-text('Simpan')")
    page.wait_for_selector(".field-warning")
    page.click("button:has-text('Tampilkan')")
    page.wait_for_selector("text=3510011708900001")
    assert_no_axe_violations(page)


def test_dokumen_saya_uploads_with_progress_and_has_no_axe_violations(signed_in_page, base_url, tmp_path):
    page = signed_in_page
    page.goto(f"{base_url}/akun/dokumen")
    assert_no_axe_violations(page)
    photo = tmp_path / "ktp.jpg"
    photo.write_bytes(jpeg_with_exif())
    page.select_option("#f-document_type", "ktp")
    page.set_input_files("#f-file", str(photo))
    page.click("button:has-text('Unggah')")
    page.wait_for_url("**/akun/dokumen?diunggah=*")
    page.wait_for_selector(".document-item")
    assert_no_axe_violations(page)

    # A refusal comes back into the page without a reload, next to the field.
    fake = tmp_path / "foto.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    page.set_input_files("#f-file", str(fake))
    page.select_option("#f-document_type", "pas_foto")
    page.click("button:has-text('Unggah')")
    page.wait_for_selector("#f-file-error")
    assert "tidak diterima" in page.inner_text("#f-file-error")
    assert_no_axe_violations(page)


def test_privacy_page_has_no_axe_violations_with_errors_shown(signed_in_page, base_url):
    page = signed_in_page
    page.goto(f"{base_url}/akun/privasi")
    assert_no_axe_violations(page)
    page.fill("#f-confirmation", "hapus")
    page.click("button:has-text('Hapus akun saya')")
    page.wait_for_selector("#f-confirmation-error")
    assert_no_axe_violations(page)


def test_a_nik_warning_after_saving_is_the_first_thing_seen_at_360_px(signed_in_page, base_url):
    from playwright.sync_api import expect

    page = signed_in_page
    page.goto(f"{base_url}/akun/data")
    page.fill("#f-full_name", "Siti Rahayu")
    page.fill("#f-nik", "3510011708900001")
    page.fill("#f-birth_date", "1991-08-17")
    page.click("button:has-text('Simpan')")
    summary = page.locator(".needs-look")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Data tersimpan, tetapi mohon periksa ini")
    expect(page.locator(".notice.success")).to_have_count(0)
    assert summary.bounding_box()["y"] < 780  # on the first screen of a phone, not under a green banner
    summary.get_by_role("link").first.click()
    expect(page.locator("#f-nik")).to_be_in_viewport()
    shot(page, "data-saya-nik-warning-360")
    assert_no_axe_violations(page)


def test_dokumen_saya_shows_a_thumbnail_of_an_image_and_the_page_count_of_a_pdf(signed_in_page, base_url, tmp_path):
    from playwright.sync_api import expect

    from .conftest import pdf_bytes

    page = signed_in_page
    for name, data, kind in (("ktp.jpg", jpeg_with_exif(size=(640, 400)), "ktp"), ("kk.pdf", pdf_bytes(pages=2), "kk")):
        path = tmp_path / name
        path.write_bytes(data)
        page.goto(f"{base_url}/akun/dokumen")
        page.select_option("#f-document_type", kind)
        page.set_input_files("#f-file", str(path))
        page.get_by_role("button", name="Unggah", exact=True).click()
        page.wait_for_url(lambda url: "diunggah=" in url)
    thumb = page.locator("img.document-thumb")
    expect(thumb).to_have_count(1)
    page.wait_for_function("() => document.querySelector('img.document-thumb').naturalWidth > 0")  # really decoded
    expect(page.locator(".document-list")).to_contain_text("2 halaman")
    expect(page.locator(".document-list")).to_contain_text("Foto/scan KTP-el")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    shot(page, "dokumen-saya-pratinjau")


def test_a_field_reached_with_tab_is_never_hidden_under_the_tab_bar(signed_in_page, base_url):
    """WCAG 2.2, 2.4.11 Focus Not Obscured: at 360 px the fixed tab bar must not cover the focused field."""
    page = signed_in_page
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(f"{base_url}/akun/data")
    bar_top = page.evaluate("document.querySelector('.tab-bar').getBoundingClientRect().top")
    hidden = []
    for _ in range(40):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => { const el = document.activeElement;
                       if (!el || el.closest('.tab-bar') || el === document.body) return null;
                       const r = el.getBoundingClientRect();
                       return {name: el.id || el.name || el.textContent.trim().slice(0, 30), bottom: r.bottom}; }"""
        )
        if state and state["bottom"] > bar_top + 1:
            hidden.append(state)
    assert hidden == [], f"focused under the tab bar: {hidden}"
