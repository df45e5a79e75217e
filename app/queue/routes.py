"""Antrean pages: thin views over booking.py (citizen), counter.py (officer) and board.py (the hall's screen).

Every page works without JavaScript: plain forms, 303 after a POST. Confirm, cancel and reschedule are POST only
(mail scanners and link previews follow GET links). Another person's booking code is a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Role
from ..backoffice.scope import current_scope, staff_required
from ..catalog.models import Mpp, Service, Tenancy
from ..database import utcnow
from ..device_drafts.device import current_account_key
from ..extensions import db, limiter
from ..hypermedia import render, wants_fragment
from ..i18n import current_language
from ..pagination import page_number
from ..personal.profile import get_profile
from ..security import public_page
from . import admin as queue_admin
from . import admission, board, booking, counter, live, settings, visits
from .live import live_of
from .models import Booking, BookingStatus, PriorityCategory
from .slots import bookable_days, local_now, next_release
from .ticket import ics, qr_svg, visit_window

bp = Blueprint("queue", __name__)
bp.record_once(lambda state: live.init_app(state.app))  # this process's side of the live queue fan-out

# A header the service worker reads: this response is the signed-in citizen's own ticket, kept on the device for
# offline opening under this account key and deleted on sign-out (service-worker/sw.js, "tickets").
TICKET_HEADER = "X-MPP-Ticket"

PRIORITY_LABELS = {
    PriorityCategory.ELDERLY: _l("Elderly (lansia, 60 years or older)"),
    PriorityCategory.DISABILITY: _l("Person with a disability"),
    PriorityCategory.PREGNANT: _l("Pregnant woman"),
    PriorityCategory.CHILD: _l("Child (with a parent or guardian)"),
}


def priority_label(category) -> str:
    return str(PRIORITY_LABELS[PriorityCategory(category)]) if category else ""


def status_label(status) -> str:
    labels = {
        BookingStatus.HOLD: _("Held, not confirmed"),
        BookingStatus.CONFIRMED: _("Booked"),
        BookingStatus.CHECKED_IN: _("Checked in"),
        BookingStatus.CALLED: _("Called to the counter"),
        BookingStatus.SERVED: _("Served"),
        BookingStatus.NO_SHOW: _("Missed"),
        BookingStatus.CANCELLED: _("Cancelled"),
        BookingStatus.EXPIRED: _("Hold expired"),
    }
    return labels[BookingStatus(status)]


@bp.app_context_processor
def _queue_helpers() -> dict:
    return {
        "queue_status_label": status_label,
        "priority_label": priority_label,
        "visit_window": visit_window,
        "priority_categories": list(PriorityCategory),
        "queue_visit_offer": lambda application: visits.offer_for(application, now_utc=utcnow()),
    }


def _user():
    return current_user._get_current_object()


def _own_booking_or_404(kode: str) -> Booking:
    found = booking.booking_of(_user(), kode)
    if found is None:
        abort(404)
    return found


def _user_key() -> str:
    return f"antrean:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or ""


@bp.errorhandler(429)
def too_many_requests(error):
    """Refused before anything was held: say so, say when to try again, and lead back to the same choice."""
    current = limiter.current_limit
    if isinstance(error, admission.Crowded):
        crowded, wait = True, error.retry_after
    else:
        crowded = getattr(getattr(error, "limit", None), "scope", "") == "antrean-masuk"
        # The same number Flask-Limiter puts in Retry-After: when this bucket's window starts again.
        wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
    if crowded:
        message = _(
            "Many people are booking right now. Nothing was booked yet: please try again in %(seconds)s seconds.",
            seconds=wait,
        )
    else:
        message = _("Too many booking attempts from this account. Please wait a few minutes and try again.")
    back = None
    if request.form.get("layanan"):
        back = url_for(
            "queue.choose",
            layanan=request.form.get("layanan", "")[:120],
            mpp=request.form.get("mpp", "")[:80] or None,
            tanggal=(request.form.get("slot") or "")[:10] or None,
        )
    response = make_response(render_template("queue/busy.html", message=message, back=back), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _priority_arg(value: str | None) -> PriorityCategory | None:
    try:
        return PriorityCategory(value) if value else None
    except ValueError:
        return None


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


# --- my bookings --------------------------------------------------------------------------------------------------


@bp.get("/antrean")
@login_required
def my_bookings():
    mine = booking.my_bookings(_user(), page=page_number(request.args))
    return render(
        "queue/list.html", upcoming=mine.upcoming, past=mine.past, now=utcnow(), account_key=current_account_key()
    )


# --- choosing a slot ----------------------------------------------------------------------------------------------


def _service_or_404(slug: str | None) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == (slug or "")[:120])) if slug else None
    if service is None:
        abort(404)
    return service


def _choose_page(
    *,
    service: Service,
    mpp_slug: str | None,
    day_value: str | None,
    priority,
    change: Booking | None,
    error: str | None = None,
    status: int = 200,
    application=None,
):
    now = utcnow()
    places = settings.nearest_first(settings.places_for(service), _home_region())
    place = next((p for p in places if p.mpp.slug == mpp_slug), places[0] if places else None)
    days, choices, day, release = [], [], None, None
    if place is not None:
        release = next_release(place.rules, place.tz, now)
        last = local_now(now, place.tz).date() + dt.timedelta(days=place.rules.window_days)
        calendar = settings.calendar_for(place, local_now(now, place.tz).date(), last)
        days = bookable_days(rules=place.rules, hours=place.hours, tz=place.tz, calendar=calendar, now_utc=now)
        day = _parse_day(day_value)
        if day not in days:
            day = days[0] if days else None
        if day is not None:
            choices = booking.slot_choices(place, day, priority=priority is not None, now_utc=now)
    response = make_response(
        render(
            "queue/choose.html",
            service=service,
            places=places,
            place=place,
            days=days,
            day=day,
            choices=choices,
            priority=priority,
            change=change,
            error=error,
            now=now,
            application=application,
            release=release,
            base_args=_choice_args(service, change, priority, application),
        ),
        status,
    )
    return response


def _choice_args(service: Service, change: Booking | None, priority, application=None) -> dict[str, str]:
    """The query arguments every link of the choice page keeps (the service, the booking being moved, the group,
    the application the visit is for)."""
    args = {"layanan": service.slug}
    if change is not None:
        args["ganti"] = change.code
    if priority is not None:
        args["prioritas"] = priority.value
    if application is not None:
        args["permohonan"] = application.tracking_number
    return args


def _home_region() -> str | None:
    profile = get_profile(_user())
    return profile.kabupaten_kota if profile else None


@bp.get("/antrean/baru")
@login_required
def choose():
    """Step 1: the MPP (nearest first), the day, the time. "Ambil antrean" on a service page leads here."""
    service = _service_or_404(request.args.get("layanan"))
    change = None
    if request.args.get("ganti"):
        change = _own_booking_or_404(request.args["ganti"])
        if change.service_id != service.id:
            abort(404)
    return _choose_page(
        service=service,
        mpp_slug=request.args.get("mpp"),
        day_value=request.args.get("tanggal"),
        priority=_priority_arg(request.args.get("prioritas")),
        change=change,
        application=visits.application_for(_user(), request.args.get("permohonan"), service),
    )


@bp.post("/antrean/baru")
@login_required
@limiter.limit("20 per 10 minutes", key_func=_user_key)
@limiter.limit(admission.admission_limit, key_func=admission.admission_key, scope="antrean-masuk")
@admission.admitted
def hold():
    """Step 2: hold the chosen place for 5 minutes, then confirm."""
    service = _service_or_404(request.form.get("layanan"))
    priority = _priority_arg(request.form.get("prioritas"))
    place = settings.place_at(service, request.form.get("mpp"))
    slot_value = request.form.get("slot")
    application = visits.application_for(_user(), request.form.get("permohonan"), service)
    if place is None:
        return _choose_page(
            service=service,
            mpp_slug=None,
            day_value=None,
            priority=priority,
            change=None,
            error=str(booking.MESSAGES["disabled"]),
            status=422,
            application=application,
        )
    try:
        held = booking.hold(
            user=_user(),
            place=place,
            slot_value=slot_value,
            priority_category=priority,
            application_id=application.id if application else None,
        )
    except booking.BookingRefused as refusal:
        return _choose_page(
            service=service,
            mpp_slug=place.mpp.slug,
            day_value=(slot_value or "")[:10],
            priority=priority,
            change=None,
            error=refusal.message,
            status=409 if refusal.reason in ("full", "double") else 422,
            application=application,
        )
    return redirect(url_for("queue.confirm_page", kode=held.code), 303)


@bp.get("/antrean/<kode>/konfirmasi")
@login_required
def confirm_page(kode: str):
    held = _own_booking_or_404(kode)
    if held.status != BookingStatus.HOLD:
        return redirect(url_for("queue.ticket", kode=held.code), 303)
    profile = get_profile(_user())
    return render(
        "queue/confirm.html",
        booking=held,
        nik=(profile.nik if profile else "") or "",
        error=None,
        expired=held.hold_expires_at <= utcnow(),
    )


@bp.post("/antrean/<kode>/konfirmasi")
@login_required
@limiter.limit("20 per 10 minutes", key_func=_user_key)
@limiter.limit(admission.admission_limit, key_func=admission.admission_key, scope="antrean-masuk")
@admission.admitted
def confirm(kode: str):
    held = _own_booking_or_404(kode)
    nik = (request.form.get("nik") or "")[:40]
    try:
        booking.confirm(booking=held, nik=nik)
    except booking.BookingRefused as refusal:
        db.session.refresh(held)
        if refusal.reason == "closed" and held.status != BookingStatus.HOLD:
            return redirect(url_for("queue.ticket", kode=held.code), 303)
        response = make_response(
            render("queue/confirm.html", booking=held, nik=nik, error=refusal, expired=refusal.reason == "expired"),
            409 if refusal.reason in ("expired", "nik_double") else 422,
        )
        return response
    flash(_("Your visit is booked. Show this ticket at the MPP."), "success")
    return redirect(url_for("queue.ticket", kode=held.code), 303)


# --- the ticket ---------------------------------------------------------------------------------------------------


@bp.get("/antrean/<kode>")
@login_required
def ticket(kode: str):
    own = _own_booking_or_404(kode)
    if own.status == BookingStatus.HOLD:
        return redirect(url_for("queue.confirm_page", kode=own.code), 303)
    now = utcnow()
    place = settings.place_of(own.tenancy, own.service)
    live_status = board.ticket_status(own, now_utc=now)
    response = make_response(
        render(
            "queue/ticket.html",
            booking=own,
            qr=qr_svg(own),
            live=live_status,
            live_version=board.version_of(live_status),
            can_change=booking.can_change(own, place, now),
            can_cancel=booking.can_cancel(own, now),
            changeable_until=booking.changeable_until(own, place),
            rules=place.rules,
            now=now,
            application=own.application,
        )
    )
    if own.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.CALLED):
        response.headers[TICKET_HEADER] = current_account_key()
    return response


@bp.get("/antrean/<kode>/status")
@login_required
def ticket_status(kode: str):
    """The ticket's live part after check-in, polled by htmx (see board.py for why polling and not SSE). As on the
    board, a poll naming the version it shows is a 204 from memory while nothing changed at the booking's MPP; only
    the session is read then (the signed-in holder of this ticket, checked against the one it was rendered for)."""
    shown = (request.args.get("versi") or "")[:32]
    key = ("ticket", kode[:20], current_language())
    live = live_of(current_app)
    started = time.time()
    if shown and wants_fragment() and live.recall(key, now=started) == (current_user.id, shown):
        return _unchanged()
    own = _own_booking_or_404(kode)
    if not wants_fragment():
        return redirect(url_for("queue.ticket", kode=own.code), 303)
    token = live.token(own.mpp_id)  # a booking never moves to another MPP
    db.session.refresh(own)  # read again after the token: a change committed meanwhile has moved it
    status = board.ticket_status(own, now_utc=utcnow())
    version = board.version_of(status)
    live.remember(key, mpp_id=own.mpp_id, token=token, value=(own.user_id, version), now=started)
    if shown == version:
        return _unchanged()
    return render(
        "queue/ticket.html", fragment="queue/_live.html", booking=own, live=status, live_version=version, now=utcnow()
    )


@bp.get("/antrean/<kode>/kalender")
@login_required
def calendar_file(kode: str):
    own = _own_booking_or_404(kode)
    if own.slot_start is None or own.status not in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        abort(404)
    summary = _("Counter visit: %(service)s", service=own.service.name)
    description = _(
        "Booking code %(code)s. %(counter)s, %(time)s. Bring: %(requirements)s",
        code=own.display_code,
        counter=own.tenancy.counter or own.service.agency.short_name,
        time=visit_window(own),
        requirements="; ".join(item.description for item in own.service.requirements) or "-",
    )
    body = ics(
        own, summary=summary, description=description, origin=current_app.config["PUBLIC_ORIGIN"], now_utc=utcnow()
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="antrean-{own.code}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/antrean/<kode>/batal")
@login_required
def cancel(kode: str):
    own = _own_booking_or_404(kode)
    try:
        booking.cancel(booking=own)
    except booking.BookingRefused as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Your booking is cancelled and the place was released."), "success")
    return redirect(
        url_for("queue.ticket", kode=own.code) if own.status != BookingStatus.HOLD else url_for("queue.my_bookings"),
        303,
    )


@bp.post("/antrean/<kode>/jadwal-ulang")
@login_required
@limiter.limit("20 per 10 minutes", key_func=_user_key)
def reschedule(kode: str):
    own = _own_booking_or_404(kode)
    slot_value = request.form.get("slot")
    try:
        booking.reschedule(booking=own, slot_value=slot_value)
    except booking.BookingRefused as refusal:
        db.session.refresh(own)
        return _choose_page(
            service=own.service,
            mpp_slug=own.mpp.slug,
            day_value=(slot_value or "")[:10],
            priority=own.priority_category,
            change=own,
            error=refusal.message,
            status=409 if refusal.reason in ("full", "double", "nik_double") else 422,
        )
    flash(_("Your visit was moved. The old time was released."), "success")
    return redirect(url_for("queue.ticket", kode=own.code), 303)


# --- the MPP hall's board -----------------------------------------------------------------------------------------


@bp.get("/mpp/<slug>/antrean")
@public_page
def board_page(slug: str):
    """The hall's board. Its poll says which version the screen shows (``versi``): unchanged since this process
    handed it out is a 204 from memory, no database read (live.py); else the board is read and rendered."""
    shown = (request.args.get("versi") or "")[:32]
    key = board.board_key(slug[:120], current_language())
    live = live_of(current_app)
    started = time.time()
    if shown and wants_fragment() and live.recall(key, now=started) == shown:
        return _unchanged()
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == slug[:120]))
    if mpp is None:
        abort(404)
    token = live.token(mpp.id)  # before the queue is read: a change committed meanwhile moves it
    view = board.board_of(mpp, now_utc=utcnow())
    version = board.version_of(view)
    live.remember(key, mpp_id=mpp.id, token=token, value=version, now=started)
    if shown == version and wants_fragment():
        return _unchanged()
    return render("queue/board.html", fragment="queue/_board.html", mpp=mpp, board=view, version=version)


def _unchanged():
    """htmx keeps what it shows on a 204 (no swap)."""
    response = current_app.response_class(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the counter (officers) ---------------------------------------------------------------------------------------


def _counter_or_404(scope, raw) -> Tenancy:
    """The counter named by the form or query (a tenancy id), if this officer works it; else 404."""
    counters = counter.counters_of(scope)
    if raw in (None, ""):
        if not counters:
            abort(404)
        return counters[0]
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        abort(404)
    found = next((t for t in counters if t.id == wanted), None)
    if found is None:
        abort(404)
    return found


def _counter_page(tenancy: Tenancy, *, error: str | None = None, code: str = "", status: int = 200):
    scope = current_scope()
    now = utcnow()
    counter.release_no_shows(tenancy=tenancy, now_utc=now)
    day = counter.today_at(tenancy, now)
    response = make_response(
        render(
            "queue/counter.html",
            tenancy=tenancy,
            counters=counter.counters_of(scope),
            services=[s for s in tenancy.agency.services if any(o.mpp_id == tenancy.mpp_id for o in s.offerings)],
            waiting=counter.waiting(tenancy.id, day),
            called=counter.called(tenancy.id, day),
            others=[t for t in tenancy.mpp.tenancies if t.id != tenancy.id],
            recall_after=counter.RECALL_AFTER,
            now=now,
            day=day,
            error=error,
            code=code,
            desk=session_desk(tenancy),
        ),
        status,
    )
    # The check-in page may use the camera to read a ticket's QR (BarcodeDetector); every other page may not.
    response.headers["Permissions-Policy"] = (
        "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    )
    return response


def session_desk(tenancy: Tenancy) -> str:
    """The desk this officer calls people to ("Loket 12"), remembered for the session; the tenancy's counter first."""
    return session.get(f"loket-meja-{tenancy.id}") or (tenancy.counter or tenancy.agency.short_name)


