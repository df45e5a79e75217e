"""Agency-system tokens: made by an MPP admin, shown once, stored hashed, scoped, expiring, revocable.

A token reads ``mppd_`` + 43 URL-safe characters (256 random bits). The prefix lets secret scanners recognise a
leaked one. Authentication is by the ``Authorization: Bearer`` header only — never a cookie — so cross-site request
forgery, which rides on cookies, cannot reach the agency endpoints (app/security.py exempts the API from CSRF for
that reason and no other).

What a token may touch is a back-office ``Scope`` built from the token: officer of its agency at its MPPs. The
workflow, the officer's casework functions, the audit log and Riwayat akses are then reused unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User
from ..backoffice import audit
from ..backoffice.models import AuditAction
from ..backoffice.scope import Scope
from ..catalog.models import Agency, Mpp, Service
from ..database import utcnow
from ..extensions import db
from .models import ApiToken, Permission
from .problems import Problem

log = logging.getLogger(__name__)

PREFIX = "mppd_"
MAX_LIFETIME = dt.timedelta(days=366)  # a token is renewed at least yearly: a forgotten one dies on its own
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)  # don't write the row on every call of a busy system
SYSTEM_EMAIL_DOMAIN = "sistem.invalid"  # RFC 2606: can never receive mail, so can never recover an account


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    *,
    name: str,
    agency: Agency,
    mpps: list[Mpp],
    permissions: list[Permission],
    expires_at: dt.datetime,
    created_by: User | None,
) -> tuple[ApiToken, str]:
    """A new token and its one-time plain value (shown once to the admin, never stored). Commits."""
    raw = PREFIX + secrets.token_urlsafe(32)
    system_user = User(
        webauthn_handle=secrets.token_bytes(32),
        display_name=f"Sistem {name}"[:120],
        email=f"api-{secrets.token_hex(12)}@{SYSTEM_EMAIL_DOMAIN}",
        role=Role.OFFICER,
    )
    token = ApiToken(
        name=name,
        agency_id=agency.id,
        system_user=system_user,
        token_hash=hash_token(raw),
        token_prefix=raw[: len(PREFIX) + 6],
        permissions=sorted(permission.value for permission in permissions),
        created_by_id=created_by.id if created_by else None,
        expires_at=expires_at,
    )
    token.mpps = list(mpps)
    db.session.add(token)
    db.session.flush()
    if created_by is not None:
        for mpp in mpps:
            audit.record(
                actor=created_by,
                action=AuditAction.API_TOKEN_CREATED,
                mpp_id=mpp.id,
                object_type="api_token",
                object_id=token.id,
                reason=f"{name} ({', '.join(token.permissions)})",
            )
    db.session.commit()
    return token, raw


def revoke_token(token: ApiToken, *, by: User | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if by is not None:
            for mpp in token.mpps:
                audit.record(
                    actor=by,
                    action=AuditAction.API_TOKEN_REVOKED,
                    mpp_id=mpp.id,
                    object_type="api_token",
                    object_id=token.id,
                    reason=token.name,
                )
        db.session.commit()


def scope_of_token(token: ApiToken) -> Scope:
    """Officer of the token's agency at each of its MPPs: exactly what an officer's assignments would give."""
    services = tuple(db.session.scalars(select(Service.id).where(Service.agency_id == token.agency_id)))
    return Scope(
        user=token.system_user,
        officer_pairs=frozenset((token.agency_id, mpp.id) for mpp in token.mpps),
        agency_services={token.agency_id: services},
    )


def bearer_value() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rate_limit_key() -> str:
    """Per token (hashed), so one busy system cannot starve another behind the same NAT; per IP without one."""
    raw = bearer_value()
    return f"api-token:{hash_token(raw)[:32]}" if raw else f"api-ip:{request.remote_addr}"


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="mpp-digital-api"'}


def _refuse(token: ApiToken, code: str, detail, *, headers: dict | None = None) -> Problem:
    """An identified token refused (expired, revoked, lacking a permission): recorded in the audit log of each of
    its MPPs, so the MPP admin sees a misconfigured or stolen token being tried."""
    for mpp in token.mpps:
        audit.record(
            actor=token.system_user,
            action=AuditAction.API_REFUSED,
            mpp_id=mpp.id,
            object_type="api_token",
            object_id=token.id,
            reason=f"{code} {request.method} {request.path}"[:500],
        )
    db.session.commit()
    return Problem(code, detail, headers=headers)


def authenticate(permission: Permission) -> ApiToken:
    """The token of this request, if live and allowed ``permission``; else raises the right Problem."""
    raw = bearer_value()
    if raw is None:
        raise Problem(
            "token-tidak-ada", _("Send the agency system's token: Authorization: Bearer <token>."), headers=_CHALLENGE
        )
    if len(raw) > 200 or not raw.isascii():
        raise Problem("token-tidak-valid", _("The token is not valid."), headers=_CHALLENGE)
    digest = hash_token(raw)
    # One round trip: the token with its MPPs and system user, which every call's scope and audit need.
    token = (
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.token_hash == digest)
            .options(joinedload(ApiToken.mpps), joinedload(ApiToken.system_user))
        )
        .unique()
        .first()
    )
    # compare_digest: the lookup is by an index, but the final comparison should not leak timing anyway
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        log.info("api: unknown token %s… from %s", raw[:10], request.remote_addr)
        raise Problem("token-tidak-valid", _("The token is not valid."), headers=_CHALLENGE)
    now = utcnow()
    if token.revoked_at is not None:
        raise _refuse(token, "token-dicabut", _("This token was revoked by the MPP administrator."), headers=_CHALLENGE)
    if token.expires_at <= now:
        raise _refuse(
            token,
            "token-kedaluwarsa",
            _("This token has expired. Ask the MPP administrator for a new one."),
            headers=_CHALLENGE,
        )
    if not token.allows(permission):
        raise _refuse(
            token,
            "izin-kurang",
            _("This token does not have the permission %(permission)s.", permission=permission.value),
        )
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
        db.session.commit()
    g.api_token = token
    return token


def current_token() -> ApiToken:
    return g.api_token
