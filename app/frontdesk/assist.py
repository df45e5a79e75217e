"""Assisted applications at the MPP front desk (issue 13, points 5 and 7).

The flow, one state per screen of the officer's tablet:

1. ``begin``: a front-desk officer of the MPP opens an assistance (status *identifikasi*).
2. The citizen's account is found — or created — by one of two proofs that the citizen is present and agrees:
   a. ``send_email_code`` / ``verify_email_code``: a 6-digit code e-mailed to the citizen's address, which they read
      out; an address without an account gets a new account (the citizen adds a passkey later by e-mail recovery);
   b. ``claim_phone_code``: the short-lived code the citizen's own phone shows on Akun (``issue_phone_code``).
3. ``choose_service`` starts a draft OWNED BY THE CITIZEN, at this MPP, with no prefill from Data Saya: the officer
   sees what is typed with the citizen at the counter, never the citizen's profile, documents or other applications.
4. ``request_confirmation``: the complete draft waits for the citizen (*menunggu konfirmasi warga*).
5. The citizen confirms the declaration THEMSELVES: ``confirm_with_passkey`` (their passkey, on their phone, in their
   own session) or, without a phone, ``confirm_with_paper`` (the officer scans the signed consent; recorded as such).
   Either way the draft is submitted as the citizen's own application.

Every step is written to the audit log (``AuditAction.ASSIST``) and, once a citizen is known, to their Riwayat akses
("dibantu oleh petugas … di MPP …"), in the step's own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..accounts import mail
from ..accounts.forms import EMAIL_PATTERN
from ..accounts.models import Role, User
from ..applications import drafts, submit
from ..applications.models import Application, Draft
from ..backoffice import audit
from ..backoffice.models import AuditAction, StaffAssignment, StaffRole
from ..catalog.models import DocumentType, Mpp, Service
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from ..personal import privacy
from ..personal.documents import store_upload
from ..personal.uploads import UploadRejected
from .models import AssistedApplication, AssistStatus, ConfirmationMethod, DeskCode, IdentifiedBy

CODE_TTL = dt.timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
NAME_MAX = 120
# An assistance left open (the citizen walked away) stops being listed after a working day; its draft stays the
# citizen's and expires like any draft.
OPEN_FOR = dt.timedelta(hours=12)

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MSG_EMAIL = _l("Enter an e-mail address like nama@contoh.id.")
MSG_NAME = _l("Enter the citizen's full name (at most 120 characters) for the new account.")
MSG_CODE = _l("The code is not right or has expired. Ask the citizen to read it again, or send a new one.")
MSG_CODE_SPENT = _l("Too many wrong codes. Send a new code.")
MSG_PHONE_CODE = _l(
    "The code is not right or has expired. Ask the citizen to open Akun on their phone and show a new code."
)
MSG_SERVICE = _l("Choose a service that can be applied for online at this MPP.")
MSG_CONSENT_FILE = _l("Upload the scan of the signed consent (PDF, JPG or PNG).")
MSG_NOT_WAITING = _l("This application is not waiting for the citizen's confirmation.")


class AssistError(UserFacingError, ValueError):
    """A refused step; ``field`` names the input the message belongs next to."""

    def __init__(self, message, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- who may assist, where --------------------------------------------------------------------------------------


def desk_mpps(user: User | None) -> list[Mpp]:
    """The MPPs where ``user`` is a front-desk officer (empty for everyone else)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.FRONT_DESK:
        return []
    return list(
        db.session.scalars(
            select(Mpp)
            .join(StaffAssignment, StaffAssignment.mpp_id == Mpp.id)
            .where(StaffAssignment.user_id == user.id, StaffAssignment.role == StaffRole.FRONT_DESK)
            .order_by(Mpp.name)
        )
    )


def for_assistant(user: User, public_id: str) -> AssistedApplication | None:
    """An assistance at one of the officer's MPPs; any other (another MPP's, or unknown) is None — a 404."""
    mpp_ids = [mpp.id for mpp in desk_mpps(user)]
    if not mpp_ids:
        return None
    return db.session.scalar(
        select(AssistedApplication).where(
            AssistedApplication.public_id == public_id, AssistedApplication.mpp_id.in_(mpp_ids)
        )
    )


