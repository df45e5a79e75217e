"""Complaints (pengaduan, aspirasi, permintaan informasi): filing, following up, officer work, escalation, export.

Identity, three ways (Perpres 76/2013: the complainant's identity is kept confidential):
    biasa    the complainant's account is linked and shown to the MPP admin and the agency;
    rahasia  the account is linked (notices reach them) but only the MPP's complaint admin sees who it is;
    anonim   nothing identifying is stored. The complainant gets the number and a secret code, shown once;
             only its SHA-256 is kept (the code is random and long, so a hash is enough). With both they can
             follow the complaint, confirm or reopen it and rate the answer — from any device.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..applications.models import Application, ApplicationStatus
from ..applications.workdays import local_date
from ..backoffice.models import StaffAssignment, StaffRole
from ..catalog.models import Agency, Mpp, Tenancy
from ..database import utcnow
from ..extensions import db
from ..notifications.models import Notification, OutboxMessage
from ..pagination import Page, paginate
from ..personal import documents as dokumen_saya
from ..personal.uploads import UploadRejected, inspect_upload, read_limited
from ..queue.models import Booking, BookingStatus
from ..storage import storage
from . import complaint_flow as flow
from .models import Complaint, ComplaintAttachment, ComplaintKind, ComplaintStatus

S = ComplaintStatus
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
TITLE_MAX = 150
BODY_MAX = 4000
MAX_ATTACHMENTS = 3
PAGE_SIZE = 25  # complaints per page, for the complainant and for staff
# The zones an MPP may be in (the mpp table's check constraint): an MPP's "today" is its own local date.
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

KIND_LABELS = {
    ComplaintKind.COMPLAINT: _l("Complaint"),
    ComplaintKind.ASPIRATION: _l("Aspiration"),
    ComplaintKind.INFORMATION: _l("Request for information"),
}
IDENTITY_CHOICES = (
    ("biasa", _l("Normal: the MPP and the agency see my name")),
    ("rahasia", _l("Confidential: only the MPP’s complaint admin sees my name")),
    ("anonim", _l("Anonymous: my name is not stored at all")),
)


def N_(msgid: str) -> str:  # noqa: N802
    return msgid


KIND_COMPLAINT_NOTICE = "complaint"
NOTICE_TITLE = N_("Complaint %(number)s: %(state)s")
NOTICE_BODIES = {
    S.RECEIVED: N_("Your complaint was received. It will be verified within 3 working days."),
    S.VERIFYING: N_("The MPP is verifying your complaint."),
    S.FORWARDED: N_("Your complaint was forwarded to %(agency)s, which answers within 5 working days."),
    S.FOLLOWED_UP: N_("%(agency)s is following up your complaint."),
    S.ANSWERED: N_("Your complaint was answered. Read the answer, then confirm it or reopen the complaint."),
    S.CLOSED: N_("Your complaint is closed. Thank you for rating the answer."),
    S.ON_HOLD: N_("Your complaint is on hold: %(reason)s"),
    S.NOT_OUR_AUTHORITY: N_("Your complaint is outside this MPP’s authority: %(reason)s"),
    S.ARCHIVED: N_("Your complaint was archived: %(reason)s"),
}
ESCALATION_TITLE = N_("Complaint %(number)s is overdue")
ESCALATION_BODY = N_("The time limit of the current stage (%(state)s) has passed. Please act on it.")


# --- numbers and codes ----------------------------------------------------------------------------------------------


def _random(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def new_number() -> str:
    return f"ADU-{_random(4)}-{_random(4)}"


def new_secret() -> str:
    return f"{_random(4)}-{_random(4)}-{_random(4)}"


def _hash_secret(code: str) -> str:
    canonical = "".join(ch for ch in code.upper() if ch in ALPHABET)
    return hashlib.sha256(f"mpp-complaint:{canonical}".encode()).hexdigest()


def normalize_number(raw: str | None) -> str | None:
    if not raw:
        return None
    cleaned = "".join(ch for ch in raw.upper() if ch.isalnum())
    if cleaned.startswith("ADU"):
        cleaned = cleaned[3:]
    if len(cleaned) != 8 or any(ch not in ALPHABET for ch in cleaned):
        return None
    return f"ADU-{cleaned[:4]}-{cleaned[4:]}"


def code_matches(complaint: Complaint, code: str | None) -> bool:
    if not complaint.secret_hash or not code or len(code) > 40:
        return False
    return hmac.compare_digest(complaint.secret_hash, _hash_secret(code))


# --- filing ----------------------------------------------------------------------------------------------------------


@dataclass
class ComplaintForm:
    kind: str = ComplaintKind.COMPLAINT.value
    title: str = ""
    body: str = ""
    identity: str = "biasa"
    mpp_slug: str = ""
    agency_slug: str = ""
    application_number: str = ""
    booking_code: str = ""
    files: list = field(default_factory=list)
    idempotency_key: str | None = None

    @classmethod
    def from_request(cls, form, files) -> ComplaintForm:
        return cls(
            kind=(form.get("jenis") or "").strip(),
            title=" ".join((form.get("judul") or "").split()),
            body=(form.get("isi") or "").strip(),
            identity=(form.get("identitas") or "biasa").strip(),
            mpp_slug=(form.get("mpp") or "").strip(),
            agency_slug=(form.get("instansi") or "").strip(),
            application_number=(form.get("permohonan") or "").strip()[:30],
            booking_code=(form.get("kunjungan") or "").strip()[:20],
            files=[f for f in files.getlist("lampiran") if f and f.filename],
            idempotency_key=(form.get("idempotency_key") or "").strip()[:64] or None,
        )


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    secret: str | None  # shown once to an anonymous complainant


def my_applications(user: User | None) -> list[Application]:
    if user is None:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.user_id == user.id, Application.status != ApplicationStatus.DRAFT)
            .order_by(Application.submitted_at.desc())
            .limit(50)
        )
    )


# A visit worth complaining about: booked (or a number taken at the counter) — not a hold that was never confirmed.
VISIT_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.CALLED,
    BookingStatus.SERVED,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
)


def my_bookings(user: User | None) -> list[Booking]:
    """The citizen's own queue visits, newest first (a complaint may be about one of them)."""
    if user is None:
        return []
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.user_id == user.id, Booking.status.in_(VISIT_STATUSES))
            .order_by(Booking.local_day.desc(), Booking.id.desc())
            .limit(50)
        )
    )