@bp.get("/petugas/loket")
@staff_required(Role.OFFICER)
def counter_page():
    return _counter_page(_counter_or_404(current_scope(), request.args.get("loket")))


def _after_counter_action(tenancy: Tenancy):
    return redirect(url_for("queue.counter_page", loket=tenancy.id), 303)


@bp.post("/petugas/loket/hadir")
@staff_required(Role.OFFICER)
def counter_check_in():
    tenancy = _counter_or_404(current_scope(), request.form.get("loket"))
    code = (request.form.get("kode") or "")[:20]
    try:
        found = counter.check_in(scope=current_scope(), tenancy=tenancy, code=code, actor=_user())
    except counter.CounterRefused as refusal:
        return _counter_page(tenancy, error=refusal.message, code=code, status=422)
    flash(_("Checked in: queue number %(number)s.", number=found.queue_number), "success")
    return _after_counter_action(tenancy)


@bp.post("/petugas/loket/tanpa-janji")
@staff_required(Role.OFFICER)
def counter_walk_in():
    tenancy = _counter_or_404(current_scope(), request.form.get("loket"))
    service = next((s for s in tenancy.agency.services if str(s.id) == request.form.get("layanan")), None)
    if service is None:
        return _counter_page(tenancy, error=_("Choose the service."), status=422)
    walk_in = counter.issue_walk_in(
        tenancy=tenancy, service=service, actor=_user(), priority_category=_priority_arg(request.form.get("prioritas"))
    )
    return redirect(url_for("queue.counter_slip", booking_id=walk_in.id), 303)


