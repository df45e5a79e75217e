"""Data Saya (/akun/data), Dokumen Saya (/akun/dokumen) and privacy (/akun/privasi).

Routes are thin: parse the request, call one use-case function, choose the response. None of these pages is a
`@public_page`, so every one of them is `Cache-Control: no-store` and never kept by the service worker.
"""

from __future__ import annotations

import datetime as dt
import io
import time

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..accounts.sessions import fresh_passkey_required
from ..extensions import limiter
from ..hypermedia import render
from ..pagination import page_number
from . import documents, previews, privacy, profile
from .forms import CorrectionForm, DeleteAccountForm, DocumentReplaceForm, DocumentUploadForm
from .nik import mask_number
from .uploads import MSG_TOO_BIG, UploadRejected

bp = Blueprint("personal", __name__)

REVEAL_SECONDS = 120  # long enough to copy the number into another form, short enough for a shared phone
REVEAL_KEY = "nik_reveal_until"


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "anon"


# --- Data Saya ---------------------------------------------------------------------------------------------------


def _revealed() -> bool:
    return float(session.get(REVEAL_KEY, 0)) > time.time()


def _profile_page(*, stored, values: dict[str, str], errors: dict, warnings: dict, status: int = 200):
    revealed = _revealed()
    numbers = {
        "nik": stored.nik if stored else None,
        "kk_number": stored.kk_number if stored else None,
    }
    html = render(
        "personal/profile.html",
        values=values,
        errors=errors,
        warnings=warnings,
        numbers=numbers,
        masked={key: mask_number(value) for key, value in numbers.items()},
        revealed=revealed,
        reveal_until=dt.datetime.fromtimestamp(session.get(REVEAL_KEY, 0), dt.UTC) if revealed else None,
        sex_labels=profile.SEX_LABELS,
        religion_labels=profile.RELIGION_LABELS,
        marital_labels=profile.MARITAL_LABELS,
    )
    return html, status


@bp.get("/akun/data")
@login_required
def profile_page():
    values = profile.profile_prefill(current_user)
    if not _revealed():
        # The stored numbers never reach the page (or a screenshot of it) unless asked for.
        values["nik"] = values["kk_number"] = ""
    stored = profile.get_profile(current_user)
    warnings = {}
    if stored:
        warnings["nik"] = profile.nik_warnings(nik=stored.nik, sex=stored.sex, birth_date=stored.birth_date)
    return _profile_page(stored=stored, values=values, errors={}, warnings=warnings)


@bp.post("/akun/data")
@login_required
def save_profile():
    values = {key: request.form.get(key, "") for key in profile.FIELDS}
    result = profile.save_profile(current_user, values, keep_nik_when_blank=True)
    if not result.ok:
        clean = result.clean
        warnings = {
            "nik": profile.nik_warnings(nik=clean.get("nik"), sex=clean.get("sex"), birth_date=clean.get("birth_date"))
        }
        return _profile_page(
            stored=profile.get_profile(current_user), values=values, errors=result.errors, warnings=warnings
        )
    flash(_("Your data has been saved. It will fill in your next applications."), "success")
    return redirect(url_for("personal.profile_page"), code=303)


@bp.post("/akun/data/tampilkan")
@login_required
def reveal_numbers():
    session[REVEAL_KEY] = time.time() + REVEAL_SECONDS
    return redirect(url_for("personal.profile_page") + "#nomor-identitas", code=303)


@bp.post("/akun/data/sembunyikan")
@login_required
def hide_numbers():
    session.pop(REVEAL_KEY, None)
    return redirect(url_for("personal.profile_page") + "#nomor-identitas", code=303)


# --- Dokumen Saya ------------------------------------------------------------------------------------------------


def _documents_page(form: DocumentUploadForm, *, upload_error: str | None = None):
    return render(
        "personal/documents.html",
        form=form,
        upload_error=upload_error,
        documents=documents.list_documents(current_user),
        labels=documents.DOCUMENT_TYPE_LABELS,
        max_documents=documents.MAX_DOCUMENTS_PER_USER,
    )


@bp.get("/akun/dokumen")
@login_required
def documents_page():
    form = DocumentUploadForm(formdata=None, document_type=request.args.get("jenis", ""))
    return _documents_page(form)


@bp.post("/akun/dokumen")
@login_required
@limiter.limit("30/hour", key_func=_user_key)
def upload_document():
    form = DocumentUploadForm()
    if not form.validate_on_submit():
        return _documents_page(form)
    try:
        document = documents.store_upload(current_user, form.file.data, form.document_type.data, title=form.title.data)
    except UploadRejected as error:
        return _documents_page(form, upload_error=str(error.message))
    flash(_("%(name)s has been saved.", name=documents.DOCUMENT_TYPE_LABELS[document.document_type]), "success")
    # The new document's id in the URL: upload.js tells a success (another URL) from a refusal (same URL).
    return redirect(url_for("personal.documents_page", diunggah=document.id), code=303)


