"""Forms of Data Saya, Dokumen Saya and the privacy page.

WTForms ships no Indonesian messages, so every validator carries its own. The rules about the *content* (NIK, the
file itself, the deletion phrase) live in the use-case modules; these forms only check shape and presence.
Data Saya has no WTForms class: its fields are checked by ``profile.check_profile`` so that applications saving a
correction back get the same rules.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..catalog.models import DocumentType
from .documents import DOCUMENT_TYPE_LABELS
from .privacy import CORRECTION_MAX_LENGTH

MSG_CHOOSE_FILE = _l("Choose a file to upload.")
MSG_CHOOSE_TYPE = _l("Choose the type of document.")


class DocumentUploadForm(FlaskForm):
    document_type = SelectField(
        _l("Type of document"),
        choices=[SelectChoice("", _l("— choose —"))]
        + [SelectChoice(kind.value, label) for kind, label in DOCUMENT_TYPE_LABELS.items()],
        validators=[InputRequired(MSG_CHOOSE_TYPE)],
    )
    title = StringField(
        _l("Label (optional)"),
        validators=[Optional(), Length(max=120, message=_l("At most 120 characters."))],
        description=_l("For example: KTP lama, ijazah SMA."),
    )
    file = FileField(
        _l("File"),
        validators=[FileRequired(MSG_CHOOSE_FILE)],
        description=_l("JPG, PNG or PDF, at most 5 MB. A clear photo of the whole document is enough."),
    )

    def validate_document_type(self, field) -> None:
        if field.data and field.data not in {kind.value for kind in DocumentType}:
            raise ValidationError(MSG_CHOOSE_TYPE)


class DocumentReplaceForm(FlaskForm):
    file = FileField(
        _l("New file"),
        validators=[FileRequired(MSG_CHOOSE_FILE)],
        description=_l("JPG, PNG or PDF, at most 5 MB."),
    )


class CorrectionForm(FlaskForm):
    message = TextAreaField(
        _l("What is wrong, and what should it be?"),
        validators=[
            InputRequired(_l("Write what is wrong and what it should be.")),
            Length(max=CORRECTION_MAX_LENGTH, message=_l("At most 2000 characters.")),
        ],
    )


class DeleteAccountForm(FlaskForm):
    confirmation = StringField(
        _l("Type HAPUS AKUN SAYA to confirm"),
        validators=[InputRequired(_l("Type HAPUS AKUN SAYA exactly, in capital letters, to confirm."))],
    )
