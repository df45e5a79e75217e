"""Kiosk mode for an MPP's self-service tablet: /kios/<mpp-slug>.

What makes it a kiosk, not just smaller pages:
- no account: nothing here signs in or reads a signed-in user; the pages have no account menu;
- nothing kept: every page is ``no-store`` (none is a ``@public_page``), the kiosk's own layout loads no service
  worker and no offline-drafts script, and the session ends after inactivity and on "Selesai" — both go to
  /kios/<slug>/selesai, whose ``Clear-Site-Data`` removes cookies, Cache Storage, IndexedDB and any service worker
  of the origin from the tablet (a tablet browser that was once used for the full site included);
- status by tracking number AND status code (status.py), never by number alone.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts import sessions
from ..applications import workflow
from ..catalog.models import Mpp, Service, ServiceOffering
from ..extensions import db, limiter
from ..queue.counter import CounterRefused, self_check_in
from . import status as kiosk_status

bp = Blueprint("kiosk", __name__)

IDLE_SECONDS = 90  # a person who walked away: the next one starts clean
RETURN_SECONDS = 6  # the "Terima kasih" screen, then the kiosk's home again


@bp.app_template_global("kiosk_status_code")
def _kiosk_status_code(application) -> str:
    return kiosk_status.status_code(application)


def _mpp_or_404(slug: str) -> Mpp:
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == slug))
    if mpp is None:
        abort(404)
    return mpp


def _services(mpp: Mpp, query: str = "") -> list[Service]:
    rows = db.session.scalars(
        select(Service)
        .join(ServiceOffering, ServiceOffering.service_id == Service.id)
        .where(ServiceOffering.mpp_id == mpp.id)
        .options(joinedload(Service.agency))  # each row names its agency: joined, not loaded one agency at a time
        .order_by(Service.name)
    ).unique()
    words = query.lower().split()
    return [s for s in rows if all(w in f"{s.name} {s.keywords}".lower() for w in words)]


def _page(template: str, mpp: Mpp, **context):
    return render_template(
        template,
        mpp=mpp,
        idle_seconds=current_app.config.get("KIOSK_IDLE_SECONDS", IDLE_SECONDS),
        **context,
    )


@bp.get("/kios/<slug>")
def home(slug: str):
    return _page("kiosk/home.html", _mpp_or_404(slug))


@bp.get("/kios/<slug>/layanan")
def services(slug: str):
    mpp = _mpp_or_404(slug)
    query = (request.args.get("q") or "").strip()[:100]
    return _page("kiosk/services.html", mpp, services=_services(mpp, query), query=query)


@bp.get("/kios/<slug>/layanan/<service_slug>")
def service(slug: str, service_slug: str):
    mpp = _mpp_or_404(slug)
    found = next((s for s in _services(mpp) if s.slug == service_slug), None)
    if found is None:
        abort(404)
    return _page("kiosk/service.html", mpp, service=found)


@bp.route("/kios/<slug>/antrean", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def check_in(slug: str):
    mpp = _mpp_or_404(slug)
    code = (request.form.get("kode") or "")[:20]
    if request.method == "GET":
        return _page("kiosk/check_in.html", mpp, booking=None, error=None, code="")
    try:
        booking = self_check_in(mpp_id=mpp.id, code=code)
    except CounterRefused as refused:
        return _page("kiosk/check_in.html", mpp, booking=None, error=refused.message, code=code), 422
    return _page("kiosk/check_in.html", mpp, booking=booking, error=None, code="")


@bp.route("/kios/<slug>/status", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def status(slug: str):
    mpp = _mpp_or_404(slug)
    if request.method == "GET":
        return _page("kiosk/status.html", mpp, application=None, errors={}, values={})
    values = {"nomor": (request.form.get("nomor") or "")[:40], "kode": (request.form.get("kode") or "")[:20]}
    errors = {}
    if not values["nomor"].strip():
        errors["nomor"] = _("Enter the tracking number from your receipt.")
    if not values["kode"].strip():
        errors["kode"] = _("Enter the status check code from your receipt.")
    application = None if errors else kiosk_status.find(values["nomor"], values["kode"])
    if not errors and application is None:
        errors["nomor"] = _("No application matches this number and code. Check both on your receipt.")
    if errors:
        return _page("kiosk/status.html", mpp, application=None, errors=errors, values=values), 422
    return _page(
        "kiosk/status.html",
        mpp,
        application=application,
        errors={},
        values={},
        status_label=workflow.status_label(application.status),
        next_step=workflow.NEXT_STEPS.get(application.status),
        tz_name=application.mpp.timezone if application.mpp else mpp.timezone,
    )


@bp.get("/kios/<slug>/selesai")
def finish(slug: str):
    """The end of one person's visit: everything of theirs leaves the tablet. A GET, so the inactivity timer can
    come here without a form. Its only effect on the server: an account someone signed in to on this tablet (the
    kiosk never offers it, but a browser is a browser) is signed out, not merely forgotten by the device."""
    mpp = _mpp_or_404(slug)
    if current_user.is_authenticated:
        sessions.end_session(current_user.auth_session)
    response = current_app.make_response(_page("kiosk/done.html", mpp, return_seconds=RETURN_SECONDS))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