@bp.get("/petugas/loket/nomor/<int:booking_id>")
@staff_required(Role.OFFICER)
def counter_slip(booking_id: int):
    """A printable slip for a walk-in number (the browser's print dialog; the page prints without the site chrome)."""
    found = db.session.get(Booking, booking_id)
    if found is None:
        abort(404)
    _counter_or_404(current_scope(), found.tenancy_id)
    return render("queue/slip.html", booking=found)


@bp.post("/petugas/loket/panggil")
@staff_required(Role.OFFICER)
def counter_call_next():
    tenancy = _counter_or_404(current_scope(), request.form.get("loket"))
    desk = (request.form.get("meja") or "").strip()[:60] or session_desk(tenancy)
    session[f"loket-meja-{tenancy.id}"] = desk
    try:
        found = counter.call_next(tenancy=tenancy, counter_label=desk, actor=_user())
    except counter.CounterRefused as refusal:
        flash(refusal.message, "warning")
    else:
        flash(_("Called %(number)s to %(desk)s.", number=found.queue_number, desk=desk), "success")
    return _after_counter_action(tenancy)


def _counter_action(booking_id: int, action):
    tenancy = _counter_or_404(current_scope(), request.form.get("loket"))
    try:
        found = action(tenancy=tenancy, booking_id=booking_id, actor=_user())
    except counter.CounterRefused as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("%(number)s: %(status)s.", number=found.queue_number, status=status_label(found.status)), "success")
    return _after_counter_action(tenancy)


