"""Offline drafts on one phone and on two: no false "changed on another device", one real conflict when there is one.

A citizen fills the whole KTP-el form at 360 px, online and offline, with mistakes in between, goes back from the
check-answers page to change an answer — and is never told the application was changed on another device, because
it was not. When the same draft really is edited in two browsers, exactly one of them asks which answers to keep,
and either choice ends with the right answers on the account.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_no_axe_violations, free_port, shot

from .conftest import ADDRESS, PERSON, SERVICE, add_document, draft_id_of, draft_row
from .drafts_browser import (
    CONFLICT,
    CONTINUE,
    KEEP_MINE,
    RESTORED,
    SAVED,
    SAVED_DEVICE,
    TAKE_THEIRS,
    RestartableServer,
    controlled,
    count_conflicts,
    device_draft,
    drafts_ready,
    goto_controlled,
    sign_in_browser,
    wait_account_has,
    wait_device_synced,
    wait_saved_on_device,
)


@pytest.fixture(scope="module")
def server(app):
    control = RestartableServer(app, free_port())
    control.start()
    yield control
    control.stop()


@pytest.fixture
def origin(server):
    if server.server is None:
        server.start()
    yield f"http://localhost:{server.port}"
    if server.server is None:
        server.start()


@pytest.fixture
def phone(page, app, origin, citizen, demo_forms):
    sign_in_browser(app, page.context, origin, citizen)
    return page


def begin(page, origin) -> str:
    """Start the KTP-el application as a citizen does; returns the draft's public id."""
    page.goto(f"{origin}/layanan/{SERVICE}/ajukan")
    page.get_by_role("button", name="Mulai permohonan").click()
    page.wait_for_url("**/pemohon")
    controlled(page)
    return draft_id_of(page.url)


def next_step(page, step: str) -> None:
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_url(f"**/{step}")
    page.wait_for_selector(f'form[data-draft-step="{step}"]')
    drafts_ready(page)


def no_conflict(page, draft_id: str, conflicts: list) -> None:
    """Everything the device holds reached the account, and nobody cried wolf on the way."""
    wait_device_synced(page, draft_id)
    expect(page.get_by_text(CONFLICT)).to_have_count(0)
    assert (device_draft(page, draft_id) or {}).get("conflict") is None
    assert conflicts == []


def test_filling_a_whole_form_online_and_offline_with_mistakes_never_shows_a_conflict(phone, app, origin, citizen):
    page = phone
    add_document(app, citizen)
    conflicts = count_conflicts(page.context)
    draft_id = begin(page, origin)
    pemohon = page.url

    # A mistake first: the server keeps what was typed, says what is wrong, and moves its revision on.
    page.fill("#f-nik", "12345")
    page.fill("#f-nama", PERSON["nama"])
    page.get_by_role("button", name=CONTINUE).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-nik")).to_have_value("12345")
    no_conflict(page, draft_id, conflicts)
    for name, value in PERSON.items():
        if name != "jenis_kelamin":
            page.fill(f"#f-{name}", value)
    page.check("#f-jenis_kelamin-2")
    next_step(page, "alamat")
    no_conflict(page, draft_id, conflicts)

    # Typing, waiting for the background sync, then continuing (the form POST and the sync both save).
    for name, value in ADDRESS.items():
        page.fill(f"#f-{name.replace('.', '-')}", value)
    wait_device_synced(page, draft_id)
    next_step(page, "kejadian")
    no_conflict(page, draft_id, conflicts)

    # Offline on the bus: back to the first two steps, change an answer on each.
    page.context.set_offline(True)
    page.goto(pemohon)
    drafts_ready(page)
    page.get_by_label("Tempat lahir").fill("Kota Kendari")
    wait_saved_on_device(page, draft_id, "tempat_lahir", "Kota Kendari")
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_url("**/alamat")
    drafts_ready(page)
    page.get_by_label("Nomor HP").fill("081299990000")
    wait_saved_on_device(page, draft_id, "no_hp", "081299990000")
    page.context.set_offline(False)
    wait_account_has(page, draft_id, "no_hp", "081299990000")
    no_conflict(page, draft_id, conflicts)

    # Online again: the rest, with another mistake (no date) on the way.
    page.goto(pemohon.replace("/pemohon", "/kejadian"))
    drafts_ready(page)
    page.check("#f-alasan")
    page.get_by_role("button", name=CONTINUE).click()
    expect(page.locator(".error-summary")).to_be_visible()
    no_conflict(page, draft_id, conflicts)
    page.fill("#f-tanggal_kejadian", "2026-01-05")
    next_step(page, "keterangan")
    page.fill("#f-nomor_laporan", "SKTLK/123/I/2026")
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_url(lambda url: not url.endswith("/keterangan"))
    while not page.url.endswith("/periksa"):  # where (when several MPPs offer it), then documents
        current = page.url
        page.wait_for_selector("form[data-draft-id] input[type=radio]")
        drafts_ready(page)
        no_conflict(page, draft_id, conflicts)
        page.locator("form[data-draft-id] input[type=radio]").first.check()
        page.get_by_role("button", name=CONTINUE).click()
        page.wait_for_url(lambda url, current=current: url != current)
    drafts_ready(page)
    no_conflict(page, draft_id, conflicts)

    # "Ubah" from the check-answers page: the account holds answers this device never saw (the documents).
    page.locator(f'a[href*="/{draft_id}/kejadian?kembali=periksa"]').first.click()
    page.wait_for_url(lambda url: "/kejadian?kembali=periksa" in url)
    drafts_ready(page)
    page.fill("#f-tanggal_kejadian", "2026-01-06")
    wait_device_synced(page, draft_id)
    page.get_by_role("button", name="Simpan dan kembali ke ringkasan").click()
    page.wait_for_url("**/periksa")
    drafts_ready(page)
    no_conflict(page, draft_id, conflicts)

    answers = draft_row(app, draft_id).answers
    assert answers["tempat_lahir"] == "Kota Kendari" and answers["no_hp"] == "081299990000"
    assert answers["tanggal_kejadian"] == "2026-01-06" and answers["dokumen.kk"]