def open_assistances(user: User, mpp: Mpp, *, now: dt.datetime | None = None) -> list[AssistedApplication]:
    """This officer's assistances at ``mpp`` still in progress today (to resume after a break)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(AssistedApplication)
            .where(
                AssistedApplication.mpp_id == mpp.id,
                AssistedApplication.assistant_id == user.id,
                AssistedApplication.status.in_(
                    [AssistStatus.IDENTIFYING, AssistStatus.FILLING, AssistStatus.AWAITING_CITIZEN]
                ),
                AssistedApplication.created_at > now - OPEN_FOR,
            )
            .options(selectinload(AssistedApplication.service))  # each row names its service
            .order_by(AssistedApplication.created_at.desc())
        )
    )


def services_at(mpp: Mpp) -> list[Service]:
    """Services of this MPP that have an online form: what can be applied for at the counter."""
    return [
        service
        for service in db.session.scalars(select(Service).order_by(Service.name))
        if service.online_application
        and any(offered.id == mpp.id for offered in drafts.offered_at(service))
        and drafts.latest_form(service) is not None
    ]


# --- the record: audit log and Riwayat akses ---------------------------------------------------------------------


def helped_by(assisted: AssistedApplication) -> str:
    """ "dibantu oleh petugas … di MPP …" — how the citizen's records name the help."""
    return _("Helped by officer %(name)s at %(mpp)s", name=assisted.assistant_name, mpp=assisted.mpp.name)


def _record(assisted: AssistedApplication, actor: User, what: str, *, application: Application | None = None) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.ASSIST,
        mpp_id=assisted.mpp_id,
        application=application,
        object_type="assisted_application",
        object_id=assisted.id,
        reason=what[:500],
    )
    if assisted.citizen_id is not None:
        citizen = db.session.get(User, assisted.citizen_id)
        privacy.record_access(
            subject=citizen,
            actor=actor,
            what=what,
            purpose=helped_by(assisted),
            agency=assisted.mpp.name,
            timezone=assisted.mpp.timezone,
        )


# --- 1. begin ------------------------------------------------------------------------------------------------------


def begin(assistant: User, mpp: Mpp) -> AssistedApplication:
    if mpp.id not in {m.id for m in desk_mpps(assistant)}:
        raise LookupError("not a front-desk officer of this MPP")
    assisted = AssistedApplication(
        public_id=str(uuid.uuid4()),
        mpp_id=mpp.id,
        assistant_id=assistant.id,
        assistant_name=assistant.display_name[:NAME_MAX],
        status=AssistStatus.IDENTIFYING,
        code_attempts=0,
    )
    db.session.add(assisted)
    db.session.flush()
    assisted.mpp = db.session.get(Mpp, mpp.id)
    _record(assisted, assistant, _("Assistance started"))
    db.session.commit()
    return assisted


def _require(assisted: AssistedApplication, *statuses: AssistStatus) -> None:
    if assisted.status not in statuses:
        raise AssistError(MSG_NOT_WAITING if AssistStatus.AWAITING_CITIZEN in statuses else _l("This step is done."))


# --- 2a. the e-mail code -------------------------------------------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _digits(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())[:12]