def _canonical_booking_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def validate(form: ComplaintForm, user: User | None) -> tuple[dict[str, str], dict]:
    """Errors by field, and the resolved objects (mpp, agency, service, application, booking)."""
    errors: dict[str, str] = {}
    found: dict = {"mpp": None, "agency": None, "service": None, "application": None, "booking": None}
    if form.kind not in {k.value for k in ComplaintKind}:
        errors["jenis"] = str(_l("Choose what kind of report this is."))
    if not form.title:
        errors["judul"] = str(_l("Write a short title."))
    elif len(form.title) > TITLE_MAX:
        errors["judul"] = str(_l("The title is too long (at most %(max)d characters).", max=TITLE_MAX))
    if len(form.body) < 10:
        errors["isi"] = str(_l("Describe what happened (at least 10 characters)."))
    elif len(form.body) > BODY_MAX:
        errors["isi"] = str(_l("The description is too long (at most %(max)d characters).", max=BODY_MAX))
    if form.identity not in {code for code, _label in IDENTITY_CHOICES} or (user is None and form.identity != "anonim"):
        errors["identitas"] = str(_l("Choose how your identity is handled."))
    if form.identity == "anonim" and (form.application_number or form.booking_code):
        # An application or a visit is tied to an account: linking one would store who filed it.
        field_name = "permohonan" if form.application_number else "kunjungan"
        errors[field_name] = str(
            _l("An anonymous report cannot be linked to your application or visit: that would show who you are.")
        )
        form.application_number = form.booking_code = ""
    if form.application_number:
        application = next((a for a in my_applications(user) if a.tracking_number == form.application_number), None)
        if application is None:
            errors["permohonan"] = str(_l("Choose one of your applications."))
        else:
            found.update(application=application, mpp=application.mpp, service=application.service)
            found["agency"] = application.service.agency
    if form.booking_code and form.application_number:
        errors["kunjungan"] = str(_l("Choose an application or a queue visit, not both."))
    elif form.booking_code:
        code = _canonical_booking_code(form.booking_code)
        booking = next((b for b in my_bookings(user) if b.code == code), None)
        if booking is None:
            errors["kunjungan"] = str(_l("Choose one of your queue visits."))
        else:
            found.update(booking=booking, mpp=booking.mpp, service=booking.service, agency=booking.service.agency)
    if found["mpp"] is None:
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == form.mpp_slug)) if form.mpp_slug else None
        if mpp is None:
            errors["mpp"] = str(_l("Choose the MPP this is about."))
        found["mpp"] = mpp
    if found["agency"] is None and form.agency_slug:
        agency = db.session.scalar(select(Agency).where(Agency.slug == form.agency_slug))
        if agency is None:
            errors["instansi"] = str(_l("Choose one of the agencies listed."))
        found["agency"] = agency
    if len(form.files) > MAX_ATTACHMENTS:
        errors["lampiran"] = str(_l("Attach at most %(max)d files.", max=MAX_ATTACHMENTS))
    return errors, found