@bp.post("/petugas/loket/<int:booking_id>/panggil-ulang")
@staff_required(Role.OFFICER)
def counter_recall(booking_id: int):
    return _counter_action(booking_id, counter.recall)


@bp.post("/petugas/loket/<int:booking_id>/selesai")
@staff_required(Role.OFFICER)
def counter_served(booking_id: int):
    return _counter_action(booking_id, counter.mark_served)


@bp.post("/petugas/loket/<int:booking_id>/tidak-hadir")
@staff_required(Role.OFFICER)
def counter_no_show(booking_id: int):
    return _counter_action(booking_id, counter.mark_no_show)


@bp.post("/petugas/loket/<int:booking_id>/alihkan")
@staff_required(Role.OFFICER)
def counter_transfer(booking_id: int):
    tenancy = _counter_or_404(current_scope(), request.form.get("loket"))
    target = next((t for t in tenancy.mpp.tenancies if str(t.id) == request.form.get("ke")), None)
    if target is None:
        flash(str(counter.MESSAGES["same_counter"]), "error")
        return _after_counter_action(tenancy)
    try:
        found = counter.transfer(tenancy=tenancy, booking_id=booking_id, to=target, actor=_user())
    except counter.CounterRefused as refusal:
        flash(refusal.message, "error")
    else:
        flash(
            _(
                "Transferred: new number %(number)s at %(counter)s.",
                number=found.queue_number,
                counter=target.counter or target.agency.short_name,
            ),
            "success",
        )
    return _after_counter_action(tenancy)