def send_email_code(assisted: AssistedApplication, assistant: User, *, email: str, name: str) -> None:
    """E-mail a code to the citizen's address. ``name`` is used only if the address has no account yet."""
    _require(assisted, AssistStatus.IDENTIFYING)
    address = (email or "").strip().lower()
    clean_name = " ".join((name or "").split())
    if not EMAIL_PATTERN.match(address) or len(address) > 254:
        raise AssistError(MSG_EMAIL, field="email")
    existing = _live_user_by_email(address)
    if existing is not None and existing.role != Role.CITIZEN:
        raise AssistError(MSG_EMAIL, field="email")  # staff accounts are never assisted
    if existing is None and (not clean_name or len(clean_name) > NAME_MAX):
        raise AssistError(MSG_NAME, field="nama")
    code = _new_code()
    assisted.pending_email = address
    assisted.pending_name = clean_name[:NAME_MAX] or None
    assisted.code_hash = _hasher.hash(code)
    assisted.code_expires_at = utcnow() + CODE_TTL
    assisted.code_attempts = 0
    mail.send(
        to=address,
        subject=_("Your MPP Digital code at the %(mpp)s front desk", mpp=assisted.mpp.name),
        body=_(
            "Hello,\n\n"
            "Officer %(officer)s at %(mpp)s is helping you apply. Read this code to the officer: %(code)s\n\n"
            "It works once, for 10 minutes. Give it only to the officer who is helping you right now, at the counter.\n"
            "If you are not at the MPP, ignore this e-mail: nothing happens without the code.",
            officer=assisted.assistant_name,
            mpp=assisted.mpp.name,
            code=code,
        ),
        what="front-desk code",
    )
    _record(assisted, assistant, _("E-mail code sent"))
    db.session.commit()


def _live_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))


def verify_email_code(assisted: AssistedApplication, assistant: User, raw_code: str) -> User:
    """The code the citizen read out: finds their account, or creates one. Five wrong tries void the code."""
    _require(assisted, AssistStatus.IDENTIFYING)
    code = _digits(raw_code)
    live = assisted.code_hash and assisted.code_expires_at and assisted.code_expires_at > utcnow()
    if not live:
        raise AssistError(MSG_CODE, field="kode_email")
    try:
        right = _hasher.verify(assisted.code_hash, code)
    except (VerificationError, InvalidHashError):
        right = False
    if not right:
        assisted.code_attempts += 1
        if assisted.code_attempts >= MAX_CODE_ATTEMPTS:
            assisted.code_hash = None
            db.session.commit()
            raise AssistError(MSG_CODE_SPENT, field="kode_email")
        db.session.commit()
        raise AssistError(MSG_CODE, field="kode_email")
    citizen = _live_user_by_email(assisted.pending_email)
    created = citizen is None
    if created:
        citizen = User(
            webauthn_handle=secrets.token_bytes(32),
            display_name=assisted.pending_name or assisted.pending_email,
            email=assisted.pending_email,
            role=Role.CITIZEN,
        )
        db.session.add(citizen)
        db.session.flush()
        privacy.record_signup_consents(citizen, [])
        mail.send(
            to=citizen.email,
            subject=_("Your MPP Digital account"),
            body=_(
                "Hello %(name)s,\n\n"
                "Officer %(officer)s at %(mpp)s created your MPP Digital account with you, for this e-mail address.\n"
                "To use it on your phone: open MPP Digital, choose Masuk, then “Lost your phone? Recover your "
                "account”, sign in with a code sent to this address and create a passkey. Then you can confirm "
                "the application made with the officer and follow it.",
                name=citizen.display_name,
                officer=assisted.assistant_name,
                mpp=assisted.mpp.name,
            ),
            what="front-desk account",
        )
    elif citizen.role != Role.CITIZEN:
        raise AssistError(MSG_CODE, field="kode_email")
    _identified(assisted, citizen, IdentifiedBy.EMAIL)
    what = _("Account created at the front desk") if created else _("Account found with an e-mail code")
    _record(assisted, assistant, what)
    db.session.commit()
    return citizen


def _identified(assisted: AssistedApplication, citizen: User, how: IdentifiedBy) -> None:
    assisted.citizen_id = citizen.id
    assisted.identified_by = how
    assisted.status = AssistStatus.FILLING
    assisted.code_hash = None
    assisted.code_expires_at = None
    assisted.pending_name = None


# --- 2b. the code on the citizen's phone ---------------------------------------------------------------------------


def _phone_code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"desk-code:{code}".encode(), hashlib.sha256).hexdigest()


