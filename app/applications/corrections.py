"""A correction round-trip ("perlu perbaikan") as the citizen meets it: straight to what the officer pointed at.

The officer's request names a reason (always, UU 25/2009 Pasal 18) and may point at one part of the application:
a screen of the form ("Data anak") or one document slot ("KTP-el orang tua atau pelapor"). "Perbaiki" then opens
that screen instead of "Langkah 1 dari 8", the reason stays on every screen, and a named document becomes required
in the correction even where the standard calls it "if applicable" — the officer has decided it applies.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .formdefs import Form, text
from .models import Application, ApplicationStatus, FormDefinition, StatusEvent

DOCUMENT_PREFIX = "dokumen."


def correction_form(application: Application) -> Form:
    """The form a correction is made on: the service's latest (start_correction moves the copy to it), so an
    officer can point at a document slot the first submission's older form did not have yet."""
    latest = db.session.scalar(
        select(FormDefinition)
        .where(FormDefinition.service_id == application.service_id)
        .order_by(FormDefinition.version.desc())
    )
    return Form((latest or application.latest_revision.form_definition).definition)


def targets(form: Form) -> list[tuple[str, str]]:
    """What an officer may point at, as (value, label): the form's screens, then its document slots."""
    return [(s["key"], text(s["title"])) for s in form.steps] + [
        (DOCUMENT_PREFIX + doc["key"], text(doc["label"])) for doc in form.documents
    ]


def clean_target(form: Form, value: str | None) -> str | None:
    """The officer's choice when it names a part of this form; anything else (empty, forged) is no target."""
    value = (value or "").strip()
    return value if value in {key for key, _label in targets(form)} else None


def latest_request(application: Application | None) -> StatusEvent | None:
    """The officer's latest correction request, while the application is waiting for the correction."""
    if application is None or application.status != ApplicationStatus.NEEDS_CORRECTION:
        return None
    return next((e for e in reversed(application.events) if e.to_status == ApplicationStatus.NEEDS_CORRECTION), None)


def requested_documents(application: Application | None) -> set[str]:
    """Document slot keys the officer asked for: required in the correction, whatever the standard says."""
    request = latest_request(application)
    target = request.correction_target if request else None
    return {target.removeprefix(DOCUMENT_PREFIX)} if target and target.startswith(DOCUMENT_PREFIX) else set()


def target_label(form: Form, target: str | None) -> str | None:
    return dict(targets(form)).get(target) if target else None


def first_screen(step_keys: list[str], target: str | None, *, documents_step: str, check_step: str) -> str:
    """Where "Perbaiki" opens: the pointed-at screen, the documents screen for a document, else the summary of
    every answer (each with its "Ubah" link) — never a walk through every screen from the first."""
    if target and target.startswith(DOCUMENT_PREFIX) and documents_step in step_keys:
        return documents_step
    if target in step_keys:
        return target
    return check_step