# --- the MPP admin's settings -------------------------------------------------------------------------------------


def _admin_mpp_or_404(raw) -> Mpp:
    scope = current_scope()
    if raw in (None, ""):
        mpp = db.session.scalar(select(Mpp).where(scope.mpp_filter()).order_by(Mpp.name))
    else:
        try:
            mpp = db.session.get(Mpp, int(raw)) if str(raw).isdigit() and len(str(raw)) < 10 else None
        except (TypeError, ValueError):
            mpp = None
    if mpp is None or not scope.administers_mpp(mpp.id):
        abort(404)
    return mpp


def _admin_tenancy_or_404(mpp: Mpp, raw) -> Tenancy | None:
    if raw in (None, ""):
        return mpp.tenancies[0] if mpp.tenancies else None
    found = next((t for t in mpp.tenancies if str(t.id) == str(raw)), None)
    if found is None:
        abort(404)
    return found


def _admin_page(
    mpp: Mpp,
    tenancy: Tenancy | None,
    *,
    checks: dict | None = None,
    closure_error: str | None = None,
    status: int = 200,
):
    counter_names = queue_admin.counter_agencies(mpp.id)  # before the page reads each counter's agency
    current = queue_admin.counter_services(mpp.id, tenancy) if tenancy is not None else []
    checks = checks or {}
    forms = []
    for service, values in current:
        check = checks.get(service.id)
        forms.append((service, check.raw if check else values, check.errors if check else {}))
    today = local_now(utcnow(), mpp.timezone).date()
    return make_response(
        render(
            "queue/admin.html",
            mpp=mpp,
            mpps=db.session.scalars(select(Mpp).where(current_scope().mpp_filter()).order_by(Mpp.name)).all()
            if current_scope().national or len(current_scope().admin_mpps) > 1
            else [mpp],
            tenancy=tenancy,
            forms=forms,
            limits=queue_admin.LIMITS,
            closures=queue_admin.closures_of(mpp.id, from_day=today),
            closure_counters=counter_names,
            closure_error=closure_error,
            today=today,
        ),
        status,
    )


