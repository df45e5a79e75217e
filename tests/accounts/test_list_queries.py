"""The account's own lists — signed-in sessions, passkeys, devices that get notifications — cost the same number
of SQL statements whatever their length (each row shows only what is on it)."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from app.accounts.models import AuthSession, Passkey
from app.database import utcnow
from app.extensions import db
from app.notifications.models import PushSubscription

from ..statements import assert_same_statements, statements_of

_serial = itertools.count(1)


def add_rows(app, user, count: int) -> None:
    """``count`` more sessions, passkeys and push devices of ``user``."""
    with app.app_context():
        now = utcnow()
        for _ in range(count):
            n = next(_serial)
            db.session.add(
                AuthSession(
                    token_hash=secrets.token_hex(32),
                    user_id=user.id,
                    last_seen_at=now - dt.timedelta(minutes=n),
                    expires_at=now + dt.timedelta(days=7),
                    user_agent=f"Peramban {n:03d}",
                )
            )
            db.session.add(
                Passkey(user_id=user.id, credential_id=secrets.token_bytes(32), public_key=b"k", name=f"Kunci {n:03d}")
            )
            db.session.add(
                PushSubscription(
                    user_id=user.id,
                    endpoint=f"https://push.contoh.id/{n}",
                    p256dh="p" * 87,
                    auth="a" * 22,
                    device_label=f"Ponsel {n:03d}",
                )
            )
        db.session.commit()


def test_sessions_passkeys_and_devices_take_the_same_statements_for_one_or_many(app, client, citizen, signed_in):
    signed_in(client, citizen)
    add_rows(app, citizen, 1)
    pages = ("/akun/sesi", "/akun/passkey", "/akun/notifikasi")
    few = {url: statements_of(app, client, url) for url in pages}
    add_rows(app, citizen, 15)
    for url in pages:
        many = statements_of(app, client, url)
        assert_same_statements(few[url], many, url)
    assert "Kunci 016" in statements_of(app, client, "/akun/passkey").html
    assert "Ponsel 016" in statements_of(app, client, "/akun/notifikasi").html
