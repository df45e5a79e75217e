"""/verifikasi in a real Chromium at 360 px: genuine, revoked, not found and the form with an error — zero axe
violations in each state."""

from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.results import codes
from app.results.models import ResultVerification, VerificationStatus

from ..helpers import assert_no_axe_violations, shot
from .test_results import verification


def look(page, name: str) -> None:
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, name)


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
