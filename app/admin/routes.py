"""/admin: the catalog admin. Thin views — find the object through the staff scope, call one use case, 303.

MPP admins see and edit only their MPP(s): another MPP, its tenancy or a service not offered there is a 404,
exactly like something that does not exist (scope.py's rule). National admins manage regions and MPPs too.
A service standard is shared by every MPP that offers the service (the catalog keeps one standard per service),
so an MPP admin may edit it when their MPP offers it; the page says how many other MPPs it applies to, and the
history row carries the editor's MPP.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..backoffice import sla
from ..backoffice.scope import current_scope, staff_required
from ..catalog.hours import day_names
from ..catalog.models import (
    Agency,
    DocumentType,
    DurationUnit,
    Mpp,
    Region,
    RegionKind,
    RequirementKind,
    Service,
    ServiceOffering,
    Tenancy,
)
from ..extensions import db
from ..i18n import current_language
from ..pagination import page_number
from . import catalog_edit as edit

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMINS = (Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
BLANK_ROWS = 2  # empty rows offered under each list of a standard, for adding without JavaScript


@bp.context_processor
def _helpers() -> dict:
    return {
        "weekday_names": day_names(current_language()),
        "duration_units": [u.value for u in DurationUnit],
        "requirement_kinds": [k.value for k in RequirementKind],
        "document_types": [d.value for d in DocumentType],
        "slots": range(1, edit.SLOTS_PER_DAY + 1),
        "current_scope_national": getattr(g.get("staff_scope"), "national", False),
    }


def _mpp_or_404(slug: str) -> Mpp:
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == slug))
    if mpp is None or not current_scope().administers_mpp(mpp.id):
        abort(404)
    return mpp


def _with_counters(mpp: Mpp) -> Mpp:
    """The MPP with what its page lists loaded alongside — every counter with its agency and own hours, the MPP's
    hours and offerings — in a fixed number of statements instead of one per counter."""
    return db.session.scalar(
        select(Mpp)
        .where(Mpp.id == mpp.id)
        .options(
            selectinload(Mpp.tenancies).joinedload(Tenancy.agency),
            selectinload(Mpp.tenancies).selectinload(Tenancy.hours),
            selectinload(Mpp.hours),
            selectinload(Mpp.offerings),
        )
        .execution_options(populate_existing=True)
    )


def _national_or_404() -> None:
    if not current_scope().national:
        abort(404)


def _mpps_in_scope() -> list[Mpp]:
    scope = current_scope()
    query = select(Mpp).order_by(Mpp.name)
    if not scope.national:
        query = query.where(Mpp.id.in_(sorted(scope.admin_mpps)))
    return list(db.session.scalars(query))


@bp.get("")
@staff_required(*ADMINS)
def home():
    scope = current_scope()
    mpp_ids = None if scope.national else sorted(scope.admin_mpps)
    rows = edit.mpp_rows(mpp_ids=mpp_ids, page=page_number(request.args))
    return render_template("admin/home.html", rows=rows, national=scope.national)


# --- one MPP -------------------------------------------------------------------------------------------------------


@bp.get("/mpp/<slug>")
@staff_required(*ADMINS)
def mpp_page(slug: str):
    mpp = _with_counters(_mpp_or_404(slug))
    offered = {o.service_id for o in mpp.offerings}
    tenants = {t.agency_id for t in mpp.tenancies}
    return render_template(
        "admin/mpp.html",
        mpp=mpp,
        services=edit.offerable_services(mpp),
        offered=offered,
        agencies=[a for a in db.session.scalars(select(Agency).order_by(Agency.name)) if a.id not in tenants],
        errors={},
        values={},
    )


@bp.route("/mpp/<slug>/profil", methods=["GET", "POST"])
@staff_required(*ADMINS)
def mpp_profile(slug: str):
    mpp = _mpp_or_404(slug)
    national = current_scope().national
    values = {"alamat": mpp.address, "telepon": mpp.phone or "", "deskripsi": mpp.description or "",
              "slug": mpp.slug, "nama": mpp.name, "wilayah": str(mpp.region_id), "zona": mpp.timezone,
              "dibuka": mpp.opened_on.isoformat() if mpp.opened_on else ""}  # fmt: skip
    errors = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            edit.save_mpp(mpp, request.form, actor=current_scope().user, national=national)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("The MPP has been saved."), "success")
            return redirect(url_for("admin.mpp_page", slug=mpp.slug), code=303)
    return _mpp_form(mpp, values, errors, national)


def _mpp_form(mpp, values, errors, national):
    regions = list(db.session.scalars(select(Region).order_by(Region.name))) if national else []
    return render_template(
        "admin/mpp_form.html", mpp=mpp, values=values, errors=errors, national=national, regions=regions,
        zones=edit.ZONES,
    ), (422 if errors else 200)  # fmt: skip


@bp.route("/mpp/baru", methods=["GET", "POST"])
@staff_required(Role.NATIONAL_ADMIN)
def mpp_create():
    _national_or_404()
    values, errors = {"zona": "Asia/Jakarta"}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            mpp = edit.save_mpp(None, request.form, actor=current_scope().user, national=True)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("The MPP has been created."), "success")
            return redirect(url_for("admin.mpp_page", slug=mpp.slug), code=303)
    return _mpp_form(None, values, errors, True)


@bp.route("/mpp/<slug>/jam", methods=["GET", "POST"])
@staff_required(*ADMINS)
def mpp_hours(slug: str):
    mpp = _mpp_or_404(slug)
    values, errors = edit.hours_form_values(mpp.hours), {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            edit.update_mpp_hours(mpp, request.form, actor=current_scope().user)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("The opening hours have been saved."), "success")
            return redirect(url_for("admin.mpp_page", slug=mpp.slug), code=303)
    return render_template("admin/hours.html", mpp=mpp, tenancy=None, values=values, errors=errors), (
        422 if errors else 200
    )


def _tenancy_or_404(mpp: Mpp, tenancy_id: int) -> Tenancy:
    tenancy = db.session.get(Tenancy, tenancy_id)
    if tenancy is None or tenancy.mpp_id != mpp.id:
        abort(404)
    return tenancy


@bp.post("/mpp/<slug>/instansi")
@staff_required(*ADMINS)
def tenancy_add(slug: str):
    mpp = _mpp_or_404(slug)
    try:
        tenancy = edit.add_tenancy(mpp, request.form, actor=current_scope().user)
    except edit.Invalid as invalid:
        db.session.rollback()
        flash(" ".join(invalid.errors.values()), "error")
        return redirect(url_for("admin.mpp_page", slug=mpp.slug) + "#instansi", code=303)
    flash(_("%(agency)s now serves at this MPP.", agency=tenancy.agency.short_name), "success")
    return redirect(url_for("admin.tenancy_edit", slug=mpp.slug, tenancy_id=tenancy.id), code=303)


@bp.route("/mpp/<slug>/instansi/<int:tenancy_id>", methods=["GET", "POST"])
@staff_required(*ADMINS)
def tenancy_edit(slug: str, tenancy_id: int):
    mpp = _mpp_or_404(slug)
    tenancy = _tenancy_or_404(mpp, tenancy_id)
    values = {"loket": tenancy.counter or "", "catatan": tenancy.note or "",
              "jam_sendiri": "1" if tenancy.hours else "", **edit.hours_form_values(tenancy.hours)}  # fmt: skip
    errors = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            edit.update_tenancy(tenancy, request.form, actor=current_scope().user)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("The agency's counter and hours have been saved."), "success")
            return redirect(url_for("admin.mpp_page", slug=mpp.slug) + "#instansi", code=303)
    return render_template("admin/hours.html", mpp=mpp, tenancy=tenancy, values=values, errors=errors), (
        422 if errors else 200
    )


@bp.post("/mpp/<slug>/instansi/<int:tenancy_id>/hapus")
@staff_required(*ADMINS)
def tenancy_remove(slug: str, tenancy_id: int):
    mpp = _mpp_or_404(slug)
    tenancy = _tenancy_or_404(mpp, tenancy_id)
    name = tenancy.agency.short_name
    edit.remove_tenancy(tenancy, actor=current_scope().user)
    flash(_("%(agency)s no longer serves at this MPP.", agency=name), "success")
    return redirect(url_for("admin.mpp_page", slug=mpp.slug) + "#instansi", code=303)


@bp.post("/mpp/<slug>/layanan")
@staff_required(*ADMINS)
def offerings_save(slug: str):
    mpp = _mpp_or_404(slug)
    edit.update_offerings(mpp, request.form.getlist("layanan"), actor=current_scope().user)
    flash(_("The services offered have been saved."), "success")
    return redirect(url_for("admin.mpp_page", slug=mpp.slug) + "#layanan", code=303)


# --- service standards ---------------------------------------------------------------------------------------------


@bp.route("/mpp/<slug>/layanan/<service_slug>", methods=["GET", "POST"])
@staff_required(*ADMINS)
def service_edit(slug: str, service_slug: str):
    mpp = _mpp_or_404(slug)
    service = db.session.scalar(
        select(Service)
        .join(ServiceOffering, ServiceOffering.service_id == Service.id)
        .where(Service.slug == service_slug, ServiceOffering.mpp_id == mpp.id)
    )
    if service is None:
        abort(404)
    values, errors = edit.service_form_values(service), {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            edit.update_service(service, request.form, actor=current_scope().user, mpp_id=mpp.id)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("The service standard has been saved."), "success")
            return redirect(url_for("admin.service_edit", slug=mpp.slug, service_slug=service.slug), code=303)
    shared = db.session.scalar(
        select(func.count())
        .select_from(ServiceOffering)
        .where(ServiceOffering.service_id == service.id, ServiceOffering.mpp_id != mpp.id)
    )
    counts = {
        "syarat": edit.row_count(values, "syarat", len(service.requirements)) + BLANK_ROWS,
        "langkah": edit.row_count(values, "langkah", len(service.steps)) + BLANK_ROWS,
        "biaya": edit.row_count(values, "biaya", len(service.fees)) + BLANK_ROWS,
    }
    return render_template(
        "admin/service.html", mpp=mpp, service=service, values=values, errors=errors, shared=shared,
        counts=counts,
    ), (422 if errors else 200)  # fmt: skip


# --- history and SLA summary ---------------------------------------------------------------------------------------


@bp.get("/riwayat")
@staff_required(*ADMINS)
def history():
    scope = current_scope()
    mpp_ids = None if scope.national else sorted(scope.admin_mpps)
    changes = edit.history(mpp_ids=mpp_ids, page=page_number(request.args))
    shown = sorted({change.mpp_id for change in changes if change.mpp_id is not None})
    mpp_names = dict(db.session.execute(select(Mpp.id, Mpp.name).where(Mpp.id.in_(shown))).all()) if shown else {}
    return render_template("admin/history.html", changes=changes, mpp_names=mpp_names)


@bp.get("/ringkasan")
@staff_required(*ADMINS)
def summary():
    scope = current_scope()
    raw = request.args.get("mpp", "")
    mpp_id = int(raw) if raw.isdigit() and len(raw) < 10 and scope.administers_mpp(int(raw)) else None
    rows = sla.agency_summary(scope.application_filter(), mpp_id=mpp_id)
    return render_template(
        "admin/summary.html", rows=rows, mpps=_mpps_in_scope(), mpp_id=mpp_id, days=sla.SUMMARY_WINDOW_DAYS
    )


# --- regions (national admins) -------------------------------------------------------------------------------------


@bp.route("/wilayah", methods=["GET", "POST"])
@staff_required(Role.NATIONAL_ADMIN)
def regions():
    _national_or_404()
    values, errors = {}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            region = edit.save_region(None, request.form, actor=current_scope().user)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("%(name)s has been added.", name=region.name), "success")
            return redirect(url_for("admin.regions"), code=303)
    return _regions_page(None, values, errors)


def _regions_page(region, values, errors):
    listed = list(db.session.scalars(select(Region).order_by(Region.code)))
    return render_template(
        "admin/regions.html", regions=listed, region=region, values=values, errors=errors,
        kinds=[k.value for k in RegionKind],
    ), (422 if errors else 200)  # fmt: skip


@bp.route("/wilayah/<code>", methods=["GET", "POST"])
@staff_required(Role.NATIONAL_ADMIN)
def region_edit(code: str):
    _national_or_404()
    region = db.session.scalar(select(Region).where(Region.code == code[:4]))
    if region is None:
        abort(404)
    values = {"kode": region.code, "nama": region.name, "jenis": region.kind.value, "provinsi": region.province_name}
    errors = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            edit.save_region(region, request.form, actor=current_scope().user)
        except edit.Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            flash(_("%(name)s has been saved.", name=region.name), "success")
            return redirect(url_for("admin.regions"), code=303)
    return _regions_page(region, values, errors)
