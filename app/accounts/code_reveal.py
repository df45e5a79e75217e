"""Showing new recovery codes without putting them in the cookie: sealed server-side, the key in the cookie.

Why not in the cookie (as it was): Flask's session cookie is signed, not encrypted — base64 that anyone holding the
cookie can read. Why not plainly in the database: the codes are otherwise stored only as argon2 hashes, and a
backup taken in those minutes would hold them in clear. Why not only in the POST response that makes them: a
sign-up makes them in a JSON ceremony step, and a reload of a POST response either loses them or makes new ones.

So: AES-GCM with a fresh random key per reveal. The sealed bytes live in ``RecoveryCodeReveal`` (bound to the
signed-in session, associated data = that session's id, so a row cannot be opened under another session); the
key lives in the session cookie. The page shows the codes on every load until the citizen confirms they are saved
(or ten minutes pass, or the session ends), then the row is deleted and the key is worthless.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select

from ..database import utcnow
from ..extensions import db
from .models import AuthSession, RecoveryCodeReveal

REVEAL_TTL = dt.timedelta(minutes=10)
_NONCE_BYTES = 12


def _associated(auth_session: AuthSession) -> bytes:
    return f"recovery-codes:{auth_session.id}".encode()


def keep(auth_session: AuthSession, codes: list[str]) -> str:
    """Seal ``codes`` for ``auth_session`` and commit; returns the key, for the session cookie (base64url)."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + AESGCM(key).encrypt(nonce, json.dumps(codes).encode(), _associated(auth_session))
    now = utcnow()
    db.session.execute(delete(RecoveryCodeReveal).where(RecoveryCodeReveal.expires_at < now))
    db.session.execute(delete(RecoveryCodeReveal).where(RecoveryCodeReveal.auth_session_id == auth_session.id))
    db.session.add(RecoveryCodeReveal(auth_session_id=auth_session.id, sealed=sealed, expires_at=now + REVEAL_TTL))
    db.session.commit()
    return base64.urlsafe_b64encode(key).decode()


def reveal(auth_session: AuthSession, key: str | None) -> list[str] | None:
    """The codes sealed for this session under ``key``, while they may still be shown; else None."""
    if not key:
        return None
    row = db.session.scalar(
        select(RecoveryCodeReveal).where(
            RecoveryCodeReveal.auth_session_id == auth_session.id, RecoveryCodeReveal.expires_at > utcnow()
        )
    )
    if row is None:
        return None
    try:
        raw_key = base64.urlsafe_b64decode(key.encode())
        nonce, body = row.sealed[:_NONCE_BYTES], row.sealed[_NONCE_BYTES:]
        codes = json.loads(AESGCM(raw_key).decrypt(nonce, body, _associated(auth_session)))
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return [str(code) for code in codes] if isinstance(codes, list) else None


def forget(auth_session: AuthSession) -> None:
    """The citizen has saved the codes: nothing of them is kept any more."""
    db.session.execute(delete(RecoveryCodeReveal).where(RecoveryCodeReveal.auth_session_id == auth_session.id))
    db.session.commit()
