"""Account models. The user row holds only what identifies the account; personal data lives in Data Saya."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class Role(enum.StrEnum):
    CITIZEN = "warga"
    OFFICER = "petugas"
    MPP_ADMIN = "admin_mpp"
    NATIONAL_ADMIN = "admin_nasional"
    # Issue 13: the MPP's front desk (petugas layanan informasi) helps walk-in citizens apply; sees only the
    # application being made with them (app/frontdesk), never the back office.
    FRONT_DESK = "petugas_informasi"


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int_pk]
    # WebAuthn user handle: 32 random bytes per user. Never the NIK or the e-mail — authenticators show and
    # sync it, and it must not identify the person outside this service.
    webauthn_handle: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Lower-cased; for recovery codes and notices. Unique among live accounts.
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20), default=Role.CITIZEN)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[created_at]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    # --- Flask-Login protocol -------------------------------------------------------------------------------
    # Flask-Login keeps `get_id()` in the signed session cookie. We return the token of a server-side
    # AuthSession row instead of the user id, so that every sign-in can be listed and revoked one by one
    # ("keluar dari semua perangkat") and a stolen cookie dies with its row. `auth_session` and the raw
    # token are set by the user loader (sessions.py) on the instance of this request; they are not columns.
    auth_session = None  # AuthSession | None (plain attributes: not mapped)
    _session_token = None  # str | None

    @property
    def is_authenticated(self) -> bool:
        return self.auth_session is not None

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self._session_token


class AuthSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "auth_session"

    id: Mapped[int_pk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # When the holder last proved possession of a passkey (sign-in counts). Adding or removing passkeys needs
    # this to be recent, so an unlocked phone left on a counter is not enough to take over the account.
    reauthenticated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # A recovery sign-in (recovery code or e-mail code) may only register a new passkey.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(20), default="passkey")
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


class Passkey(db.Model):
    __tablename__ = "passkey"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Unique across ALL users: a registration that reuses an existing credential id is refused.
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(120), default="")  # comma-separated, as the browser said
    backed_up: Mapped[bool] = mapped_column(Boolean, default=False)
    # "multi_device" (synced, e.g. Google Password Manager) or "single_device" (bound to one phone/key).
    device_type: Mapped[str] = mapped_column(String(20), default="single_device")
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[created_at]
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Set when a non-zero signature counter went backwards: a possible cloned authenticator.
    flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def synced(self) -> bool:
        return self.device_type == "multi_device"


class ChallengePurpose(enum.StrEnum):
    SIGN_UP = "daftar"
    SIGN_IN = "masuk"
    ADD_PASSKEY = "tambah_passkey"
    REAUTHENTICATE = "konfirmasi"


class WebAuthnChallenge(db.Model):
    """A one-time WebAuthn challenge, bound to the browser session that asked for it.

    Deleted on the first verification attempt, success or failure, and worthless after `expires_at`.
    A pending sign-up keeps its form answers in `payload`: the account row is only created once the passkey
    is verified, so an abandoned sign-up leaves nothing behind but this short-lived row.
    """

    __tablename__ = "webauthn_challenge"

    id: Mapped[int_pk]
    purpose: Mapped[ChallengePurpose] = mapped_column(str_enum(ChallengePurpose, 20))
    binding: Mapped[str] = mapped_column(String(64), index=True)
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    payload: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))  # argon2id; the code itself is shown once, never stored
    created_at: Mapped[created_at]
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EmailCodePurpose(enum.StrEnum):
    RECOVERY = "pemulihan"
    SIGN_UP = "daftar"
    CHANGE_EMAIL = "ganti_email"  # user_id: the account; email: the NEW address the code was sent to


class EmailCode(db.Model):
    """A 6-digit code sent by e-mail, stored only as an argon2id hash; single use, short-lived, few attempts.

    A recovery code belongs to an account (``user_id``). A sign-up code belongs to an ADDRESS (``email``): no
    account exists yet, and for an address that already has one the row is never linked to it — its code is
    never sent to anyone, so it can only ever be answered wrongly, exactly like a wrong code for a new address.
    """

    __tablename__ = "email_code"

    id: Mapped[int_pk]
    purpose: Mapped[EmailCodePurpose] = mapped_column(
        str_enum(EmailCodePurpose, 20), default=EmailCodePurpose.RECOVERY, server_default=EmailCodePurpose.RECOVERY
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Sign-up codes only: the lower-cased address the code was sent to.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCodeReveal(db.Model):
    """Freshly made recovery codes waiting to be shown to the citizen on /akun/kode-pemulihan (issue 9.11).

    They used to travel in the session cookie, which Flask signs but does not encrypt: anyone who saw the cookie
    (a shared PC's browser profile, a proxy log) had all ten codes. Now the codes are sealed with AES-GCM under a
    random key; only the sealed bytes are stored here and only the key goes to the cookie. Neither alone reveals a
    code. The row belongs to one signed-in browser session and lives until the citizen says the codes are saved,
    for at most ten minutes — so a reload (or a page that failed to load on a weak signal) does not lose them.
    """

    __tablename__ = "recovery_code_reveal"

    id: Mapped[int_pk]
    auth_session_id: Mapped[int] = mapped_column(ForeignKey("auth_session.id", ondelete="CASCADE"), unique=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