def file_complaint(form: ComplaintForm, user: User | None, *, now: dt.datetime | None = None, _attempt: int = 0):
    """Validate and store a complaint with its attachments; returns (Filed | None, errors).

    A replay of a submission already stored (same idempotency key, same complainant) returns that complaint."""
    if (earlier := _already_filed(form, user)) is not None:
        return Filed(earlier, None), {}
    errors, found = validate(form, user)
    cleaned = []
    if not errors:
        for upload in form.files:
            try:
                cleaned.append(inspect_upload(read_limited(getattr(upload, "stream", upload))))
            except UploadRejected as rejected:
                errors["lampiran"] = str(rejected.message)
                break
    if errors:
        return None, errors
    now = now or utcnow()
    anonymous = form.identity == "anonim"
    secret = new_secret() if anonymous else None
    complaint = Complaint(
        number=new_number(),
        kind=ComplaintKind(form.kind),
        title=form.title,
        body=form.body,
        user_id=None if anonymous else user.id,
        confidential=form.identity == "rahasia",
        anonymous=anonymous,
        secret_hash=_hash_secret(secret) if secret else None,
        # Not for anonim: a key next to a complaint would let the device's outbox (tagged with the account) be
        # matched to it. An anonymous report sent twice at once may therefore be stored twice; never linked.
        idempotency_key=form.idempotency_key if not anonymous else None,
        mpp=found["mpp"],
        agency=found["agency"],
        service=found["service"],
        application=found["application"],
        booking=found["booking"],
    )
    flow.start_clocks(complaint, now=now)
    flow.record(complaint, actor=flow.Actor(flow.Party.COMPLAINANT), to_status=S.RECEIVED, message=None)
    stored_names = []
    for clean in cleaned:
        name = _store_file(clean)
        stored_names.append(name)
        complaint.attachments.append(
            ComplaintAttachment(
                storage_name=name, content_type=clean.content_type, size=clean.size, sha256=clean.sha256
            )
        )
    db.session.add(complaint)
    notify(complaint, S.RECEIVED)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for name in stored_names:
            dokumen_saya.remove_stored_file(name)
        if (earlier := _already_filed(form, user)) is not None:  # the same submission, sent twice at once
            return Filed(earlier, None), {}
        if form.idempotency_key and _key_taken(form.idempotency_key):
            form.idempotency_key = None  # someone else's key (never from a real device): store without one
        if _attempt >= 2:
            raise
        return file_complaint(form, user, now=now, _attempt=_attempt + 1)  # a number collision: a new number
    return Filed(complaint, secret), {}


