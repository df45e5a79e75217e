"""/verifikasi in a real Chromium at 360 px: genuine, revoked, not found and the form with an error — zero axe
violations in each state."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.results import codes
from app.results.models import ResultVerification, VerificationStatus

from ..accounts.fixtures import sign_in_test_client
from ..backoffice.conftest import submit_application
from ..helpers import look
from .conftest import complete
from .test_results import verification


def test_verification_pages_have_no_axe_violations(app, page, base_url, completed):
    code = codes.display(verification(app, completed).code)
    page.goto(f"{base_url}/verifikasi")
    page.fill("#f-kode", "123")
    page.click("form.verify-form button")
    expect(page.locator("#f-kode-error")).to_be_visible()
    look(page, "verify-form-error")
    page.fill("#f-kode", code.lower().replace("-", " "))
    page.click("form.verify-form button")
    assert page.url.endswith(f"/verifikasi/{code}")
    assert page.locator("h1").inner_text() == "Dokumen asli"
    look(page, "verify-genuine")
    with app.app_context():
        row = db.session.get(ResultVerification, verification(app, completed).id)
        row.status = VerificationStatus.REVOKED
        db.session.commit()
    page.reload()
    assert page.locator("h1").inner_text() == "Dokumen dicabut"
    look(page, "verify-revoked")
    page.goto(f"{base_url}/verifikasi/ABCD-EFGH-JKMN-PQRS-TWXY")
    look(page, "verify-not-found")


def test_a_finished_application_no_longer_shows_an_expected_completion(app, page, base_url, citizen, officer):
    """Issue 14.13: "Perkiraan selesai" stayed on the citizen's page after Selesai. Shown while it runs, gone after."""
    number = submit_application(app, citizen)
    client = app.test_client()
    sign_in_test_client(app, client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.goto(f"{base_url}/permohonan/{number}")
    expect(page.get_by_text("Perkiraan selesai")).to_be_visible()
    complete(app, number, officer)
    page.reload()
    expect(page.locator("main")).to_contain_text("Selesai")
    expect(page.get_by_text("Perkiraan selesai")).to_have_count(0)
    look(page, "finished-application")