def _private_attachment(response, filename: str):
    """Download, never display: a file is not rendered in our origin (no stored XSS through an "image"), not
    sniffed into another type, and not kept by any cache on a possibly shared phone. ``filename`` is built by us
    (ASCII, no quotes), so it can be quoted as is."""
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """A body over the server's request cap is refused before any view runs (the CSRF check reads the form
    first), so the page with its message is built here. Nothing of the request was read, so nothing is kept."""
    if not current_user.is_authenticated:
        return redirect(url_for("catalog.home"), code=303)
    message = str(MSG_TOO_BIG)
    if request.endpoint == "personal.replace_document":
        # Not _owned_document(): an abort(404) raised inside an error handler becomes a 500. A document that is
        # not this citizen's gets the list page instead — the same answer whether it exists or not.
        document_id = (request.view_args or {}).get("document_id", 0)
        if (document := documents.get_document_for_owner(current_user, document_id)) is not None:
            return _document_page(document, DocumentReplaceForm(formdata=None), upload_error=message), 413
    return _documents_page(DocumentUploadForm(formdata=None), upload_error=message), 413


def _owned_document(document_id: int):
    document = documents.get_document_for_owner(current_user, document_id)
    if document is None:
        abort(404)  # another citizen's document does not exist for you — not even a 403
    return document


def _document_page(document, form: DocumentReplaceForm, *, upload_error: str | None = None):
    return render(
        "personal/document.html",
        document=document,
        form=form,
        upload_error=upload_error,
        labels=documents.DOCUMENT_TYPE_LABELS,
    )


@bp.get("/akun/dokumen/<int:document_id>")
@login_required
def document_page(document_id: int):
    return _document_page(_owned_document(document_id), DocumentReplaceForm(formdata=None))


@bp.get("/akun/dokumen/<int:document_id>/unduh")
@login_required
def download_document(document_id: int):
    document = _owned_document(document_id)
    response = send_file(
        documents.open_document(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.download_name,
        conditional=False,
        etag=False,
        max_age=None,
    )
    return _private_attachment(response, document.download_name)


@bp.get("/akun/dokumen/<int:document_id>/pratinjau")
@login_required
def document_preview(document_id: int):
    """The owner's thumbnail of an image document: shown inline (it is our own re-encoded JPEG, never the
    uploaded bytes), never cached on a possibly shared phone."""
    document = _owned_document(document_id)
    if not previews.can_preview(document):
        abort(404)
    try:
        data = previews.thumbnail(document)
    except FileNotFoundError:
        current_app.logger.error("stored file missing from storage (preview of document %s)", document.id)
        abort(404)
    response = current_app.response_class(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/akun/dokumen/<int:document_id>/ganti")
@login_required
@limiter.limit("30/hour", key_func=_user_key)
def replace_document(document_id: int):
    document = _owned_document(document_id)
    form = DocumentReplaceForm()
    if not form.validate_on_submit():
        return _document_page(document, form)
    try:
        documents.replace_document(current_user, document.id, form.file.data)
    except UploadRejected as error:
        return _document_page(document, form, upload_error=str(error.message))
    flash(_("The document has been replaced."), "success")
    return redirect(url_for("personal.document_page", document_id=document.id), code=303)


@bp.post("/akun/dokumen/<int:document_id>/hapus")
@login_required
def delete_document(document_id: int):
    if not documents.delete_document(current_user, document_id):
        abort(404)
    flash(_("The document has been deleted."), "success")
    return redirect(url_for("personal.documents_page"), code=303)


# --- privacy -----------------------------------------------------------------------------------------------------


def _privacy_page(*, correction_form=None, delete_form=None):
    return render(
        "personal/privacy.html",
        consents=privacy.consent_overview(current_user),
        corrections=privacy.list_corrections(current_user),
        accesses=privacy.access_page(current_user, page=page_number(request.args)),
        correction_form=correction_form or CorrectionForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        role_labels=privacy.ROLE_LABELS,
    )


@bp.get("/akun/privasi")
@login_required
def privacy_page():
    return _privacy_page()


@bp.post("/akun/privasi/persetujuan")
@login_required
def update_consents():
    privacy.set_consents(current_user, set(request.form.getlist("purposes")))
    flash(_("Your consent choices have been saved."), "success")
    return redirect(url_for("personal.privacy_page") + "#persetujuan", code=303)


@bp.get("/akun/privasi/ekspor")
@login_required
@fresh_passkey_required("personal.privacy_page")  # everything about the person in one file: worth one touch
@limiter.limit("10/hour", key_func=_user_key)
def export_data():
    filename, data = privacy.export_data(current_user)
    response = send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=filename,
        conditional=False,
        etag=False,
        max_age=None,
    )
    return _private_attachment(response, filename)


@bp.post("/akun/privasi/koreksi")
@login_required
@limiter.limit("20/day", key_func=_user_key)
def request_correction():
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _privacy_page(correction_form=form)
    try:
        privacy.request_correction(current_user, form.message.data)
    except privacy.PrivacyError as error:
        form.message.errors = [str(error.message)]
        return _privacy_page(correction_form=form)
    flash(_("Your correction request has been sent. We will act on it within 3×24 hours."), "success")
    return redirect(url_for("personal.privacy_page") + "#koreksi", code=303)


@bp.post("/akun/privasi/hapus-akun")
@login_required
@fresh_passkey_required("personal.privacy_page")
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _privacy_page(delete_form=form)
    try:
        privacy.delete_account(current_user._get_current_object(), form.confirmation.data)
    except privacy.PrivacyError as error:
        form.confirmation.errors = [str(error.message)]
        return _privacy_page(delete_form=form)
    logout_user()
    session.clear()
    return redirect(url_for("personal.account_deleted"), code=303)


@bp.get("/akun/dihapus")
def account_deleted():
    return render("personal/deleted.html")


from . import family_views  # noqa: E402, F401  (Anggota keluarga: its routes on this blueprint)
