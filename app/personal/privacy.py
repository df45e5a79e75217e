"""The citizen's rights under UU 27/2022 Pelindungan Data Pribadi: consent, access and copy (export), correction,
deletion, and Riwayat akses (who other than the citizen read their data).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..accounts.models import Role, User
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from ..pagination import Page, paginate
from . import documents as documents_module
from .models import AccessLog, Consent, CorrectionRequest, Document, FamilyLink, FamilyMember, Profile
from .profile import get_profile, profile_prefill

# The consent behind Web Push. A device may receive push only while this consent is active: turning push on
# records it, withdrawing it removes every push subscription (see ``_withdraw``), so the privacy page and the
# devices page never disagree (UU 27/2022 Pasal 20 ayat (2) huruf a, Pasal 9).
NOTIFICATIONS = "notifikasi"


@dataclass(frozen=True)
class Purpose:
    code: str
    label: object
    description: object
    required: bool


# Why we process data. "layanan" is not optional: processing an application is a public-service duty, a lawful
# basis of its own (UU 27/2022 Pasal 20 ayat (2) huruf d and e), so it cannot be withdrawn while the account exists —
# only the account itself can be deleted. The others rest on consent alone and can be withdrawn at any time
# (Pasal 9), after which we stop within 3×24 hours (Pasal 40).
PURPOSES: dict[str, Purpose] = {
    purpose.code: purpose
    for purpose in (
        Purpose(
            "layanan",
            _l("Processing my applications"),
            _l("Your data is shared only with the agency handling each application you submit."),
            True,
        ),
        Purpose(
            NOTIFICATIONS,
            _l("Notifications"),
            _l(
                "Push notifications on the devices where you turn them on, about the status of your applications and"
                " queue bookings. Withdrawing this turns push off on all your devices; your inbox in MPP Digital stays."
            ),
            False,
        ),
        Purpose(
            "survei",
            _l("Satisfaction surveys"),
            _l("Invitations to the Survei Kepuasan Masyarakat after a service is completed."),
            False,
        ),
    )
}

# UU 27/2022 Pasal 30: the controller corrects personal data no later than 3×24 hours after the request.
CORRECTION_DEADLINE = dt.timedelta(hours=72)
CORRECTION_MAX_LENGTH = 2000
ACCESS_PAGE_SIZE = 30  # entries of the access history per page
DELETE_PHRASE = "HAPUS AKUN SAYA"  # typed, not clicked: deletion cannot be undone
DELETED_NAME = "Akun dihapus"
ROLE_LABELS = {
    Role.CITIZEN.value: _l("Citizen"),
    Role.OFFICER.value: _l("Officer"),
    Role.MPP_ADMIN.value: _l("MPP administrator"),
    Role.NATIONAL_ADMIN.value: _l("National administrator"),
    Role.FRONT_DESK.value: _l("Front-desk officer"),
}

MSG_CORRECTION_EMPTY = _l("Write what is wrong and what it should be.")
MSG_CORRECTION_LONG = _l("At most 2000 characters.")
MSG_PHRASE = _l("Type HAPUS AKUN SAYA exactly, in capital letters, to confirm.")


class PrivacyError(UserFacingError, ValueError):
    """A privacy request that cannot be done; ``message`` is shown to the citizen."""


# --- consent --------------------------------------------------------------------------------------------------


def _active_consents(user: User) -> dict[str, Consent]:
    rows = db.session.scalars(
        select(Consent).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None)).order_by(Consent.granted_at)
    )
    return {row.purpose: row for row in rows}


def _grant(user: User, purposes: list[str]) -> None:
    active = _active_consents(user)
    for code in purposes:
        if code not in PURPOSES:
            raise KeyError(f"unknown consent purpose: {code}")
        if code not in active:
            db.session.add(Consent(user_id=user.id, purpose=code, granted_at=utcnow()))


def active_consent(user: User, purpose: str) -> Consent | None:
    """The consent row in force for ``purpose`` (with its ``granted_at``), or None."""
    return _active_consents(user).get(purpose)


def grant_consent(user: User, purpose: str) -> bool:
    """Record consent for ``purpose`` if it is not already in force (purpose and time, like any other grant).

    For an explicit act of the citizen elsewhere — pressing "turn on notifications" is consent to notifications.
    Returns True when a new row was recorded. Does not commit: part of the caller's transaction.
    """
    if active_consent(user, purpose) is not None:
        return False
    _grant(user, [purpose])
    return True


def _withdraw(user: User, consents: list[Consent], *, now: dt.datetime) -> None:
    """Withdraw consent rows (kept, with their time, as proof) and stop what rested on them, in one transaction."""
    for consent in consents:
        consent.withdrawn_at = now
    if any(consent.purpose == NOTIFICATIONS for consent in consents):
        # Push rests on this consent alone; the in-app inbox is part of the service itself (purpose "layanan").
        from ..notifications.subscriptions import remove_all_subscriptions  # notifications imports us

        remove_all_subscriptions(user)


def record_signup_consents(user: User, purposes: list[str]) -> None:
    """Called at sign-up with the optional purposes the citizen ticked. The required purpose is always recorded
    (it is what the account is for). Does not commit: part of the sign-up transaction."""
    _grant(user, ["layanan", *[code for code in purposes if code != "layanan"]])


def consent_overview(user: User) -> list[dict]:
    """Every purpose with whether it is on and since when, for the privacy page."""
    active = _active_consents(user)
    return [
        {"purpose": purpose, "consent": active.get(code), "granted": code in active}
        for code, purpose in PURPOSES.items()
    ]


def has_consent(user: User, purpose: str) -> bool:
    """For other capabilities (e.g. notifications, surveys) before they use data for ``purpose``."""
    return purpose in _active_consents(user)


def set_consents(user: User, wanted: set[str]) -> set[str]:
    """Turn optional purposes on or off; the required one is not touched. Withdrawal keeps the row (proof).

    Withdrawing "notifikasi" also removes all the citizen's push subscriptions. Returns the purposes withdrawn.
    """
    active = _active_consents(user)
    now = utcnow()
    withdrawn = []
    for code, purpose in PURPOSES.items():
        if purpose.required:
            continue
        if code in wanted and code not in active:
            db.session.add(Consent(user_id=user.id, purpose=code, granted_at=now))
        elif code not in wanted and code in active:
            withdrawn.append(active[code])
    _withdraw(user, withdrawn, now=now)
    db.session.commit()
    return {consent.purpose for consent in withdrawn}


def consent_history(user: User) -> list[Consent]:
    return list(
        db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.granted_at.desc()))
    )


# --- correction requests (Pasal 30) --------------------------------------------------------------------------


def request_correction(user: User, message: str) -> CorrectionRequest:
    text = (message or "").strip()
    if not text:
        raise PrivacyError(MSG_CORRECTION_EMPTY)
    if len(text) > CORRECTION_MAX_LENGTH:
        raise PrivacyError(MSG_CORRECTION_LONG)
    now = utcnow()
    row = CorrectionRequest(user_id=user.id, message=text, created_at=now, due_at=now + CORRECTION_DEADLINE)
    db.session.add(row)
    db.session.commit()
    return row


def list_corrections(user: User) -> list[CorrectionRequest]:
    return list(
        db.session.scalars(
            select(CorrectionRequest)
            .where(CorrectionRequest.user_id == user.id)
            .order_by(CorrectionRequest.created_at.desc())
        )
    )


# --- Riwayat akses -----------------------------------------------------------------------------------------


def record_access(
    *, subject: User, actor: User, what: str, purpose: str, agency: str | None = None, timezone: str | None = None
) -> AccessLog | None:
    """Log that ``actor`` read ``subject``'s data or documents. Call it *before* showing the data.

    The citizen's own reads are not logged: Riwayat akses is about others. Does not commit, so the log row and
    whatever the officer did are one transaction; with nothing else to commit, commit after calling this.
    ``timezone`` is the zone of the MPP concerned, so the entry shows the time the application's timeline shows.
    """
    if actor.id == subject.id:
        return None
    ip = request.remote_addr if has_request_context() else None
    row = AccessLog(
        subject_id=subject.id,
        actor_id=actor.id,
        actor_name=actor.display_name[:120],
        actor_role=Role(actor.role).value,
        agency_name=(agency or None) and agency[:200],
        what=what[:200],
        purpose=purpose[:200],
        ip=ip,
        timezone=timezone,
        created_at=utcnow(),
    )
    db.session.add(row)
    return row


def access_page(user: User, *, page: int = 1) -> Page[AccessLog]:
    """One page of who opened this person's data, newest first (the page's rows carry every name they show)."""
    query = (
        select(AccessLog)
        .where(AccessLog.subject_id == user.id)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
    )
    return paginate(query, number=page, size=ACCESS_PAGE_SIZE)


def access_history(user: User, *, limit: int = 200) -> list[AccessLog]:
    return list(
        db.session.scalars(
            select(AccessLog)
            .where(AccessLog.subject_id == user.id)
            .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
            .limit(limit)
        )
    )


# --- export (access and copy) ------------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> tuple[str, bytes]:
    """All we hold about the citizen as a zip: data.json plus every document. Built in memory (≤ 40 × 5 MB worst
    case; a background job with a download link is the next step for larger accounts)."""
    profile = get_profile(user)
    docs = documents_module.list_documents(user)
    payload = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "role": Role(user.role).value,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
        },
        "profile": profile_prefill(user) if profile else None,
        # Anggota keluarga: data about other people the citizen entered, and the links of their own accounts.
        "family_members": [
            {
                "full_name": member.full_name,
                "nik": member.nik,
                "relationship": member.relationship.value,
                "birth_date": member.birth_date.isoformat(),
                "birth_place": member.birth_place,
                "same_kk": member.same_kk,
            }
            for member in db.session.scalars(select(FamilyMember).where(FamilyMember.owner_id == user.id))
        ],
        "family_links": [
            {"linked_at": _iso(link.linked_at), "revoked_at": _iso(link.revoked_at), "revoked_by": link.revoked_by}
            for link in db.session.scalars(select(FamilyLink).where(FamilyLink.account_id == user.id))
        ],
        "documents": [
            {
                "id": doc.id,
                "type": doc.document_type.value,
                "title": doc.title,
                "content_type": doc.content_type,
                "size": doc.size,
                "sha256": doc.sha256,
                "uploaded_at": _iso(doc.created_at),
                "file": f"dokumen/{doc.download_name}",
            }
            for doc in docs
        ],
        "consents": [
            {"purpose": row.purpose, "granted_at": _iso(row.granted_at), "withdrawn_at": _iso(row.withdrawn_at)}
            for row in consent_history(user)
        ],
        "correction_requests": [
            {
                "message": row.message,
                "status": row.status.value,
                "created_at": _iso(row.created_at),
                "due_at": _iso(row.due_at),
            }
            for row in list_corrections(user)
        ],
        "access_log": [
            {
                "when": _iso(row.created_at),
                "actor": row.actor_name,
                "role": row.actor_role,
                "agency": row.agency_name,
                "what": row.what,
                "purpose": row.purpose,
            }
            for row in access_history(user, limit=100_000)
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(payload, ensure_ascii=False, indent=2))
        for doc in docs:
            with documents_module.open_document(doc) as stored:
                archive.writestr(f"dokumen/{doc.download_name}", stored.read())
    filename = f"data-saya-{utcnow():%Y%m%d}.zip"
    return filename, buffer.getvalue()


# --- deletion ----------------------------------------------------------------------------------------------------


def delete_account(user: User, confirmation: str) -> None:
    """Delete the account: personal data and documents go, the user row stays anonymised.

    What stays, and why: the anonymised user row keeps its id, so records the law makes us keep — applications
    and their decisions (arsip, UU 43/2009 Kearsipan), complaints, the Riwayat akses of officers and the consent
    history (proof of lawful processing, UU 27/2022 Pasal 24) — still hold together without naming the person.
    Sessions and passkeys are removed in the same transaction, so every device is signed out.
    """
    if (confirmation or "").strip() != DELETE_PHRASE:
        raise PrivacyError(MSG_PHRASE)
    from ..accounts.sessions import delete_account_credentials  # accounts owns credentials and sessions

    user = db.session.merge(user)
    names = documents_module.stored_names(user)  # archived documents and kept versions too
    db.session.execute(delete(Document).where(Document.user_id == user.id))
    db.session.execute(delete(Profile).where(Profile.user_id == user.id))
    db.session.execute(delete(CorrectionRequest).where(CorrectionRequest.user_id == user.id))
    # The family members the citizen listed are other people's data, kept only for this account: they go too.
    # Links of this account to others' lists end (kept, revoked, as proof of when the consent held).
    db.session.execute(delete(FamilyMember).where(FamilyMember.owner_id == user.id))
    now = utcnow()
    db.session.execute(
        update(FamilyLink)
        .where(FamilyLink.account_id == user.id, FamilyLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by="anggota")
    )
    _withdraw(user, list(_active_consents(user).values()), now=now)  # push subscriptions go with "notifikasi"
    delete_account_credentials(user)
    user.display_name = DELETED_NAME
    user.email = f"deleted-{user.id}@invalid"
    user.phone = None
    user.deleted_at = now
    db.session.commit()
    for name in names:  # files after the commit: a failed commit must leave the account whole
        documents_module.remove_stored_file(name)
