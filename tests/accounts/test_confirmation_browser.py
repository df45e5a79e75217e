"""Issue 9.8 in a real Chromium: a stale session asked to delete the account is sent to confirm with its passkey
(static/js/passkeys.js, virtual authenticator), comes back to the privacy page, and only then can delete."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.accounts.models import AuthSession, User
from app.database import utcnow
from app.extensions import db

from ..helpers import assert_no_axe_violations, shot
from .test_browser import add_authenticator, sign_up

pytestmark = pytest.mark.browser


def _make_stale(app) -> None:
    with app.app_context():
        db.session.execute(AuthSession.__table__.update().values(reauthenticated_at=utcnow() - dt.timedelta(minutes=6)))
        db.session.commit()


def test_a_stale_session_confirms_with_its_passkey_before_the_account_is_deleted(app, page, base_url, mailbox):
    page.set_viewport_size({"width": 360, "height": 780})
    add_authenticator(page)
    sign_up(page, base_url, mailbox)
    _make_stale(app)

    page.goto(f"{base_url}/akun/privasi")
    page.fill("#f-confirmation", "HAPUS AKUN SAYA")
    page.click("button:has-text('Hapus akun saya')")
    page.wait_for_url(re.compile(r".*/akun/konfirmasi\?next=(/|%2F)akun(/|%2F)privasi$"))
    page.get_by_text("Konfirmasi dulu").wait_for()
    with app.app_context():
        assert db.session.scalar(select(User.deleted_at)) is None  # refused: nothing was deleted
    shot(page, "konfirmasi-passkey")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Konfirmasi dengan passkey saya").click()
    page.wait_for_url(f"{base_url}/akun/privasi")
    page.fill("#f-confirmation", "HAPUS AKUN SAYA")
    page.click("button:has-text('Hapus akun saya')")
    page.wait_for_url(f"{base_url}/akun/dihapus")
    with app.app_context():
        assert db.session.scalar(select(User.deleted_at)) is not None