def _already_filed(form: ComplaintForm, user: User | None) -> Complaint | None:
    """Only a signed-in complainant's own earlier submission counts (a key is not a way into someone else's)."""
    if not form.idempotency_key or user is None or form.identity == "anonim":
        return None
    return db.session.scalar(
        select(Complaint).where(Complaint.idempotency_key == form.idempotency_key, Complaint.user_id == user.id)
    )


def _key_taken(key: str) -> bool:
    return db.session.scalar(select(Complaint.id).where(Complaint.idempotency_key == key)) is not None


def _store_file(clean) -> str:
    return dokumen_saya.store_file(clean)


def open_attachment(attachment: ComplaintAttachment) -> BinaryIO:
    """The attachment's bytes, checked against its size and SHA-256 (app/storage.py)."""
    return io.BytesIO(storage().read(attachment.storage_name, size=attachment.size, sha256=attachment.sha256))


# --- notices ---------------------------------------------------------------------------------------------------------


def notify(complaint: Complaint, to_status: ComplaintStatus, reason: str | None = None) -> None:
    """The complainant's inbox notice (and push, through the outbox) for a step. Anonymous: nobody to tell."""
    if complaint.user_id is None:
        return
    notification = Notification(
        user_id=complaint.user_id,
        kind=KIND_COMPLAINT_NOTICE,
        title_msgid=NOTICE_TITLE,
        body_msgid=NOTICE_BODIES[to_status],
        params={
            "number": complaint.number,
            "state": str(flow.STATUS_LABELS[to_status]),
            "agency": complaint.agency.short_name if complaint.agency else "",
            "reason": reason or "",
        },
        url=f"/pengaduan/{complaint.number}",
    )
    notification.outbox.append(OutboxMessage())
    db.session.add(notification)


# --- looking up ------------------------------------------------------------------------------------------------------


def find(number: str) -> Complaint | None:
    canonical = normalize_number(number)
    if canonical is None:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.number == canonical))


def my_complaints(user: User, *, page: int = 1) -> Page[Complaint]:
    """One page of the citizen's own complaints, newest first: what the list shows is on the row (one statement)."""
    query = select(Complaint).where(Complaint.user_id == user.id)
    return paginate(query.order_by(Complaint.created_at.desc(), Complaint.id.desc()), number=page, size=PAGE_SIZE)


def staff_filter(scope):
    """Complaints a staff member sees: the MPP admin all of their MPP's; an officer those forwarded to their agency
    at their MPP; a national admin all."""
    if scope.national:
        return true()
    clauses = []
    if scope.admin_mpps:
        clauses.append(Complaint.mpp_id.in_(sorted(scope.admin_mpps)))
    for agency_id, mpp_id in sorted(scope.officer_pairs):
        clauses.append(
            and_(
                Complaint.mpp_id == mpp_id,
                Complaint.agency_id == agency_id,
                Complaint.status.in_(sorted(flow.VISIBLE_TO_AGENCY)),
            )
        )
    return or_(*clauses) if clauses else false()


def _status_filter(status: str | None):
    return Complaint.status == ComplaintStatus(status) if status in {s.value for s in ComplaintStatus} else true()


def staff_list(scope, *, status: str | None = None, page: int = 1) -> Page[Complaint]:
    """One page of the complaints ``scope`` sees, newest first, with the agency and MPP each row shows (its name,
    the MPP's zone for "overdue") loaded alongside: a fixed number of statements whatever the number of rows."""
    query = (
        select(Complaint)
        .where(staff_filter(scope), _status_filter(status))
        .options(selectinload(Complaint.agency), selectinload(Complaint.mpp))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
    )
    return paginate(query, number=page, size=PAGE_SIZE)


