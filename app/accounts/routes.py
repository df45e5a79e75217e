"""Akun: sign-up, sign-in, passkeys, recovery, sessions. Thin views: parse, call one use case, choose the response.

The WebAuthn steps are small JSON endpoints called by static/js/passkeys.js; everything else is a plain form that
works without JavaScript (a passkey itself needs JavaScript; the pages say so in a <noscript>).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from ..extensions import limiter
from ..security import json_or_none, public_page, read_json, safe_next
from . import ceremonies, code_reveal, email_change, recovery, sessions
from .forms import (
    ChangeEmailCodeForm,
    ChangeEmailForm,
    EmailCodeForm,
    EmailCodeRequestForm,
    RecoveryCodeForm,
    RenamePasskeyForm,
    SignUpCodeForm,
    SignUpForm,
    normalize_email,
)
from .models import Role
from .passkeys import PasskeyError
from .sessions import fresh_passkey_required

log = logging.getLogger(__name__)
bp = Blueprint("accounts", __name__)

# The KEY that opens this session's new recovery codes (code_reveal.py); never the codes themselves (issue 9.11).
RECOVERY_CODES_KEY = "recovery_codes_key"
RECOVERY_EMAIL_KEY = "recovery_email"
# Where the recovery-codes page continues to after sign-up (popped together with the codes).
NEXT_KEY = "after_sign_in"

# --- rate limits -------------------------------------------------------------------------------------------------
# Indonesian carriers put many subscribers behind one IP (CGNAT), and an MPP's public Wi-Fi puts a whole waiting
# room behind one. So the tight limits are keyed on the account being attacked (e-mail or credential) plus the IP,
# and the per-IP limits are loose enough for a full waiting room.


#
# Each limit is keyed on EXACTLY the address its view acts on — the one named field of that view's form, normalised
# as the form normalises it, or the address bound to this browser's session for the code-entry steps. Never on "the
# first e-mail-looking field of the request": an extra ``email=decoy`` field would then move the count to the decoy
# while the view went on guessing codes for (or mailing) the real address. The address is hashed into the key, so
# a 12 MB "address" cannot become a 12 MB key in the limiter's storage.


def _address_key(address: str | None) -> str:
    return "email:" + hashlib.sha256((address or "").encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _form_address(field_name: str) -> Callable[[], str]:
    """The key of the address a view reads from its form field ``field_name`` (normalised like the form does)."""

    def key() -> str:
        return _address_key(normalize_email(request.form.get(field_name, "")))

    return key


def _recovery_session_address() -> str:
    """Step 2 of e-mail recovery: the address the code was sent to, as this browser's session holds it."""
    return _address_key(session.get(RECOVERY_EMAIL_KEY))


def _pending_sign_up_address() -> str:
    """Sign-up steps 2 and 3: the address of this browser's pending sign-up; a form field plays no part."""
    pending = ceremonies.pending_sign_up()
    return _address_key(pending["email"] if pending else None)


def _sign_up_mail_address() -> str:
    """The address a sign-up mail goes to: typed in step 1, the pending sign-up's when a new code is asked for."""
    if request.endpoint == "accounts.sign_up":
        return _form_address("email")()
    return _pending_sign_up_address()


def _and_ip(key_func: Callable[[], str]) -> Callable[[], str]:
    def key() -> str:
        return f"{key_func()}|{get_remote_address()}"

    return key


def _credential_and_ip() -> str:
    data = json_or_none()
    raw_id = data.get("rawId", "") if isinstance(data, dict) else ""
    return f"cred:{str(raw_id)[:256]}|{get_remote_address()}"


IP_LIMIT = "120 per hour"  # a busy MPP waiting room on one Wi-Fi
ip_limit = limiter.limit(IP_LIMIT, methods=["POST"])
# Sign-up mails to one address, whether from step 1 or "send a new code": nobody's inbox is flooded from here.
# Only requests that sent a mail (303) count, so fixing typos in the form does not use it up.
sign_up_mail_limit = limiter.shared_limit(
    "10 per day",
    scope="sign-up-mail",
    key_func=_sign_up_mail_address,
    methods=["POST"],
    deduct_when=lambda r: r.status_code == 303,
)


