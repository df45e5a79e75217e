"""Forms of sign-up, recovery and the passkeys page. WTForms ships no Indonesian: every validator has its message."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

# Deliberately loose: the address is checked for real when a recovery code is sent to it.
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']{2,}$")
# Indonesian mobile numbers: 08…, +628… or 628…, 9–13 digits after the prefix 0.
PHONE_PATTERN = re.compile(r"^(?:\+62|62|0)8\d{7,11}$")

MSG_EMAIL = _l("Enter an e-mail address like nama@contoh.id.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def normalize_email(value):
    """How every e-mail field is normalised (the rate limits in routes.py key on the same value)."""
    return value.strip().lower() if isinstance(value, str) else value


def _phone_filter(value):
    return re.sub(r"[\s\-().]", "", value) if isinstance(value, str) else value


class EmailMixin:
    email = EmailField(
        _l("E-mail"),
        filters=[normalize_email],
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("At most 254 characters.")),
            Regexp(EMAIL_PATTERN, message=MSG_EMAIL),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )


class SignUpForm(EmailMixin, FlaskForm):
    display_name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Enter your name.")),
            Length(min=2, max=120, message=_l("Your name must be 2 to 120 characters.")),
        ],
        description=_l("How we greet you. Your full legal name goes in Data Saya later."),
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Mobile number (optional)"),
        filters=[_phone_filter],
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a mobile number like 081234567890."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    def validate_display_name(self, field) -> None:
        if any(ch in field.data for ch in "<>{}"):
            raise ValidationError(_l("Use letters, spaces and punctuation such as . ' - only."))


class RecoveryCodeForm(EmailMixin, FlaskForm):
    code = StringField(
        _l("Recovery code"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Enter one of your recovery codes.")),
            Length(max=20, message=_l("A recovery code looks like ABCD-EFGH-JK.")),
        ],
        description=_l("It looks like ABCD-EFGH-JK. Each code works once."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class EmailCodeRequestForm(EmailMixin, FlaskForm):
    pass


class EmailCodeMixin:
    code = StringField(
        _l("Code from the e-mail"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Enter the 6-digit code from the e-mail.")),
            Regexp(r"^\d{6}$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"},
    )


class EmailCodeForm(EmailCodeMixin, FlaskForm):
    """Step 2 of e-mail recovery: the address is the one this browser asked a code for (kept in the session)."""


class SignUpCodeForm(EmailCodeMixin, FlaskForm):
    """Step 2 of sign-up: the address is already known (this browser's pending sign-up), only the code is asked."""


class RenamePasskeyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Enter a name for this passkey.")),
            Length(max=60, message=_l("At most 60 characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )


class ChangeEmailForm(FlaskForm):
    """Akun → E-mail: the new sign-in address (a code is sent to it)."""

    email = EmailField(
        _l("New e-mail address"),
        filters=[normalize_email],
        validators=[
            InputRequired(_l("Enter your new e-mail address.")),
            Length(max=254, message=_l("At most 254 characters.")),
            Regexp(EMAIL_PATTERN, message=MSG_EMAIL),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )


class ChangeEmailCodeForm(EmailCodeMixin, FlaskForm):
    """Step 2 of changing the e-mail: the code sent to the new address."""
