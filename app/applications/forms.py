"""Form input for the application pages that is not the application itself (that is formdefs.py + validation.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

# Controls of the page itself, not answers of the application.
NOT_ANSWERS = frozenset({"csrf_token", "simpan_data_saya", "kembali", "idempotency_key", "pernyataan"})


def step_values(form: MultiDict) -> dict[str, str]:
    """The answers posted from one step, as typed (first value per name)."""
    return {name: form.get(name, "") for name in form if name not in NOT_ANSWERS}


class CancelForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect already checks every POST of the app (security.py and extensions.py)

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=500, message=_l("The reason can be at most 500 characters."))],
    )