@bp.errorhandler(429)
def too_many_requests(error):
    message = _("Too many attempts. For your account's safety, please wait a few minutes and try again.")
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), 429
    return render_template("accounts/rate_limited.html", message=message), 429


# --- JSON helpers ------------------------------------------------------------------------------------------------


def _credential() -> dict:
    data = read_json()
    if not isinstance(data, dict):
        raise PasskeyError("request body is not a JSON object")
    return data


def _options(json_text: str):
    response = current_app.response_class(json_text, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _bind_ceremonies_now() -> None:
    """Put the ceremony binding into the session cookie with the page that starts a ceremony.

    Otherwise the options request is the first to write it, and a request running alongside it (the service
    worker precaching pages on a first visit) can answer with the older cookie and erase it: the passkey the
    citizen just confirmed would then be refused as "from another session".
    """
    ceremonies.session_binding()


def _refused(error: PasskeyError, status: int = 400):
    return jsonify(error=str(error.message)), status


# --- sign-up -----------------------------------------------------------------------------------------------------


def _purposes():
    try:
        from ..personal.privacy import PURPOSES
    except ImportError:  # pragma: no cover - while the privacy capability is missing
        return {}
    return PURPOSES


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("10 per hour", key_func=_and_ip(_form_address("email")), methods=["POST"])
@sign_up_mail_limit
@ip_limit
def sign_up():
    """Step 1: name, e-mail, phone, consents. Every valid answer leads to the same "we have sent a code" page.

    ``next`` (where the citizen was going, e.g. a service's apply page) comes in the query string, travels in a
    hidden field, and is kept with the pending answers server-side; only a same-site path is ever kept.
    """
    if current_user.is_authenticated:
        return redirect(safe_next(request.values.get("next"), url_for("accounts.account")))
    pending = ceremonies.pending_sign_up() if request.method == "GET" else None
    # Coming back with "Ganti e-mail" has no ``next`` in the link: the pending sign-up still knows it.
    next_url = safe_next(request.values.get("next"), (pending or {}).get("next") or "")
    # Coming back to change the e-mail ("Ganti e-mail") shows what was typed before.
    form = SignUpForm(data=pending) if pending else SignUpForm()
    purposes = _purposes()
    typed = request.form.getlist("purposes") if request.method == "POST" else (pending or {}).get("purposes", [])
    chosen = [code for code in typed if code in purposes]
    if form.validate_on_submit():
        ceremonies.begin_sign_up(
            ceremonies.SignUpDetails(
                display_name=form.display_name.data,
                email=form.email.data,
                phone=form.phone.data or None,
                purposes=chosen,
                next_url=next_url,
            )
        )
        return redirect(url_for("accounts.sign_up_code"), code=303)
    status = 400 if request.method == "POST" else 200
    return (
        render_template("accounts/sign_up.html", form=form, purposes=purposes, chosen=chosen, next_url=next_url),
        status,
    )


def _sign_up_expired():
    flash(_("Your sign-up form has expired. Please fill it in again."), "warning")
    return redirect(url_for("accounts.sign_up"), code=303)


@bp.route("/daftar/kode", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", key_func=_and_ip(_pending_sign_up_address), methods=["POST"])
@limiter.limit("20 per day", key_func=_pending_sign_up_address, methods=["POST"])
@ip_limit
def sign_up_code():
    """Step 2: the code from the e-mail. A registered address never got one, so it fails here like a wrong code."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    pending = ceremonies.pending_sign_up()
    if pending is None:
        return _sign_up_expired()
    form = SignUpCodeForm()
    if form.validate_on_submit():
        try:
            confirmed = ceremonies.confirm_sign_up_email(form.code.data)
        except ceremonies.SignUpError:
            return _sign_up_expired()
        if confirmed:
            return redirect(url_for("accounts.sign_up_passkey"), code=303)
        form.code.errors = [_("This code is wrong or has expired. Check the latest e-mail, or ask for a new code.")]
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/sign_up_code.html", form=form, email=pending["email"]), status


@bp.post("/daftar/kode/kirim-ulang")
@limiter.limit("3 per 15 minutes", key_func=_and_ip(_pending_sign_up_address))
@sign_up_mail_limit
@ip_limit
def resend_sign_up_code():
    if not ceremonies.resend_sign_up_code():
        return _sign_up_expired()
    flash(_("We have sent a new code. Only the newest code works."), "success")
    return redirect(url_for("accounts.sign_up_code"), code=303)


@bp.get("/daftar/passkey")
def sign_up_passkey():
    """Step 3: create the passkey; the account is made only once it is verified."""
    pending = ceremonies.pending_sign_up()
    if pending is None:
        return _sign_up_expired()
    if not pending.get("email_verified"):
        return redirect(url_for("accounts.sign_up_code"), code=303)
    _bind_ceremonies_now()
    return render_template("accounts/sign_up_passkey.html", pending=pending)


@bp.post("/daftar/passkey/opsi")
@ip_limit
def sign_up_options():
    try:
        return _options(ceremonies.sign_up_options())
    except ceremonies.SignUpError as error:
        return jsonify(error=str(error.message), restart=url_for("accounts.sign_up")), 400


@bp.post("/daftar/passkey/verifikasi")
@limiter.limit("10 per 10 minutes", key_func=_credential_and_ip)
@ip_limit
def sign_up_verify():
    # Read before finishing: the pending answers (and the ``next`` kept with them) are deleted with the account made.
    pending = ceremonies.pending_sign_up() or {}
    try:
        user, codes = ceremonies.finish_sign_up(_credential())
    except PasskeyError as error:
        return _refused(error)
    except ceremonies.SignUpError as error:
        return jsonify(error=str(error.message)), 400
    sessions.sign_in(user)
    session[RECOVERY_CODES_KEY] = code_reveal.keep(user.auth_session, codes)  # sealed server-side, key in cookie
    session[NEXT_KEY] = safe_next(pending.get("next"), "")  # checked again: the page's continue button uses it
    return jsonify(redirect=url_for("accounts.recovery_codes"))


@bp.get("/akun/kode-pemulihan")
@login_required
def recovery_codes():
    """The freshly made recovery codes, until the citizen says they are saved (or 10 minutes pass).

    A reload shows them again on purpose: on a weak signal the first load can fail, and codes lost before they
    were written down would leave the citizen with none. "I have saved my codes" (POST below) ends the showing.
    """
    codes = code_reveal.reveal(current_user.auth_session, session.get(RECOVERY_CODES_KEY))
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.post("/akun/kode-pemulihan/tersimpan")
@login_required
def recovery_codes_saved():
    code_reveal.forget(current_user.auth_session)
    session.pop(RECOVERY_CODES_KEY, None)
    # After sign-up the citizen continues where they were going (e.g. the apply page they started from).
    return redirect(safe_next(session.pop(NEXT_KEY, None), url_for("accounts.account")), code=303)


@bp.post("/akun/kode-pemulihan")
@login_required
@fresh_passkey_required("accounts.passkeys")
@ip_limit
def regenerate_recovery_codes():
    codes = recovery.regenerate_recovery_codes(current_user)
    session[RECOVERY_CODES_KEY] = code_reveal.keep(current_user.auth_session, codes)
    session.pop(NEXT_KEY, None)  # new codes from the passkeys page lead back to the account, not an old target
    return redirect(url_for("accounts.recovery_codes"), code=303)


# --- sign-in -----------------------------------------------------------------------------------------------------


@bp.get("/masuk")
@public_page
def sign_in():
    """The sign-in page holds no personal data, so it may be read offline; the ceremony itself needs the network."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("accounts.account")))
    next_url = safe_next(request.args.get("next"), "")
    _bind_ceremonies_now()
    return render_template("accounts/sign_in.html", next_url=next_url)


@bp.post("/masuk/opsi")
@limiter.limit("60 per minute", methods=["POST"])
def sign_in_options():
    return _options(ceremonies.sign_in_options())


@bp.post("/masuk/verifikasi")
@limiter.limit("10 per 10 minutes", key_func=_credential_and_ip)
@ip_limit
def sign_in_verify():
    try:
        user = ceremonies.finish_sign_in(_credential())
    except PasskeyError as error:
        return _refused(error)
    sessions.sign_in(user)
    # Staff (petugas, admins) land on their back-office inbox; citizens on their account.
    home = url_for("accounts.account") if user.role == Role.CITIZEN else url_for("backoffice.inbox_page")
    next_url = safe_next(request.args.get("next"), home)
    return jsonify(redirect=next_url)


# --- sign-out and sessions ---------------------------------------------------------------------------------------


@bp.post("/keluar")
def sign_out():
    if current_user.is_authenticated:
        sessions.end_session(current_user.auth_session)
    session.clear()
    response = redirect(url_for("accounts.signed_out"), code=303)
    # A shared phone must forget this account: drafts, tickets and cached pages live in Cache Storage, IndexedDB
    # and localStorage. (Cookies are kept so the language choice survives; the session cookie is already empty.)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/keluar")
def signed_out():
    return render_template("accounts/signed_out.html")


@bp.get("/akun")
@login_required
def account():
    return render_template("accounts/account.html", passkey_count=len(ceremonies.user_passkeys(current_user)))


@bp.get("/akun/sesi")
@login_required
def session_list():
    return render_template(
        "accounts/sessions.html",
        rows=sessions.active_sessions(current_user),
        current_id=current_user.auth_session.id,
    )


@bp.post("/akun/sesi/<int:session_id>/keluar")
@login_required
def end_one_session(session_id: int):
    current_id = current_user.auth_session.id
    if not sessions.end_session_by_id(current_user, session_id):
        abort(404)
    if session_id == current_id:
        return sign_out()
    flash(_("That device has been signed out."), "success")
    return redirect(url_for("accounts.session_list"), code=303)


# Signing devices out is deliberately NOT behind fresh_passkey_required: it only ever takes access away, and it is
# the escape hatch of someone whose phone was just stolen, who must not be slowed down by an extra step.
@bp.post("/akun/sesi/keluar-semua")
@login_required
def end_every_session():
    sessions.end_all_sessions(current_user)
    return sign_out()


# --- the passkeys page -------------------------------------------------------------------------------------------


def _passkeys_page(status: int = 200, *, rename_errors: dict | None = None, typed: dict | None = None):
    user = current_user
    _bind_ceremonies_now()
    return (
        render_template(
            "accounts/passkeys.html",
            passkeys=ceremonies.user_passkeys(user),
            unused_codes=ceremonies.unused_recovery_codes(user),
            fresh=sessions.is_recently_reauthenticated(user.auth_session),
            restricted=user.auth_session.restricted,
            rename_errors=rename_errors or {},
            typed=typed or {},
        ),
        status,
    )


@bp.get("/akun/passkey")
@login_required
def passkeys():
    return _passkeys_page()


@bp.post("/akun/passkey/opsi")
@login_required
@fresh_passkey_required("accounts.passkeys")
@ip_limit
def add_passkey_options():
    return _options(ceremonies.add_passkey_options(current_user))


@bp.post("/akun/passkey/tambah")
@login_required
@fresh_passkey_required("accounts.passkeys")
@limiter.limit("10 per 10 minutes", key_func=_credential_and_ip)
def add_passkey_verify():
    try:
        ceremonies.finish_add_passkey(current_user, _credential())
    except PasskeyError as error:
        return _refused(error)
    if current_user.auth_session.restricted:
        # The recovery session has done its one job. Sign in again, with the new passkey, for everything else.
        sessions.end_session(current_user.auth_session)
        flash(_("Your new passkey is saved. Sign in with it now."), "success")
        return jsonify(redirect=url_for("accounts.sign_in"))
    flash(_("Your new passkey is saved."), "success")
    return jsonify(redirect=url_for("accounts.passkeys"))


@bp.post("/akun/passkey/konfirmasi/opsi")
@login_required
@ip_limit
def reauthenticate_options():
    return _options(ceremonies.reauthenticate_options(current_user))


@bp.post("/akun/passkey/konfirmasi")
@login_required
@limiter.limit("10 per 10 minutes", key_func=_credential_and_ip)
def reauthenticate_verify():
    try:
        ceremonies.finish_reauthenticate(current_user, _credential())
    except PasskeyError as error:
        return _refused(error)
    # From the confirmation page: back to the page of the action that asked for it. From the passkeys page: reload.
    next_url = safe_next(request.args.get("next"), "")
    return jsonify(ok=True, redirect=next_url) if next_url else jsonify(ok=True)


@bp.get("/akun/konfirmasi")
@login_required
def confirm_identity():
    """Where a destructive action sends a session whose last passkey check is too old (fresh_passkey_required)."""
    next_url = safe_next(request.args.get("next"), url_for("accounts.account"))
    _bind_ceremonies_now()
    return render_template(
        "accounts/confirm.html",
        next_url=next_url,
        fresh=sessions.is_recently_reauthenticated(current_user.auth_session),
    )


@bp.post("/akun/passkey/<int:passkey_id>/nama")
@login_required
@fresh_passkey_required("accounts.passkeys")
def rename_passkey(passkey_id: int):
    form = RenamePasskeyForm(prefix=f"pk{passkey_id}")
    if not form.validate_on_submit():
        errors = {passkey_id: form.name.errors[0] if form.name.errors else _("Please try again.")}
        return _passkeys_page(400, rename_errors=errors, typed={passkey_id: form.name.data or ""})
    if not ceremonies.rename_passkey(current_user, passkey_id, form.name.data):
        abort(404)
    flash(_("The passkey has been renamed."), "success")
    return redirect(url_for("accounts.passkeys"), code=303)


@bp.post("/akun/passkey/<int:passkey_id>/hapus")
@login_required
@fresh_passkey_required("accounts.passkeys")
def remove_passkey(passkey_id: int):
    try:
        removed = ceremonies.remove_passkey(current_user, passkey_id)
    except ceremonies.PasskeyRemovalError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.passkeys"), code=303)
    if not removed:
        abort(404)
    flash(_("The passkey has been removed. It no longer opens your account."), "success")
    return redirect(url_for("accounts.passkeys"), code=303)


# --- recovery ----------------------------------------------------------------------------------------------------


def _recovery_page(*, code_form=None, email_form=None, status=200):
    return (
        render_template(
            "accounts/recovery.html",
            code_form=code_form or RecoveryCodeForm(prefix="rc", formdata=None),
            email_form=email_form or EmailCodeRequestForm(prefix="em", formdata=None),
        ),
        status,
    )


@bp.get("/masuk/pemulihan")
def recover():
    return _recovery_page()


@bp.post("/masuk/pemulihan/kode-pemulihan")
@limiter.limit("5 per 15 minutes", key_func=_and_ip(_form_address("rc-email")))
@limiter.limit("20 per day", key_func=_form_address("rc-email"))
@ip_limit
def recover_with_code():
    form = RecoveryCodeForm(prefix="rc")
    if not form.validate_on_submit():
        return _recovery_page(code_form=form, status=400)
    user = recovery.use_recovery_code(form.email.data, form.code.data)
    if user is None:
        # Vague on purpose: the same answer for an unknown address and a wrong code.
        form.code.errors = [_("This e-mail address and recovery code do not match. Check both and try again.")]
        return _recovery_page(code_form=form, status=400)
    sessions.sign_in(user, method="recovery_code", restricted=True)
    return redirect(url_for("accounts.passkeys"), code=303)


@bp.post("/masuk/pemulihan/email")
@limiter.limit("3 per 15 minutes", key_func=_and_ip(_form_address("em-email")))
@limiter.limit("6 per day", key_func=_form_address("em-email"))
@ip_limit
def send_recovery_email():
    form = EmailCodeRequestForm(prefix="em")
    if not form.validate_on_submit():
        return _recovery_page(email_form=form, status=400)
    recovery.send_email_code(form.email.data)
    session[RECOVERY_EMAIL_KEY] = form.email.data
    return redirect(url_for("accounts.recover_with_email_code"), code=303)


@bp.route("/masuk/pemulihan/kode-email", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", key_func=_and_ip(_recovery_session_address), methods=["POST"])
@limiter.limit("20 per day", key_func=_recovery_session_address, methods=["POST"])
@ip_limit
def recover_with_email_code():
    """Step 2 of e-mail recovery: the code, for the address this browser asked a code for (never a typed one).

    Bound to the session so that guessing codes for an address first costs a mail to that very address (itself
    limited), and the limits below count exactly the address whose code is being tried.
    """
    email = session.get(RECOVERY_EMAIL_KEY)
    if not email:
        flash(_("First enter your e-mail address, and we will send the code."), "info")
        return redirect(url_for("accounts.recover"), code=303)
    form = EmailCodeForm(prefix="ec")
    if form.validate_on_submit():
        user = recovery.use_email_code(email, form.code.data)
        if user is not None:
            session.pop(RECOVERY_EMAIL_KEY, None)
            sessions.sign_in(user, method="email_code", restricted=True)
            return redirect(url_for("accounts.passkeys"), code=303)
        form.code.errors = [_("This code is wrong or has expired. Check the latest e-mail, or ask for a new code.")]
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/email_code.html", form=form, email=email), status


# --- changing the sign-in e-mail (issue 14.13) -------------------------------------------------------------------


def _this_account() -> str:
    return f"user:{current_user.id}"


@bp.get("/akun/email")
@login_required
@fresh_passkey_required("accounts.change_email")
def change_email():
    """Step 1: the new address. The passkey check comes first, so nothing typed is lost to it."""
    return render_template("accounts/change_email.html", form=ChangeEmailForm(prefix="ce"))


@bp.post("/akun/email")
@login_required
@fresh_passkey_required("accounts.change_email")
# Mails to new addresses from one account: only requests that sent one (303) count, so typos cost nothing.
@limiter.limit("5 per hour", key_func=_this_account, deduct_when=lambda r: r.status_code == 303)
@ip_limit
def request_email_change():
    form = ChangeEmailForm(prefix="ce")
    if form.validate_on_submit():
        try:
            email_change.request_email_change(current_user, form.email.data)
        except email_change.EmailChangeRefused as refused:
            form.email.errors = [str(refused.message)]
        else:
            return redirect(url_for("accounts.confirm_email_change"), code=303)
    return render_template("accounts/change_email.html", form=form), 400


@bp.route("/akun/email/kode", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per 15 minutes", key_func=_this_account, methods=["POST"])
@ip_limit
def confirm_email_change():
    """Step 2: the code from the new inbox. No second passkey check: the code was asked for with a fresh one, and
    reading the e-mail may take longer than the re-authentication window."""
    new_email = email_change.pending_address(current_user)
    if new_email is None:
        flash(_("Enter your new e-mail address first, and we will send the code."), "info")
        return redirect(url_for("accounts.change_email"), code=303)
    form = ChangeEmailCodeForm(prefix="cc")
    if form.validate_on_submit():
        if email_change.confirm_email_change(current_user, form.code.data) is not None:
            flash(_("Your e-mail address is now %(email)s.", email=new_email), "success")
            return redirect(url_for("accounts.account"), code=303)
        form.code.errors = [_("This code is wrong or has expired. Check the latest e-mail, or ask for a new code.")]
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/change_email_code.html", form=form, email=new_email), status


@bp.app_template_filter("user_agent_label")
def user_agent_label(user_agent: str | None) -> str:
    return sessions.describe_user_agent(user_agent)