def two_phones(browser, app, origin, citizen):
    """The same citizen signed in on a second browser (the family laptop): another device, another session."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID", is_mobile=True)
    sign_in_browser(app, context, origin, citizen)
    return context


def edit_on_two_devices(phone, browser, app, origin, citizen):
    """Both devices open the first step; the laptop saves a new name first, the phone then types its own."""
    draft_id = begin(phone, origin)
    laptop_context = two_phones(browser, app, origin, citizen)
    laptop = laptop_context.new_page()
    goto_controlled(laptop, phone.url)
    phone_conflicts = count_conflicts(phone.context)

    laptop.fill("#f-nama", "Siti Rahayu (laptop)")
    wait_account_has(laptop, draft_id, "nama", "Siti Rahayu (laptop)")
    phone.fill("#f-nama", "Siti Rahayu (ponsel)")
    expect(phone.get_by_text(CONFLICT)).to_be_visible()
    expect(phone.locator("#draft-conflict")).to_have_count(1)
    assert draft_row(app, draft_id).answers["nama"] == "Siti Rahayu (laptop)"  # never silently overwritten
    expect(laptop.get_by_text(CONFLICT)).to_have_count(0)
    return draft_id, laptop_context, laptop, phone_conflicts


def test_the_same_draft_edited_on_two_devices_asks_once_and_keeping_mine_saves_mine(
    phone, browser, app, origin, citizen
):
    draft_id, laptop_context, laptop, conflicts = edit_on_two_devices(phone, browser, app, origin, citizen)
    shot(phone, "draft-conflict")
    assert_no_axe_violations(phone)

    phone.get_by_role("button", name=KEEP_MINE).click()

    expect(phone.locator("#draft-conflict")).to_have_count(0)
    wait_account_has(phone, draft_id, "nama", "Siti Rahayu (ponsel)")
    wait_device_synced(phone, draft_id)
    expect(phone.get_by_label("Nama lengkap")).to_have_value("Siti Rahayu (ponsel)")
    assert len(conflicts) == 1
    # The phone goes on typing: no second warning.
    phone.fill("#f-tempat_lahir", "Kendari")
    wait_account_has(phone, draft_id, "tempat_lahir", "Kendari")
    expect(phone.get_by_text(CONFLICT)).to_have_count(0)
    assert len(conflicts) == 1
    laptop_context.close()


def test_the_same_draft_edited_on_two_devices_can_take_the_accounts_answers(phone, browser, app, origin, citizen):
    draft_id, laptop_context, laptop, conflicts = edit_on_two_devices(phone, browser, app, origin, citizen)

    phone.get_by_role("button", name=TAKE_THEIRS).click()

    expect(phone.locator("#draft-conflict")).to_have_count(0)
    expect(phone.get_by_label("Nama lengkap")).to_have_value("Siti Rahayu (laptop)")
    wait_device_synced(phone, draft_id)
    phone.fill("#f-tempat_lahir", "Kendari")
    wait_account_has(phone, draft_id, "tempat_lahir", "Kendari")
    assert draft_row(app, draft_id).answers["nama"] == "Siti Rahayu (laptop)"
    # Continuing sends what the form shows: the laptop's name stays.
    for name, value in PERSON.items():
        if name not in ("jenis_kelamin", "nama"):
            phone.fill(f"#f-{name}", value)
    phone.check("#f-jenis_kelamin-2")
    next_step(phone, "alamat")
    assert draft_row(app, draft_id).answers["nama"] == "Siti Rahayu (laptop)"
    expect(phone.get_by_text(CONFLICT)).to_have_count(0)
    assert len(conflicts) == 1
    laptop_context.close()


def test_an_offline_edit_is_shown_when_the_step_is_reopened_before_it_reached_the_account(phone, app, origin):
    page = phone
    draft_id = begin(page, origin)
    step = page.url
    page.context.set_offline(True)
    page.fill("#f-tempat_lahir", "Kendari")
    wait_saved_on_device(page, draft_id, "tempat_lahir", "Kendari")

    # Back online, but the sync does not get through yet (a flaky link): the draft's saves fail, from the page and
    # from the service worker alike.
    held = f"**/permohonan/draf/{draft_id}"
    page.context.route(held, lambda route: route.abort() if route.request.method == "PUT" else route.fallback())
    page.context.set_offline(False)
    page.goto(step)
    drafts_ready(page)

    expect(page.locator("#f-tempat_lahir")).to_have_value("Kendari")
    expect(page.get_by_text(SAVED_DEVICE)).to_be_visible()  # said plainly: on this phone, not yet on the account
    expect(page.get_by_text(SAVED, exact=True)).to_have_count(0)
    assert draft_row(app, draft_id).answers.get("tempat_lahir", "") == ""
    shot(page, "draft-reopened-pending")
    assert_no_axe_violations(page)

    page.context.unroute(held)
    page.reload()
    drafts_ready(page)
    wait_account_has(page, draft_id, "tempat_lahir", "Kendari")
    expect(page.locator("#f-tempat_lahir")).to_have_value("Kendari")


def test_a_step_rendered_before_the_devices_sync_landed_shows_the_newer_answer(phone, app, origin):
    page = phone
    draft_id = begin(page, origin)
    step = page.url
    page.context.set_offline(True)
    page.fill("#f-tempat_lahir", "Kendari")
    wait_saved_on_device(page, draft_id, "tempat_lahir", "Kendari")
    page.close()
    context = phone.context
    context.set_offline(False)

    # The step is rendered while the account still has the old answer; the worker's sync lands just after.
    stale = context.request.get(step)
    assert 'value="Kendari"' not in stale.text()
    other = context.new_page()
    goto_controlled(other, step)  # its load sends the device's answer
    wait_account_has(other, draft_id, "tempat_lahir", "Kendari")
    other.close()
    again = context.new_page()
    context.route(step, lambda route: route.fulfill(response=stale))  # the worker fetches it: route the context
    again.goto(step)
    drafts_ready(again)

    expect(again.locator("#f-tempat_lahir")).to_have_value("Kendari")
    expect(again.get_by_text(RESTORED)).to_be_visible()
    expect(again.get_by_text(CONFLICT)).to_have_count(0)
    shot(again, "draft-reopened-stale")
    context.unroute(step)
    # "Lanjut" sends what the form shows: the newer answer stays on the account (the other answers are missing,
    # so the step comes back with its errors).
    with again.expect_response(lambda response: response.request.method == "POST"):
        again.get_by_role("button", name=CONTINUE).click()
    expect(again.locator(".error-summary")).to_be_visible()
    expect(again.locator("#f-tempat_lahir")).to_have_value("Kendari")
    assert draft_row(app, draft_id).answers["tempat_lahir"] == "Kendari"
