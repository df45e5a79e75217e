"""Issue 9.1 in a real Chromium at 360 px: a national admin resets a staff account from the invitations page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import Passkey, Role
from app.extensions import db

from ..helpers import assert_no_axe_violations, shot
from .test_browser import _no_sideways_scroll, _signed_in_as

pytestmark = pytest.mark.browser


def test_a_national_admin_resets_a_staff_account_on_a_phone(app, page, base_url, make_staff, signed_in, demo):
    page.set_viewport_size({"width": 360, "height": 780})
    officer = make_staff(Role.OFFICER, name="Andi Petugas")
    with app.app_context():
        db.session.add(Passkey(user_id=officer.id, credential_id=b"old-phone", public_key=b"k", name="HP lama"))
        db.session.commit()
    admin = make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional")
    _signed_in_as(app, page, base_url, admin, signed_in)

    page.goto(f"{base_url}/petugas/undangan")
    page.get_by_label("Alamat e-mail akun petugas").fill("bukan-petugas@contoh.id")
    page.get_by_role("button", name="Atur ulang akun").click()
    page.locator("#f-email-reset-error").wait_for()
    assert page.locator("#f-email-reset").input_value() == "bukan-petugas@contoh.id"  # kept as typed
    _no_sideways_scroll(page)
    assert_no_axe_violations(page)
    shot(page, "atur-ulang-galat")

    page.get_by_label("Alamat e-mail akun petugas").fill(officer.email)
    page.get_by_role("button", name="Atur ulang akun").click()
    page.locator("#tautan-baru").wait_for()
    assert "/petugas/undangan/" in page.locator("#tautan-baru").input_value()
    page.get_by_text("telah diatur ulang").wait_for()
    _no_sideways_scroll(page)
    assert_no_axe_violations(page)
    shot(page, "atur-ulang-tautan")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == officer.id)) == 0