def overdue_count(scope, *, status: str | None = None, now: dt.datetime | None = None) -> int:
    """How many complaints of the whole list (not only this page) are past a limit (complaint_flow.is_overdue),
    counted in the database: "today" is each MPP's own local date, one of Indonesia's three zones."""
    now = now or utcnow()
    late_in_zone = [
        and_(Mpp.timezone == zone, or_(Complaint.stage_due_on < today, Complaint.resolution_due_on < today))
        for zone in INDONESIAN_ZONES
        for today in [local_date(now, zone)]
    ]
    return db.session.scalar(
        select(func.count(Complaint.id))
        .join(Mpp, Mpp.id == Complaint.mpp_id)
        .where(
            staff_filter(scope),
            _status_filter(status),
            Complaint.status.in_(sorted(flow.WAITING_ON_STAFF)),
            or_(*late_in_zone),
        )
    )


def staff_find(scope, number: str) -> Complaint | None:
    canonical = normalize_number(number)
    if canonical is None:
        return None
    return db.session.scalar(select(Complaint).where(Complaint.number == canonical, staff_filter(scope)))


def sees_identity(scope, complaint: Complaint) -> bool:
    """Rahasia: only the MPP's complaint admin (and a national admin) may see who filed it. Anonim: nobody can."""
    if complaint.anonymous or complaint.user is None:
        return False
    if scope.national or complaint.mpp_id in scope.admin_mpps:
        return True
    return not complaint.confidential


def agencies_at(mpp_id: int) -> list[Agency]:
    return list(
        db.session.scalars(
            select(Agency)
            .join(Tenancy, Tenancy.agency_id == Agency.id)
            .where(Tenancy.mpp_id == mpp_id)
            .order_by(Agency.name)
        )
    )


# --- acting ----------------------------------------------------------------------------------------------------------


def act(
    complaint: Complaint,
    to_status: ComplaintStatus,
    *,
    actor: flow.Actor,
    reason: str | None = None,
    agency_id: int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """One step by staff or the complainant, with its notice, in one transaction. Raises flow.TransitionRefused /
    flow.TransitionConflict."""
    to_status = ComplaintStatus(to_status)
    if expected_version is not None and expected_version != complaint.version:
        raise flow.TransitionConflict()
    if to_status == S.FORWARDED and agency_id is not None and actor.party == flow.Party.ADMIN:
        agency = next((a for a in agencies_at(complaint.mpp_id) if a.id == agency_id), None)
        if agency is None:
            raise flow.TransitionRefused(_l("Choose the agency to forward the complaint to."))
        complaint.agency = agency
    from_status = ComplaintStatus(complaint.status)
    flow.transition(complaint, to_status, actor=actor, reason=reason, now=now)
    notify(complaint, to_status, reason)
    audit_step(complaint, from_status, to_status, actor=actor, reason=reason)
    db.session.commit()


def audit_step(complaint: Complaint, from_status, to_status, *, actor: flow.Actor, reason: str | None) -> None:
    """A step by the MPP's complaint admin or the agency also goes into the back office's audit log (/petugas/audit),
    beside the complaint's own history. The complainant's steps are not officer actions: they stay in the
    complaint's history only, as an anonymous complainant has no account to name."""
    if actor.party not in (flow.Party.ADMIN, flow.Party.AGENCY) or actor.user is None:
        return
    from ..backoffice import audit
    from ..backoffice.models import AuditAction

    step = f"{complaint.number}: {ComplaintStatus(from_status).value} → {ComplaintStatus(to_status).value}"
    text = (reason or "").strip()
    audit.record(
        actor=actor.user,
        action=AuditAction.COMPLAINT,
        mpp_id=complaint.mpp_id,
        object_type="complaint",
        object_id=complaint.id,
        reason=(f"{step}. {text}" if text else step)[:2000],
    )


RATING_CHOICES = (1, 2, 3, 4, 5)


def rate(complaint: Complaint, rating: int) -> bool:
    """The complainant rates the answer once the complaint is answered or closed (1–5). Can be changed."""
    if complaint.status not in (S.ANSWERED, S.CLOSED) or rating not in RATING_CHOICES:
        return False
    complaint.rating = rating
    db.session.commit()
    return True


# --- escalation ------------------------------------------------------------------------------------------------------


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Mark every overdue complaint that is not yet escalated in its current stage, and tell the MPP's admins.

    Run by ``flask feedback escalate`` (daily, from cron or the worker host). Returns how many were escalated."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(Complaint).where(Complaint.status.in_(sorted(flow.WAITING_ON_STAFF)), Complaint.escalated_at.is_(None))
    ).all()
    count = 0
    for complaint in rows:
        if not flow.is_overdue(complaint, flow.today_at(complaint, now)):
            continue
        complaint.escalated_at = now
        admins = db.session.scalars(
            select(StaffAssignment.user_id).where(
                StaffAssignment.mpp_id == complaint.mpp_id, StaffAssignment.role == StaffRole.MPP_ADMIN
            )
        ).all()
        for admin_id in admins:
            notice = Notification(
                user_id=admin_id,
                kind=KIND_COMPLAINT_NOTICE,
                title_msgid=ESCALATION_TITLE,
                body_msgid=ESCALATION_BODY,
                params={"number": complaint.number, "state": str(flow.STATUS_LABELS[complaint.status])},
                url=f"/petugas/pengaduan/{complaint.number}",
            )
            notice.outbox.append(OutboxMessage())
            db.session.add(notice)
        count += 1
    db.session.commit()
    return count