@bp.get("/admin/antrean")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def admin_page():
    mpp = _admin_mpp_or_404(request.args.get("mpp"))
    return _admin_page(mpp, _admin_tenancy_or_404(mpp, request.args.get("loket")))


@bp.post("/admin/antrean/pengaturan")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def admin_save():
    mpp = _admin_mpp_or_404(request.form.get("mpp"))
    tenancy = _admin_tenancy_or_404(mpp, request.form.get("loket"))
    if tenancy is None:
        abort(404)
    service = next((s for s in tenancy.agency.services if str(s.id) == request.form.get("layanan")), None)
    if service is None:
        abort(404)
    check = queue_admin.check_settings(request.form)
    if check.errors:
        return _admin_page(mpp, tenancy, checks={service.id: check}, status=422)
    _row, notified = queue_admin.save_settings(tenancy=tenancy, service=service, check=check, actor=_user())
    flash(_("Queue settings saved for %(service)s. Existing bookings are kept.", service=service.name), "success")
    if notified:
        flash(
            ngettext(
                "%(num)d booked citizen whose booking no longer fits the new settings was told it stays valid.",
                "%(num)d booked citizens whose bookings no longer fit the new settings were told they stay valid.",
                notified,
            ),
            "success",
        )
    return redirect(url_for("queue.admin_page", mpp=mpp.id, loket=tenancy.id), 303)


