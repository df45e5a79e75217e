"""/admin/integrasi: tokens for agency systems and their webhooks, per MPP (MPP admins and national admins)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Role
from ..api import hooks
from ..backoffice.scope import current_scope, staff_required
from ..catalog.models import Mpp
from ..database import utcnow
from ..extensions import db
from ..pagination import page_number
from . import admin

bp = Blueprint("integrations", __name__, url_prefix="/admin/integrasi")

ADMINS = (Role.MPP_ADMIN, Role.NATIONAL_ADMIN)


@bp.context_processor
def _helpers() -> dict:
    # The admin menu (admin/_macros.html) shows "Regions" to national admins.
    return {"current_scope_national": getattr(g.get("staff_scope"), "national", False)}


def _mpp_or_404(slug: str) -> Mpp:
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == slug[:120]))
    if mpp is None or not current_scope().administers_mpp(mpp.id):
        abort(404)
    return mpp


def _page(mpp: Mpp, *, values=None, errors=None, new_token=None, new_webhook=None, status=200):
    tokens = admin.tokens_of(mpp, page=page_number(request.args))
    return render_template(
        "integrations/mpp.html",
        new_webhook=new_webhook,
        event_labels=hooks.EVENT_LABELS,
        webhook_field=admin.webhook_field,
        mpp=mpp,
        tokens=tokens,
        hooks=admin.endpoints_with_deliveries(tokens),
        agencies=admin.tenant_agencies(mpp),
        permission_labels=admin.PERMISSION_LABELS,
        lifetimes=admin.LIFETIMES,
        values=values or {"masa": "90"},
        errors=errors or {},
        new_token=new_token,
        now=utcnow(),
    ), status


@bp.get("/mpp/<slug>")
@staff_required(*ADMINS)
def mpp_page(slug: str):
    return _page(_mpp_or_404(slug))


@bp.post("/mpp/<slug>")
@staff_required(*ADMINS)
def create_token(slug: str):
    mpp = _mpp_or_404(slug)
    scope = current_scope()
    try:
        wanted = admin.parse_request(request.form, mpp=mpp, scope=scope)
    except admin.Invalid as invalid:
        return _page(mpp, values=request.form.to_dict(), errors=invalid.errors, status=422)
    _token, raw = admin.create(wanted, by=scope.user)
    # Shown in this answer only (never stored, never in a redirect or the session): the page is no-store.
    return _page(mpp, new_token=raw)


@bp.post("/token/<int:token_id>/webhook")
@staff_required(*ADMINS)
def create_webhook(token_id: int):
    scope = current_scope()
    token = admin.token_in_scope(token_id, scope) or abort(404)
    mpp = next(m for m in token.mpps if scope.administers_mpp(m.id))
    if not token.is_live(utcnow()):  # a page opened before the token was revoked: its form is gone now
        flash(_("This token is revoked or expired; create a new token."), "error")
        return redirect(url_for("integrations.mpp_page", slug=mpp.slug), code=303)
    try:
        endpoint = admin.create_webhook(token, request.form)
    except admin.Invalid as invalid:
        return _page(mpp, values={"masa": "90", **request.form.to_dict()}, errors=invalid.errors, status=422)
    # The signing secret, like a new token, is shown in this answer only (the page is no-store).
    return _page(mpp, new_webhook=endpoint)


@bp.post("/token/<int:token_id>/cabut")
@staff_required(*ADMINS)
def revoke_token(token_id: int):
    scope = current_scope()
    token = admin.token_in_scope(token_id, scope) or abort(404)
    from ..api.tokens import revoke_token as revoke

    revoke(token, by=scope.user)
    flash(_("The token was revoked. The system can no longer call the API with it."), "success")
    mpp = next(m for m in token.mpps if scope.administers_mpp(m.id))
    return redirect(url_for("integrations.mpp_page", slug=mpp.slug), code=303)


@bp.post("/pesan/<int:message_id>/kirim-ulang")
@staff_required(*ADMINS)
def resend(message_id: int):
    scope = current_scope()
    message = admin.message_in_scope(message_id, scope) or abort(404)
    admin.resend(message)
    flash(_("The message will be sent again; its attempts start from zero."), "success")
    mpp = next(m for m in message.endpoint.token.mpps if scope.administers_mpp(m.id))
    return redirect(url_for("integrations.mpp_page", slug=mpp.slug), code=303)


# --- catalog import/export (issue 12 point 8): national admins, as one document spans every MPP ---------------------

MAX_CATALOG_BYTES = 8 * 1024 * 1024  # 400 services × 270 MPPs of standards is a few MB of JSON


@bp.get("/katalog")
@staff_required(Role.NATIONAL_ADMIN)
def catalog_page():
    return render_template("integrations/catalog.html", report=None, error=None, apply=False)


@bp.post("/katalog")
@staff_required(Role.NATIONAL_ADMIN)
def catalog_import():
    from ..catalog import catalog_io

    upload = request.files.get("berkas")
    apply = request.form.get("terapkan") == "1"
    raw = upload.stream.read(MAX_CATALOG_BYTES + 1) if upload and upload.filename else b""
    error = None
    is_csv = bool(upload and upload.filename and upload.filename.lower().endswith(".csv"))
    if not raw:
        error = _("Choose the catalog file (JSON) or the service list (CSV) to import.")
    elif len(raw) > MAX_CATALOG_BYTES:
        error = _("The file is larger than 8 MB.")
    report = None
    if error is None:
        try:
            if is_csv:
                report = catalog_io.import_csv(raw, apply=apply)
            else:
                report = catalog_io.import_catalog(catalog_io.parse(raw), apply=apply)
        except catalog_io.NotACatalog:
            error = (
                _(
                    "This CSV is not the service list: its first row must name the columns, slug and some of %(cols)s.",
                    cols=", ".join(catalog_io.SERVICE_COLUMNS[1:]),
                )
                if is_csv
                else _("This file is not an MPP Digital catalog document (see the JSON Schema).")
            )
    if error is not None:
        return render_template("integrations/catalog.html", report=None, error=error, apply=apply), 422
    if report.applied:
        db.session.commit()
    return render_template("integrations/catalog.html", report=report, error=None, apply=apply)


def _download(body: str, mimetype: str, filename: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/katalog/ekspor")
@staff_required(Role.NATIONAL_ADMIN)
def catalog_export():
    from ..catalog import catalog_io

    body = json.dumps(catalog_io.export_catalog(), ensure_ascii=False, indent=1)
    return _download(body, "application/json", "katalog-mpp-digital.json")


@bp.get("/katalog/ekspor-layanan")
@staff_required(Role.NATIONAL_ADMIN)
def catalog_export_csv():
    from ..catalog import catalog_io

    return _download(catalog_io.services_csv(catalog_io.export_catalog()), "text/csv", "layanan-mpp-digital.csv")


@bp.get("/katalog/skema")
@staff_required(Role.NATIONAL_ADMIN)
def catalog_schema():
    from ..catalog import catalog_io

    return _download(json.dumps(catalog_io.CATALOG_SCHEMA, indent=1), "application/schema+json", "katalog.schema.json")
