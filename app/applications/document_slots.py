"""A form's upload slots ARE the service's document persyaratan: one source of truth.

The Standar Pelayanan lists what a citizen must bring (UU 25/2009 Pasal 21 huruf b); the officer ticks the same
list. When the online form asked for a different list, a required document ("KTP-el orang tua atau pelapor" for an
akta kelahiran) was never asked for, and the officer's correction request for it had nowhere to go. So the form
never lists its own documents: every requirement of kind "dokumen" becomes one upload slot, in the catalog's order,
with the catalog's words; conditions ("berusia 17 tahun") and things done at the counter (biometric recording) are
not slots.

A slot's key is the document type, with ``_2``, ``_3``… for a second and third requirement of the same type (several
"Dokumen lainnya"), so keys stay stable while the list keeps its order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func, select

from ..catalog.models import DocumentType, Requirement, RequirementKind, Service
from ..extensions import db
from .formdefs import check_definition
from .models import FormDefinition


def document_slots(requirements: Iterable[Requirement]) -> list[dict]:
    """Upload slots for a form definition's ``documents``, derived from the persyaratan."""
    slots: list[dict] = []
    seen: Counter[str] = Counter()
    for requirement in sorted(requirements, key=lambda r: r.position):
        if RequirementKind(requirement.kind) != RequirementKind.DOCUMENT or requirement.document_type is None:
            continue
        kind = DocumentType(requirement.document_type).value
        seen[kind] += 1
        slot = {
            "key": kind if seen[kind] == 1 else f"{kind}_{seen[kind]}",
            "document_type": kind,
            # The catalog is written in Indonesian; ``text()`` falls back to it in English too.
            "label": {"id": requirement.description},
            "required": bool(requirement.required),
        }
        if requirement.note:
            slot["help"] = {"id": requirement.note}
        slots.append(slot)
    return slots


def with_documents_of(definition: dict, service: Service) -> dict:
    """The definition with its documents replaced by the service's current document persyaratan."""
    derived = {**definition, "documents": document_slots(service.requirements)}
    check_definition(derived)
    return derived


def follow_catalog(service: Service) -> FormDefinition | None:
    """After the persyaratan changed: a new form version whose slots match them (drafts in progress move to it on
    their next step, keeping every answer that still has a slot). None when the form already matches or the
    service has no online form. Adds to the session; the caller commits."""
    latest = db.session.scalar(
        select(FormDefinition).where(FormDefinition.service_id == service.id).order_by(FormDefinition.version.desc())
    )
    if latest is None:
        return None
    definition = with_documents_of(latest.definition, service)
    if definition == latest.definition:
        return None
    version = (
        db.session.scalar(select(func.max(FormDefinition.version)).where(FormDefinition.service_id == service.id)) or 0
    ) + 1
    new = FormDefinition(service_id=service.id, version=version, definition=definition)
    db.session.add(new)
    return new