# --- export (SP4N-LAPOR!) --------------------------------------------------------------------------------------------

# The fields of a LAPOR! report (domain.md §3.3) under their LAPOR! names; state names are LAPOR!'s own words.
EXPORT_FIELDS = (
    "tracking_id",
    "kategori",
    "judul",
    "isi",
    "kanal",
    "anonim",
    "rahasia",
    "status",
    "instansi",
    "lokasi",
    "tanggal_laporan",
    "batas_waktu",
    "nama_pelapor",
    "email_pelapor",
    "lapor_tracking_id",
)


def export_rows(scope) -> list[dict]:
    """Complaints in scope as LAPOR!-shaped rows. The identity is exported only for a normal complaint: a rahasia
    or anonim complainant's identity must not travel further than the MPP's complaint admin."""
    rows = []
    for c in db.session.scalars(select(Complaint).where(staff_filter(scope)).order_by(Complaint.created_at)):
        show = not c.anonymous and not c.confidential and c.user is not None
        rows.append(
            {
                "tracking_id": c.number,
                "kategori": ComplaintKind(c.kind).value,
                "judul": c.title,
                "isi": c.body,
                "kanal": c.channel,
                "anonim": c.anonymous,
                "rahasia": c.confidential,
                "status": ComplaintStatus(c.status).value,
                "instansi": c.agency.name if c.agency else "",
                "lokasi": c.mpp.name,
                "tanggal_laporan": c.created_at.isoformat(),
                "batas_waktu": c.resolution_due_on.isoformat(),
                "nama_pelapor": c.user.display_name if show else "",
                "email_pelapor": c.user.email if show else "",
                "lapor_tracking_id": c.lapor_tracking_id or "",
            }
        )
    return rows


def export_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ is a formula in a spreadsheet: neutralise it (CSV injection).
        writer.writerow({k: (f"'{v}" if isinstance(v, str) and v and v[0] in "=+-@" else v) for k, v in row.items()})
    return buffer.getvalue()


def export_json(rows: list[dict]) -> str:
    return json.dumps({"format": "sp4n-lapor", "versi": 1, "laporan": rows}, ensure_ascii=False, indent=1)
