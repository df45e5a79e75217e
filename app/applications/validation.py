"""Validate what a citizen typed against a form definition → typed data, or a message per form field.

The JSON Schema decides *whether* an answer is valid (the same schema agency systems can use); this module decides
*what to say*, in the citizen's language, next to the right field — "NIK harus 16 angka", not "'12' does not match
'^[0-9]{16}$'".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from ..personal.nik import InvalidNumber, parse_kk_number, parse_nik  # province codes, day+40 for women…
from .formdefs import ADDRESS_PARTS, Form, text

_FORMAT_CHECKER = FormatChecker(formats=["date"])


def _input_label(form: Form, name: str) -> str:
    key, _dot, part = name.partition(".")
    if part:
        part_label = next(text(label) for p, label, _required in ADDRESS_PARTS if p == part)
        return f"{form.label(key)}: {part_label}"
    return form.label(key)


def _inline(message: str, label: str) -> str:
    """A label inside a sentence reads in lower case ("Pilih jenis kelamin anak.", not "Pilih Jenis kelamin anak.");
    at the start of the sentence it keeps its capital. Acronyms (NIK, RT, KBLI) are left as they are."""
    if not label or message.startswith(label) or len(label) < 2 or not label[1].islower():
        return message
    return message.replace(label, label[0].lower() + label[1:])


def _message(form: Form, name: str, error) -> str:
    return _inline(_raw_message(form, name, error), _input_label(form, name))


def _raw_message(form: Form, name: str, error) -> str:
    key, _dot, part = name.partition(".")
    spec = form.fields.get(key, {})
    kind = spec.get("type")
    label = _input_label(form, name)
    validator = error.validator
    if spec.get("message") and not part and validator in ("required", "minLength", "type", "minimum", "maximum"):
        return text(spec["message"])
    if validator == "required" or (validator == "minLength" and not error.instance):
        if kind == "choice":
            return _("Choose %(label)s.", label=label)
        if kind == "yes_no":
            return _("Choose yes or no for “%(label)s”.", label=label)
        return _("Enter %(label)s.", label=label)
    if kind == "number":
        if validator == "type":
            return _("%(label)s must be a whole number, for example 3.", label=label)
        if validator == "minimum":
            return _("%(label)s must be at least %(min)s.", label=label, min=error.validator_value)
        if validator == "maximum":
            return _("%(label)s must be at most %(max)s.", label=label, max=error.validator_value)
    if kind == "date":
        return _("Enter a real date for %(label)s.", label=label)
    if kind == "nik":
        return _("A NIK is exactly 16 digits, as printed on the KTP-el.")
    if kind == "kk":
        return _("A family card (KK) number is exactly 16 digits.")
    if kind == "phone":
        return _("Enter a mobile number such as 081234567890.")
    if kind == "yes_no":
        return _("Choose yes or no for “%(label)s”.", label=label)
    if kind == "choice":
        return _("Choose one of the options for %(label)s.", label=label)
    if part in ("rt", "rw"):
        return _("%(label)s is a number of up to 3 digits, for example 003.", label=label)
    if part == "postal_code":
        return _("A postal code is 5 digits.")
    if validator == "maxLength":
        return _("%(label)s is too long (at most %(max)d characters).", label=label, max=error.validator_value)
    return _("Check %(label)s.", label=label)


def _error_names(error) -> list[str]:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        return [".".join([*path, name]) for name in error.validator_value if name not in instance]
    return [".".join(path)] if path else []


def _extra_checks(form: Form, data: dict, errors: dict[str, str], today: dt.date) -> None:
    """Rules a schema keyword cannot say with a good message: NIK structure, dates in the past or future."""
    for key, value in data.items():
        if key in errors:
            continue
        spec = form.fields[key]
        if spec["type"] in ("nik", "kk") and isinstance(value, str):
            try:
                if spec["type"] == "nik":
                    parse_nik(value, today=today)
                else:
                    parse_kk_number(value)
            except InvalidNumber as error:
                errors[key] = str(error.message)
        if spec["type"] == "date" and isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue
            label = form.label(key)
            if spec.get("past") and day > today:
                errors[key] = _inline(_("%(label)s cannot be in the future.", label=label), label)
            elif spec.get("future") and day < today:
                errors[key] = _inline(_("%(label)s cannot be in the past.", label=label), label)
            elif day.year < 1900:
                errors[key] = _inline(_("Enter a real date for %(label)s.", label=label), label)


def validate(
    form: Form, answers: dict, *, only: list[str] | None = None, today: dt.date | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return ``(data, errors)``: typed data for the schema and ``{form-field name: message}``.

    ``only`` limits the errors to the given fields (one step); the whole form is validated when it is None.
    """
    data = form.coerce(answers)
    errors: dict[str, str] = {}
    validator = Draft202012Validator(form.schema, format_checker=_FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        for name in _error_names(error):
            if form.fields.get(name, {}).get("type") == "address":
                # A wholly empty address: the message belongs next to each empty part, not on the group.
                names = [f"{name}.{part}" for part, _label, required in ADDRESS_PARTS if required]
            else:
                names = [name]
            for input_name in names:
                if input_name and input_name not in errors and input_name.partition(".")[0] in form.fields:
                    errors[input_name] = _message(form, input_name, error)
    _extra_checks(form, data, errors, today or dt.date.today())
    # In the order of the form, so the summary at the top reads like the page below it.
    order = {name: i for i, name in enumerate(n for key in form.fields for n in form.input_names(key))}
    errors = dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))
    if only is not None:
        allowed = set(only)
        errors = {name: message for name, message in errors.items() if name.partition(".")[0] in allowed}
    return data, errors
