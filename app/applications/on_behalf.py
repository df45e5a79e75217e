"""Who may apply for whom: the per-service rule in the form data, and the check against a family member (issue 13).

A service's form definition says, in ``"for_whom"``, who may submit it for someone else:

- ``sendiri`` — only the person themself (SKCK: police records are personal; SIM: tests in person; IKD: the
  person's own phone and face). The default: a form that says nothing is never opened to others by accident.
- ``keluarga`` — the person or anyone of their family on the citizen's list (vehicle tax, BPJS for a parent).
- ``satu_kk`` — the person or a family member on the same Kartu Keluarga (changes to the KK, KTP-el, a move).
- ``orang_tua_atau_satu_kk`` — akta kelahiran: a parent of the child, or a family member on the same KK
  (Perpres 96/2018 Pasal 33: the birth is reported by the parents or the family).

Whatever the service says, a member who linked their own account and then revoked it has withdrawn consent: nobody
applies in their name until they link again.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..catalog.models import Service
from ..errors import UserFacingError
from ..extensions import db
from ..personal.family import consent_withdrawn, linked_account, record_act_for, relationship_text
from ..personal.models import FamilyMember, Relationship
from ..personal.privacy import record_access
from . import drafts
from .models import Application, Draft

SELF = "sendiri"
FAMILY = "keluarga"
SAME_KK = "satu_kk"
PARENT_OR_SAME_KK = "orang_tua_atau_satu_kk"
RULES = (SELF, FAMILY, SAME_KK, PARENT_OR_SAME_KK)

MSG_SELF_ONLY = _l(
    "%(service)s can only be applied for by the person themself. %(name)s must apply with their own account."
)
MSG_SAME_KK = _l(
    "%(service)s can only be applied for a family member on the same KK as you, and %(name)s is not on your KK."
)
MSG_PARENT_OR_SAME_KK = _l("Only a parent, or a family member on the same KK, can apply for %(service)s for %(name)s.")
MSG_CONSENT_WITHDRAWN = _l(
    "%(name)s has withdrawn their consent: you can no longer apply in their name. Ask them to link their account again."
)


def rule_of(definition: dict | None) -> str:
    rule = (definition or {}).get("for_whom", SELF)
    return rule if rule in RULES else SELF


def allows_others(definition: dict | None) -> bool:
    return rule_of(definition) != SELF


def refusal(definition: dict | None, member: FamilyMember, *, service_name: str) -> str | None:
    """Why the citizen may not apply for ``member`` for this service (a message for the page), or None."""
    values = {"service": service_name, "name": member.full_name}
    rule = rule_of(definition)
    if rule == SELF:
        return str(MSG_SELF_ONLY) % values
    if consent_withdrawn(member):
        return str(MSG_CONSENT_WITHDRAWN) % values
    if rule == SAME_KK and not member.same_kk:
        return str(MSG_SAME_KK) % values
    if rule == PARENT_OR_SAME_KK and not (member.relationship == Relationship.CHILD or member.same_kk):
        return str(MSG_PARENT_OR_SAME_KK) % values
    return None


# --- use cases ----------------------------------------------------------------------------------------------------


class NotAllowed(UserFacingError):
    """The citizen may not apply in this person's name; ``message`` says why."""


def start_for(user: User, service: Service, member: FamilyMember | None) -> Draft:
    """Start (or resume) the citizen's draft for themself or for ``member``. Raises NotAllowed with the message to
    show next to "Untuk siapa?". Commits. An act on a linked member's data is in the member's Riwayat akses."""
    definition = drafts.latest_form(service)
    if member is not None:
        message = refusal(definition.definition if definition else None, member, service_name=service.name)
        if message:
            raise NotAllowed(message)
    existing = drafts.open_draft_for(user, service, member=member)
    draft = drafts.start_draft(user, service, member=member)
    if member is not None and existing is None:
        record_act_for(
            member,
            user,
            what="Data Anda sebagai anggota keluarga",
            purpose=f"Memulai permohonan {service.name} atas nama Anda ({relationship_text(member)})",
        )
        db.session.commit()
    return draft


def draft_subject(draft: Draft) -> FamilyMember | None:
    if draft.subject_member_id is None:
        return None
    return db.session.get(FamilyMember, draft.subject_member_id)


def submit_refusal(draft: Draft) -> str | None:
    """Checked again at submission: consent may have been withdrawn, or the entry changed, since the start."""
    member = draft_subject(draft)
    if member is None:
        return None
    return refusal(draft.form_definition.definition, member, service_name=draft.service.name)


def stamp_subject(application: Application, draft: Draft, user: User) -> None:
    """Copy who the application is about onto it (a first submission), and log it for a linked member.
    Part of the submission's transaction: does not commit."""
    member = draft_subject(draft)
    if member is None:
        return
    if application.subject_member_id is not None:  # a correction: already stamped at the first submission
        record_act_for(
            member,
            user,
            what="Data Anda sebagai anggota keluarga",
            purpose=f"Mengirim perbaikan permohonan {application.tracking_number} atas nama Anda",
        )
        return
    account = linked_account(member)
    application.subject_member_id = member.id
    application.subject_user_id = account.id if account else None
    application.subject_name = member.full_name
    application.subject_relationship = member.relationship.value
    record_act_for(
        member,
        user,
        what="Data Anda sebagai anggota keluarga",
        purpose=f"Mengajukan permohonan {draft.service.name} atas nama Anda ({relationship_text(member)})",
    )


def relationship_label(value: str | None) -> str:
    return relationship_text(value) if value else ""


def record_read_for_subject(application: Application, actor: User, **details) -> None:
    """An officer read an application made for a linked family member: it is in that member's Riwayat akses too,
    with the same details as the applicant's entry. Does not commit."""
    if application.subject_user_id is None:
        return
    account = db.session.get(User, application.subject_user_id)
    if account is not None:
        record_access(subject=account, actor=actor, **details)


def record_act_on(application: Application, actor: User, *, purpose: str) -> None:
    """The applicant acted on an application made for a linked family member (e.g. cancelled it): in that
    member's Riwayat akses. Does not commit."""
    if application.subject_user_id is None or application.subject_user_id == actor.id:
        return
    account = db.session.get(User, application.subject_user_id)
    if account is not None:
        record_access(
            subject=account,
            actor=actor,
            what=f"Permohonan {application.tracking_number} atas nama Anda",
            purpose=purpose,
        )
