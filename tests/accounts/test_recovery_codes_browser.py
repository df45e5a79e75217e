"""New recovery codes on a phone (issue 14.11): Salin copies them, Unduh saves a .txt (without JavaScript too),
Bagikan opens the share sheet where the browser has one — and is not shown where it has none. Chromium, 360 px."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from ..helpers import assert_no_axe_violations, shot
from .test_browser import add_authenticator, sign_up

# Chromium on Linux has no share sheet; this stands in for a phone's, and records what it was given.
FAKE_SHARE = "navigator.share = async (data) => { window.__shared = data; }; navigator.canShare = () => true;"


def _download(page) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh (.txt)").click()
    download = info.value
    assert download.suggested_filename == "kode-pemulihan-mpp-digital.txt"
    return Path(download.path()).read_text(encoding="utf-8")


def test_recovery_codes_can_be_copied_downloaded_and_shared_on_a_phone(app, page, base_url, mailbox):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.add_init_script(FAKE_SHARE)
    add_authenticator(page)
    codes = sign_up(page, base_url, mailbox)

    page.get_by_role("button", name="Salin").click()
    expect(page.locator("[data-recovery-status]")).to_contain_text("Kode disalin")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert all(code in copied for code in codes)

    text = _download(page)
    assert text.startswith("Kode pemulihan MPP Digital")
    assert all(code in text for code in codes)

    page.get_by_role("button", name="Bagikan").click()
    page.wait_for_function("() => window.__shared !== undefined")
    shared = page.evaluate("window.__shared")
    assert shared["title"] == "Kode pemulihan MPP Digital" and all(code in shared["text"] for code in codes)
    shot(page, "kode-pemulihan-360")
    assert_no_axe_violations(page)


def test_without_a_share_sheet_there_is_no_share_button(app, page, base_url, mailbox):
    page.add_init_script("delete Navigator.prototype.share; delete Navigator.prototype.canShare;")
    add_authenticator(page)
    sign_up(page, base_url, mailbox)
    expect(page.get_by_role("button", name="Salin")).to_be_visible()  # the script ran
    expect(page.get_by_role("button", name="Bagikan")).to_have_count(0)


def test_without_javascript_the_codes_still_download_and_no_dead_button_shows(app, browser, base_url, page, mailbox):
    add_authenticator(page)
    sign_up(page, base_url, mailbox)  # a passkey needs JavaScript; the codes page is then opened without it
    cookies = page.context.cookies()
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, java_script_enabled=False, accept_downloads=True, locale="id-ID"
    )
    try:
        context.add_cookies(cookies)
        plain = context.new_page()
        plain.goto(f"{base_url}/akun/kode-pemulihan")
        expect(plain.locator(".recovery-codes li")).to_have_count(10)
        expect(plain.get_by_role("button", name="Salin")).to_have_count(0)
        expect(plain.get_by_role("button", name="Bagikan")).to_have_count(0)
        codes = [text.strip() for text in plain.locator(".recovery-codes li").all_inner_texts()]
        text = _download(plain)
        assert all(code in text for code in codes)
    finally:
        context.close()