@bp.post("/admin/antrean/penutupan")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def admin_closure():
    mpp = _admin_mpp_or_404(request.form.get("mpp"))
    tenancy = _admin_tenancy_or_404(mpp, request.form.get("loket"))
    day = _parse_day(request.form.get("tanggal"))
    reason = (request.form.get("alasan") or "").strip()
    today = local_now(utcnow(), mpp.timezone).date()
    if day is None or day < today:
        return _admin_page(mpp, tenancy, closure_error=_("Enter a date from today on."), status=422)
    if not reason:
        return _admin_page(mpp, tenancy, closure_error=_("Say why the MPP is closed; citizens are told."), status=422)
    only = tenancy if request.form.get("cakupan") == "loket" else None
    _closure, notified = queue_admin.declare_closure(mpp_id=mpp.id, day=day, reason=reason, actor=_user(), tenancy=only)
    flash(
        _("Closure saved. %(count)s booked citizens were notified to choose another time.", count=notified), "success"
    )
    return redirect(url_for("queue.admin_page", mpp=mpp.id, loket=tenancy.id if tenancy else None), 303)


@bp.post("/admin/antrean/penutupan/<int:closure_id>/hapus")
@staff_required(Role.MPP_ADMIN, Role.NATIONAL_ADMIN)
def admin_closure_remove(closure_id: int):
    """Lift a closure (POST only); the citizens booked that day are told their visit stands."""
    mpp = _admin_mpp_or_404(request.form.get("mpp"))
    told = queue_admin.remove_closure(mpp_id=mpp.id, closure_id=closure_id, actor=_user())
    if told is None:
        abort(404)
    flash(_("Closure removed. %(count)s booked citizens were told their visit stands.", count=told), "success")
    loket = request.form.get("loket")
    return redirect(url_for("queue.admin_page", mpp=mpp.id, loket=loket if loket and loket.isdigit() else None), 303)
