"""The citizen's side of the journey fixes in Chromium at 360 px: the declaration error is seen and focused, a draft
is deleted only after a second, separate confirmation, and the birth-certificate form asks for the parents' KTP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.applications import drafts
from app.catalog.models import Service
from app.extensions import db
from tests.accounts.fixtures import sign_in_test_client
from tests.helpers import look, shot, wait_for_arrival

from .conftest import add_document, applications, complete_draft

pytestmark = pytest.mark.browser


@pytest.fixture
def citizen_page(app, page, base_url, citizen, demo_forms):
    client = app.test_client()
    sign_in_test_client(app, client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return page


def test_submitting_without_the_declaration_shows_a_focused_summary_at_the_top_of_the_same_address(
    app, citizen_page, base_url, citizen
):
    page = citizen_page
    draft_id = complete_draft(app, citizen)
    check_url = f"{base_url}/permohonan/draf/{draft_id}/periksa"
    page.goto(check_url)
    page.get_by_role("button", name="Ajukan permohonan").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # the first thing a screen reader hears, on screen at the top
    expect(summary).to_contain_text("Centang pernyataan untuk mengajukan permohonan Anda.")
    assert page.url == check_url  # not …/kirim
    assert page.evaluate("document.querySelector('.error-summary').getBoundingClientRect().top") < 400
    look(page, "jb-01-pernyataan-galat")
    summary.get_by_role("link").click()
    expect(page.locator("#f-pernyataan")).to_be_focused()
    assert applications(app) == []
    # Opening the address again (a refresh, a shared link) is the summary, never a 404.
    response = page.goto(check_url)
    assert response.status == 200
    page.check("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    wait_for_arrival(page, re.compile(r".*/permohonan/[0-9A-Z-]+\?terkirim=1$"))
    expect(page.locator(".confirmation h2")).to_have_text("Permohonan Anda telah diajukan")


def test_a_draft_is_deleted_only_from_a_separate_confirmation(app, citizen_page, base_url, citizen):
    page = citizen_page
    draft_id = complete_draft(app, citizen)
    page.goto(f"{base_url}/permohonan")
    delete = page.locator(".draft-delete a")
    proceed = page.get_by_role("link", name=re.compile("^Lanjut"))
    # Away from the primary button: on its own line below it, not beside it.
    assert delete.bounding_box()["y"] >= proceed.bounding_box()["y"] + proceed.bounding_box()["height"]
    shot(page, "jb-02-daftar-draf")
    delete.click()
    page.wait_for_url(f"{base_url}/permohonan/draf/{draft_id}/hapus")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hapus draf ini?")
    look(page, "jb-03-hapus-draf")
    page.get_by_role("link", name="Tidak, simpan draf").click()
    page.wait_for_url(re.compile(rf".*/permohonan/draf/{draft_id}/\w+"))
    with app.app_context():
        assert drafts.get_draft(db.session.get(User, citizen.id), draft_id) is not None

    page.goto(f"{base_url}/permohonan/draf/{draft_id}/hapus")
    page.get_by_role("button", name="Ya, hapus draf").click()
    page.wait_for_url(f"{base_url}/permohonan")
    expect(page.locator("main")).to_contain_text("Draf telah dihapus.")
    with app.app_context():
        assert drafts.get_draft(db.session.get(User, citizen.id), draft_id) is None


def test_the_birth_certificate_form_has_a_slot_for_every_document_of_the_standard(app, citizen_page, base_url, citizen):
    page = citizen_page
    add_document(app, citizen, "ktp")
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        service = db.session.scalar(select(Service).where(Service.slug == "akta-kelahiran"))
        draft = drafts.start_draft(owner, service)
        draft_id = draft.public_id
        wanted = [r.description for r in service.requirements if r.kind.value == "dokumen"]
    page.goto(f"{base_url}/permohonan/draf/{draft_id}/dokumen")
    legends = [" ".join(t.split()) for t in page.locator("fieldset.document-choice legend").all_inner_texts()]
    assert [legend.split(" (")[0] for legend in legends] == wanted
    assert "KTP-el orang tua atau pelapor" in legends
    # The citizen's KTP-el from Dokumen Saya is offered in that slot.
    expect(page.locator("#f-dokumen-ktp-group input[type=radio]")).to_have_count(1)
    look(page, "jb-04-dokumen-akta")
