"""Answers as a citizen reads them back: choice labels instead of codes, dates in words, a masked NIK."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _

from ..formatting import long_date
from ..personal.nik import mask_number
from .formdefs import ADDRESS_PARTS, NO, YES, Form, text
from .models import ApplicationRevision, Draft


def step_title(form: Form, step: str) -> str:
    from .drafts import CHECK_STEP, DOCUMENTS_STEP, LOCATION_STEP

    special = {
        LOCATION_STEP: _("Where to apply"),
        DOCUMENTS_STEP: _("Documents"),
        CHECK_STEP: _("Check your answers"),
    }
    if step in special:
        return special[step]
    return text(form.step(step)["title"])


def display_value(form: Form, key: str, answers: dict, *, masked: bool = False) -> str:
    spec = form.fields[key]
    kind = spec["type"]
    if kind == "address":
        values = {part: (answers.get(f"{key}.{part}") or "").strip() for part, _label, _req in ADDRESS_PARTS}
        pieces = [values["street"]]
        if values["rt"] or values["rw"]:
            pieces.append(f"RT {values['rt'] or '-'}/RW {values['rw'] or '-'}")
        pieces += [values["village"], values["district"], values["city"], values["province"], values["postal_code"]]
        return ", ".join(piece for piece in pieces if piece)
    raw = (answers.get(key) or "").strip()
    if not raw:
        return ""
    if kind == "choice":
        choice = next((c for c in spec["choices"] if c["value"] == raw), None)
        return text(choice["label"]) if choice else raw
    if kind == "yes_no":
        return {YES: _("Yes"), NO: _("No")}.get(raw, raw)
    if kind == "date":
        try:
            return long_date(dt.date.fromisoformat(raw))
        except ValueError:
            return raw
    if kind in ("nik", "kk") and masked:
        return mask_number(raw)
    return raw


def answer_rows(
    source: Draft | ApplicationRevision,
    form: Form,
    *,
    step_url: Callable[[str], str] | None = None,
    masked: bool = False,
) -> list[dict]:
    """Sections per step with (label, value, link to change it) rows; hidden (conditional) questions left out."""
    answers = source.answers
    sections = []
    for step in form.steps:
        rows = []
        for key in form.visible_fields(step["key"], answers):
            rows.append(
                {
                    "label": form.label(key),
                    "value": display_value(form, key, answers, masked=masked),
                    "anchor": "f-" + form.input_names(key)[0].replace(".", "-"),
                    "key": key,
                }
            )
        sections.append(
            {
                "step": step["key"],
                "title": text(step["title"]),
                "rows": rows,
                "url": step_url(step["key"]) if step_url else None,
            }
        )
    return sections


def document_rows(revision: ApplicationRevision, form: Form) -> list[dict]:
    return [{"label": text(doc["label"]), "attached": doc["key"] in revision.documents} for doc in form.documents]