def issue_phone_code(citizen: User, *, now: dt.datetime | None = None) -> str:
    """A fresh code for the citizen's phone to show; any earlier one of theirs stops working. Commits."""
    now = now or utcnow()
    db.session.execute(
        update(DeskCode).where(DeskCode.user_id == citizen.id, DeskCode.used_at.is_(None)).values(used_at=now)
    )
    for _attempt in range(10):  # two citizens holding the same live code at once would be ambiguous: draw again
        code = _new_code()
        clash = db.session.scalar(
            select(DeskCode.id).where(
                DeskCode.code_hash == _phone_code_hash(code), DeskCode.used_at.is_(None), DeskCode.expires_at > now
            )
        )
        if clash is None:
            break
    db.session.add(DeskCode(user_id=citizen.id, code_hash=_phone_code_hash(code), expires_at=now + CODE_TTL))
    db.session.commit()
    return code


def claim_phone_code(assisted: AssistedApplication, assistant: User, raw_code: str) -> User:
    _require(assisted, AssistStatus.IDENTIFYING)
    code = _digits(raw_code)
    now = utcnow()
    row = None
    if len(code) == 6 and assisted.code_attempts < MAX_CODE_ATTEMPTS:
        row = db.session.scalar(
            select(DeskCode).where(
                DeskCode.code_hash == _phone_code_hash(code), DeskCode.used_at.is_(None), DeskCode.expires_at > now
            )
        )
    citizen = db.session.get(User, row.user_id) if row is not None else None
    if citizen is None or citizen.deleted_at is not None or citizen.role != Role.CITIZEN:
        assisted.code_attempts += 1
        db.session.commit()
        raise AssistError(
            MSG_CODE_SPENT if assisted.code_attempts >= MAX_CODE_ATTEMPTS else MSG_PHONE_CODE, field="kode_ponsel"
        )
    spent = db.session.execute(
        update(DeskCode).where(DeskCode.id == row.id, DeskCode.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if spent != 1:
        db.session.rollback()
        raise AssistError(MSG_PHONE_CODE, field="kode_ponsel")
    _identified(assisted, citizen, IdentifiedBy.PHONE_CODE)
    _record(assisted, assistant, _("Account found with the code on the citizen's phone"))
    db.session.commit()
    return citizen


# --- 3. the form, filled in together ------------------------------------------------------------------------------


def choose_service(assisted: AssistedApplication, assistant: User, service_slug: str) -> Draft:
    _require(assisted, AssistStatus.FILLING)
    service = next((s for s in services_at(assisted.mpp) if s.slug == service_slug), None)
    if service is None:
        raise AssistError(MSG_SERVICE, field="layanan")
    definition = drafts.latest_form(service)
    now = utcnow()
    # A new draft of the citizen's, never their open one: the officer must not see what the citizen typed alone.
    draft = Draft(
        public_id=str(uuid.uuid4()),
        user_id=assisted.citizen_id,
        service_id=service.id,
        form_definition_id=definition.id,
        mpp_id=assisted.mpp_id,
        answers={},
        prefilled=[],
        updated_at=now,
        expires_at=now + drafts.DRAFT_LIFETIME,
    )
    db.session.add(draft)
    db.session.flush()
    assisted.service_id = service.id
    assisted.draft_id = draft.id
    _record(assisted, assistant, _("Form started: %(service)s", service=service.name))
    db.session.commit()
    return draft


def form_steps(assisted: AssistedApplication) -> list[str]:
    """The screens the officer walks: the form's own steps and documents (the MPP is this one; the summary is ours)."""
    return [step for step in drafts.step_keys(assisted.draft) if step not in (drafts.LOCATION_STEP, drafts.CHECK_STEP)]


def save_step(assisted: AssistedApplication, assistant: User, step: str, values: dict, files) -> dict[str, str]:
    """Save one screen (kept even when invalid, like the citizen's own form). Returns the screen's errors."""
    _require(assisted, AssistStatus.FILLING)
    draft = assisted.draft
    draft.mpp_id = assisted.mpp_id  # the application is made at this MPP
    if step == drafts.DOCUMENTS_STEP:
        # Only a file uploaded here may be chosen: naming another document id of the citizen's is ignored, so the
        # officer can never attach (and so see) anything else from Dokumen Saya.
        allowed = {str(i) for i in chosen_document_ids(assisted)}
        values = {
            name: value
            for name, value in values.items()
            if not name.startswith("dokumen.") or value in allowed or value == ""
        }
    result = drafts.save_step(draft, step, values, files)
    _record(assisted, assistant, _("Form screen saved: %(step)s", step=step))
    db.session.commit()
    return result.errors


def chosen_document_ids(assisted: AssistedApplication) -> set[int]:
    """Documents put into THIS application (uploaded at the counter): the only ones the officer may see named."""
    answers = assisted.draft.answers if assisted.draft else {}
    return {int(v) for k, v in answers.items() if k.startswith("dokumen.") and str(v).isdigit()}


def problems(assisted: AssistedApplication) -> dict[str, str]:
    return submit.check_draft(assisted.draft)


# --- 4. waiting for the citizen -----------------------------------------------------------------------------------


def request_confirmation(assisted: AssistedApplication, assistant: User) -> None:
    _require(assisted, AssistStatus.FILLING)
    if assisted.draft is None:
        raise AssistError(MSG_SERVICE, field="layanan")
    if problems(assisted):
        raise AssistError(_l("The form is not complete yet."))
    assisted.status = AssistStatus.AWAITING_CITIZEN
    assisted.idempotency_key = secrets.token_urlsafe(24)
    _record(assisted, assistant, _("Waiting for the citizen's confirmation"))
    db.session.commit()


def back_to_form(assisted: AssistedApplication, assistant: User) -> None:
    """Something must change after all: the form opens again (the citizen's confirmation is not possible meanwhile)."""
    _require(assisted, AssistStatus.AWAITING_CITIZEN)
    assisted.status = AssistStatus.FILLING
    _record(assisted, assistant, _("Form opened again for changes"))
    db.session.commit()


def cancel(assisted: AssistedApplication, actor: User) -> None:
    _require(assisted, AssistStatus.IDENTIFYING, AssistStatus.FILLING, AssistStatus.AWAITING_CITIZEN)
    assisted.status = AssistStatus.CANCELLED
    assisted.code_hash = None
    draft = assisted.draft
    if draft is not None and draft.submitted_application_id is None:
        assisted.draft_id = None
        db.session.delete(draft)
    who = _("Cancelled by the citizen") if actor.id == assisted.citizen_id else _("Assistance cancelled")
    _record(assisted, actor, who)
    db.session.commit()


# --- 5. the citizen confirms ---------------------------------------------------------------------------------------


def for_citizen(citizen: User, public_id: str) -> AssistedApplication | None:
    return db.session.scalar(
        select(AssistedApplication).where(
            AssistedApplication.public_id == public_id, AssistedApplication.citizen_id == citizen.id
        )
    )


def citizen_has_passkey(assisted: AssistedApplication) -> bool:
    """A citizen whose account was just created at the desk has no passkey yet: they add one on their phone with the
    e-mail recovery sign-in before they can confirm — or they confirm on paper."""
    from ..accounts.models import Passkey

    return (
        assisted.citizen_id is not None
        and db.session.scalar(select(Passkey.id).where(Passkey.user_id == assisted.citizen_id).limit(1)) is not None
    )


def waiting_for(citizen: User) -> list[AssistedApplication]:
    return list(
        db.session.scalars(
            select(AssistedApplication)
            .where(
                AssistedApplication.citizen_id == citizen.id,
                AssistedApplication.status == AssistStatus.AWAITING_CITIZEN,
            )
            .options(selectinload(AssistedApplication.service))  # each row names its service
            .order_by(AssistedApplication.created_at.desc())
        )
    )


@dataclass
class Confirmed:
    application: Application
    created: bool


def confirm_with_passkey(assisted: AssistedApplication, citizen: User, credential: dict) -> Confirmed:
    """The citizen's own fresh passkey assertion (their phone, their session) is their signature on the declaration.

    Raises ``PasskeyError`` (from the ceremony) or ``AssistError``.
    """
    from ..accounts import ceremonies  # the passkey ceremony of the accounts capability, used as is

    if assisted.citizen_id != citizen.id:
        raise AssistError(MSG_NOT_WAITING)
    _require(assisted, AssistStatus.AWAITING_CITIZEN)
    ceremonies.finish_reauthenticate(citizen, credential)  # verifies the citizen's OWN passkey; commits
    return _finish(assisted, citizen, ConfirmationMethod.PASSKEY, actor=citizen)


def confirm_with_paper(assisted: AssistedApplication, assistant: User, file) -> Confirmed:
    """No phone: the officer scans the consent the citizen signed; it is kept in the citizen's Dokumen Saya and the
    application records that it was confirmed on paper."""
    _require(assisted, AssistStatus.AWAITING_CITIZEN)
    if file is None or not getattr(file, "filename", ""):
        raise AssistError(MSG_CONSENT_FILE, field="persetujuan")
    citizen = db.session.get(User, assisted.citizen_id)
    try:
        document = store_upload(
            citizen,
            file,
            DocumentType.LAINNYA,
            title=_("Signed consent, %(service)s", service=assisted.service.name)[:120],
        )
    except UploadRejected as error:
        raise AssistError(error.message, field="persetujuan") from error
    assisted = db.session.get(AssistedApplication, assisted.id)
    assisted.consent_document_id = document.id
    assisted.consent_sha256 = document.sha256
    return _finish(assisted, citizen, ConfirmationMethod.PAPER, actor=assistant)


def _finish(assisted: AssistedApplication, citizen: User, method: ConfirmationMethod, *, actor: User) -> Confirmed:
    assisted_id = assisted.id
    draft = db.session.get(Draft, assisted.draft_id)
    result = submit.submit_draft(citizen, draft, idempotency_key=assisted.idempotency_key)  # commits
    assisted = db.session.get(AssistedApplication, assisted_id)
    application = result.application
    if assisted.status != AssistStatus.CONFIRMED:
        assisted.status = AssistStatus.CONFIRMED
        assisted.confirmation = method
        assisted.application_id = application.id
        assisted.confirmed_at = utcnow()
        what = (
            _("Application %(number)s confirmed by the citizen with their passkey", number=application.tracking_number)
            if method == ConfirmationMethod.PASSKEY
            else _("Application %(number)s confirmed with a signed paper consent", number=application.tracking_number)
        )
        _record(assisted, actor, what, application=application)
        if actor.id == citizen.id and assisted.assistant_id is not None:
            # The citizen's own confirmation is not "someone else read my data"; the officer's part is what the
            # Riwayat akses shows — and the audit log keeps the citizen's act above.
            assistant = db.session.get(User, assisted.assistant_id)
            if assistant is not None:
                privacy.record_access(
                    subject=citizen,
                    actor=assistant,
                    what=_("Application %(number)s", number=application.tracking_number),
                    purpose=helped_by(assisted),
                    agency=assisted.mpp.name,
                    timezone=assisted.mpp.timezone,
                )
        db.session.commit()
    return Confirmed(application=application, created=result.created)


def assisted_application_of(application: Application) -> AssistedApplication | None:
    """For the citizen's application page: was it made with help, by whom, how was it confirmed."""
    return db.session.scalar(
        select(AssistedApplication).where(
            AssistedApplication.application_id == application.id,
            AssistedApplication.status == AssistStatus.CONFIRMED,
        )
    )


STATUS_LABELS = {
    AssistStatus.IDENTIFYING: _l("Finding the account"),
    AssistStatus.FILLING: _l("Filling in"),
    AssistStatus.AWAITING_CITIZEN: _l("Waiting for the citizen's confirmation"),
    AssistStatus.CONFIRMED: _l("Submitted"),
    AssistStatus.CANCELLED: _l("Cancelled"),
}
