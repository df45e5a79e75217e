"""The MPP admin's side of agency-system integration: make and revoke tokens, see webhook endpoints and resend.

Rules live here; routes.py only parses and renders. An MPP admin manages the tokens that include one of their MPPs,
for agencies that are tenants there; a national admin, every MPP's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..api import hooks, tokens, webhooks
from ..api.models import ApiToken, Permission, WebhookEndpoint, WebhookEvent, WebhookMessage, api_token_mpp
from ..api.problems import Problem
from ..backoffice.scope import Scope
from ..catalog.models import Agency, Mpp, Tenancy
from ..database import utcnow
from ..extensions import db
from ..pagination import Page, paginate

LIFETIMES = (30, 90, 180, 365)  # days; tokens.MAX_LIFETIME caps it at a year
NAME_MAX = 120
TOKENS_PAGE_SIZE = 10  # tokens per page, each with its endpoints and their newest deliveries

PERMISSION_LABELS = {
    Permission.READ_APPLICATIONS: _l("Read applications and their documents"),
    Permission.TRANSITION: _l("Change the status of applications"),
    Permission.UPLOAD_RESULT: _l("Complete applications with the result document"),
    Permission.WEBHOOKS: _l("Register webhooks"),
}


class Invalid(Exception):
    def __init__(self, errors: dict) -> None:
        super().__init__("invalid")
        self.errors = errors


@dataclass
class TokenRequest:
    name: str
    agency: Agency
    mpps: list[Mpp]
    permissions: list[Permission]
    expires_at: dt.datetime


def tenant_agencies(mpp: Mpp) -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency)
            .join(Tenancy, Tenancy.agency_id == Agency.id)
            .where(Tenancy.mpp_id == mpp.id)
            .order_by(Agency.name)
        )
    )


def parse_request(form, *, mpp: Mpp, scope: Scope) -> TokenRequest:
    """Check the admin's form. Every MPP chosen must be one the admin administers and have the agency as tenant."""
    errors = {}
    name = " ".join((form.get("nama") or "").split())
    if not name:
        errors["nama"] = _l("Name the agency system, e.g. SIAK Disdukcapil.")
    elif len(name) > NAME_MAX:
        errors["nama"] = _l("At most %(max)d characters.", max=NAME_MAX)
    agency = None
    agency_raw = form.get("instansi") or ""
    agencies = {str(agency.id): agency for agency in tenant_agencies(mpp)}
    agency = agencies.get(agency_raw)
    if agency is None:
        errors["instansi"] = _l("Choose an agency that serves at this MPP.")
    mpps = [mpp]
    chosen_permissions = [p for p in Permission if form.get(f"izin-{p.value}")]
    if not chosen_permissions:
        errors["izin"] = _l("Choose at least one permission.")
    days = form.get("masa") or ""
    if days not in {str(d) for d in LIFETIMES}:
        errors["masa"] = _l("Choose how long the token is valid.")
    if errors:
        raise Invalid(errors)
    return TokenRequest(
        name=name,
        agency=agency,
        mpps=mpps,
        permissions=chosen_permissions,
        expires_at=utcnow() + dt.timedelta(days=int(days)),
    )


def create(request: TokenRequest, *, by) -> tuple[ApiToken, str]:
    return tokens.create_token(
        name=request.name,
        agency=request.agency,
        mpps=request.mpps,
        permissions=request.permissions,
        expires_at=request.expires_at,
        created_by=by,
    )


def tokens_of(mpp: Mpp, *, page: int = 1) -> Page[ApiToken]:
    """One page of the MPP's tokens, live ones first, newest first, with their agency and MPPs."""
    query = (
        select(ApiToken)
        .join(api_token_mpp, api_token_mpp.c.token_id == ApiToken.id)
        .where(api_token_mpp.c.mpp_id == mpp.id)
        .options(selectinload(ApiToken.agency), selectinload(ApiToken.mpps))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return paginate(query, number=page, size=TOKENS_PAGE_SIZE)


def token_in_scope(token_id: int, scope: Scope) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    if token is None or not any(scope.administers_mpp(mpp.id) for mpp in token.mpps):
        return None
    return token


def endpoints_with_deliveries(tokens, *, limit: int = 10) -> dict[int, list[tuple[WebhookEndpoint, list]]]:
    """For each token on the page: its endpoints, each with its newest deliveries — three statements in all."""
    endpoints = hooks.endpoints_of_tokens([token.id for token in tokens])
    logs = hooks.recent_deliveries([e.id for found in endpoints.values() for e in found], limit=limit)
    return {
        token_id: [(endpoint, logs.get(endpoint.id, [])) for endpoint in found] for token_id, found in endpoints.items()
    }


def message_in_scope(message_id: int, scope: Scope) -> WebhookMessage | None:
    message = db.session.get(WebhookMessage, message_id)
    if message is None or token_in_scope(message.endpoint.token_id, scope) is None:
        return None
    return message


def resend(message: WebhookMessage) -> None:
    webhooks.resend(message)


# --- webhook endpoints, registered by the admin for an agency system (the API's POST /webhooks, same rules) --------


def webhook_field(token_id: int, name: str) -> str:
    """Form field names carry the token id: each live token has its own form on the page."""
    return f"{name}-{token_id}"


def create_webhook(token: ApiToken, form) -> WebhookEndpoint:
    """Register an endpoint for ``token`` from the admin's form: the same checks as the API (https to a public host,
    no internal address, known events, at most 10 per token). Raises Invalid with the message for each field."""
    if not token.is_live(utcnow()):
        raise Invalid({webhook_field(token.id, "url"): _l("This token is revoked or expired; create a new token.")})
    url = " ".join((form.get(webhook_field(token.id, "url")) or "").split())
    events = [event.value for event in WebhookEvent if form.get(webhook_field(token.id, f"peristiwa-{event.value}"))]
    try:
        return hooks.create_endpoint(token, url=url, events=events)
    except Problem as problem:
        errors = problem.extra.get("errors") or {}
        fields = {"url": "url", "events": "peristiwa"}
        mapped = {webhook_field(token.id, fields.get(key, "url")): message for key, message in errors.items()}
        if not mapped:
            mapped[webhook_field(token.id, "url")] = problem.detail
        raise Invalid(mapped) from None
