"""Anggota keluarga (/akun/keluarga): the citizen's family list, and a member linking their own account to it.

Thin views over family.py, on the personal blueprint (none of these pages is public, so all are no-store). The link
is confirmed by the member's own passkey: the verify endpoint runs the passkey ceremony and the link in one request,
so no session — however fresh — links an account without that touch.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts import ceremonies
from ..accounts.models import User
from ..accounts.passkeys import PasskeyError
from ..extensions import db, limiter
from ..hypermedia import render
from ..pagination import page_number
from ..security import read_json
from . import family
from .nik import mask_number
from .routes import _user_key, bp


@bp.app_template_filter("relationship_label")
def relationship_label(value: str | None) -> str:
    """ "anak" → "Anak": for any page that shows a relationship stored as its value (the officer's case view)."""
    return family.relationship_text(value) if value else ""


@bp.app_context_processor
def _family_names() -> dict:
    """``family_names()`` in any template: the signed-in citizen's members by id (for whose a document is). A
    callable, so pages that never ask run no query."""

    def names() -> dict[int, str]:
        return family.member_names(_user()) if current_user.is_authenticated else {}

    return {"family_names": names}


PENDING_CODE = "family_link_code"  # the code typed by the member, until their passkey confirms (or 5 minutes)


def _user():
    return current_user._get_current_object()


def _owned_member(member_id: int):
    member = family.get_member(_user(), member_id)
    if member is None:
        abort(404)  # someone else's entry does not exist for you
    return member


def _applications_about_me():
    # applications builds on personal, not the reverse: imported when used
    from ..applications.lifecycle import applications_about
    from ..applications.workflow import status_label

    return applications_about(_user(), number=page_number(request.args)), status_label


@bp.get("/akun/keluarga")
@login_required
def family_page():
    members = family.list_members(_user())
    about_me, status_label = _applications_about_me()
    states = family.link_states(members)
    return render(
        "personal/family.html",
        members=members,
        links=states.active,
        withdrawn=states.withdrawn,
        adult={member.id: family.is_adult(member) for member in members},
        masked=mask_number,
        relationship=family.relationship_text,
        my_links=family.links_of_account(_user()),
        about_me=about_me,
        status_label=status_label,
    )


def _member_form(member, *, values, errors, warnings, status=200, code=None):
    return (
        render(
            "personal/family_member.html",
            member=member,
            values=values,
            errors=errors,
            warnings=warnings,
            relationships=family.RELATIONSHIP_LABELS,
            link=family.active_link(member) if member else None,
            masked_nik=mask_number(member.nik) if member else "",
            adult=family.is_adult(member) if member else False,
            code=code,
        ),
        status,
    )


def _typed() -> dict[str, str]:
    return {key: request.form.get(key, "") for key in family.FIELDS}


@bp.get("/akun/keluarga/tambah")
@login_required
def family_add_page():
    return _member_form(None, values=family.form_values(None), errors={}, warnings={})


@bp.post("/akun/keluarga/tambah")
@login_required
@limiter.limit("60/hour", key_func=_user_key)
def family_add():
    values = _typed()
    check = family.add_member(_user(), values)
    if not check.ok:
        return _member_form(None, values=values, errors=check.errors, warnings=check.warnings, status=422)
    flash(_("%(name)s has been added to your family.", name=check.member.full_name), "success")
    for messages in check.warnings.values():
        for message in messages:
            flash(message, "warning")
    return redirect(url_for("personal.family_page"), code=303)


@bp.get("/akun/keluarga/<int:member_id>")
@login_required
def family_member_page(member_id: int):
    member = _owned_member(member_id)
    # As on Data Saya: a stored NIK never reaches the page (or a screenshot of a shared phone); empty keeps it.
    return _member_form(
        member,
        values=family.form_values(member) | {"nik": ""},
        errors={},
        warnings={},
        code=session.pop("family_new_code", None) if session.get("family_code_for") == member.id else None,
    )


@bp.post("/akun/keluarga/<int:member_id>")
@login_required
def family_update(member_id: int):
    member = _owned_member(member_id)
    values = _typed()
    typed = values | {"nik": values["nik"] if values["nik"].strip() else member.nik}  # empty: unchanged
    check = family.update_member(_user(), member, typed)
    if not check.ok:
        return _member_form(member, values=values, errors=check.errors, warnings=check.warnings, status=422)
    flash(_("The data of %(name)s has been saved.", name=member.full_name), "success")
    for messages in check.warnings.values():
        for message in messages:
            flash(message, "warning")
    return redirect(url_for("personal.family_page"), code=303)


@bp.post("/akun/keluarga/<int:member_id>/hapus")
@login_required
def family_remove(member_id: int):
    member = _owned_member(member_id)
    name = member.full_name
    family.remove_member(_user(), member)
    flash(_("%(name)s has been removed from your family list.", name=name), "success")
    return redirect(url_for("personal.family_page"), code=303)


@bp.post("/akun/keluarga/<int:member_id>/kode")
@login_required
@limiter.limit("20/hour", key_func=_user_key)
def family_link_code(member_id: int):
    member = _owned_member(member_id)
    try:
        code = family.issue_link_code(_user(), member)
    except family.FamilyError as error:
        flash(str(error.message), "warning")
        return redirect(url_for("personal.family_member_page", member_id=member.id), code=303)
    # Shown once, on the next page only: the code is in the server-signed session until then, never in a URL.
    session["family_new_code"] = code
    session["family_code_for"] = member.id
    return redirect(url_for("personal.family_member_page", member_id=member.id) + "#tautan", code=303)


@bp.post("/akun/keluarga/<int:member_id>/putus")
@login_required
def family_unlink(member_id: int):
    member = _owned_member(member_id)
    if family.unlink_by_owner(_user(), member):
        flash(_("The link with the account of %(name)s has been ended.", name=member.full_name), "success")
    return redirect(url_for("personal.family_page"), code=303)


# --- the member's side -----------------------------------------------------------------------------------------------


@bp.get("/akun/keluarga/tautkan")
@login_required
def family_link_page():
    return render("personal/family_link.html", code=request.args.get("kode", "")[:20], error=None)


@bp.post("/akun/keluarga/tautkan")
@login_required
@limiter.limit("10/hour", key_func=_user_key)
def family_link_check():
    """Step 1: the code. What it refers to is shown only once it is valid for THIS account (NIK matches)."""
    code = request.form.get("kode", "")[:40]
    try:
        family.check_invitation(_user(), family.find_invitation(code))
    except family.FamilyError as error:
        return render("personal/family_link.html", code=code, error=str(error.message)), 422
    session[PENDING_CODE] = family.normalize_code(code)
    return redirect(url_for("personal.family_link_confirm"), code=303)


def _pending():
    code = session.get(PENDING_CODE)
    member = family.find_invitation(code) if code else None
    return code, member


@bp.get("/akun/keluarga/tautkan/konfirmasi")
@login_required
def family_link_confirm():
    """Step 2: who lists you, as what; confirm with your passkey (or go back)."""
    code, member = _pending()
    try:
        family.check_invitation(_user(), member)
    except family.FamilyError as error:
        session.pop(PENDING_CODE, None)
        flash(str(error.message), "warning")
        return redirect(url_for("personal.family_link_page"), code=303)
    ceremonies.session_binding()  # the ceremony's binding in the cookie with the page (see accounts routes)
    owner = db.session.get(User, member.owner_id)
    return render(
        "personal/family_link_confirm.html",
        member=member,
        owner=owner,
        relationship=family.relationship_text(member),
        masked=mask_number(member.nik),
    )


@bp.post("/akun/keluarga/tautkan/opsi")
@login_required
@limiter.limit("30/hour", key_func=_user_key)
def family_link_options():
    response = current_app.response_class(ceremonies.reauthenticate_options(_user()), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/akun/keluarga/tautkan/verifikasi")
@login_required
@limiter.limit("10/hour", key_func=_user_key)
def family_link_verify():
    """Step 3, in one request: the member's own passkey answers a challenge issued to them, THEN the link is made.
    A refused passkey (wrong account's passkey, replay, no user verification) makes no link."""
    code, _member = _pending()
    if not code:
        return jsonify(
            error=_("Enter the code from your family member again."), restart=url_for("personal.family_link_page")
        ), 400
    credential = read_json()
    if not isinstance(credential, dict):
        return jsonify(error=_("Please try again.")), 400
    try:
        ceremonies.finish_reauthenticate(_user(), credential)
    except PasskeyError as error:
        return jsonify(error=str(error.message)), 400
    try:
        family.accept_link(_user(), code)
    except family.FamilyError as error:
        session.pop(PENDING_CODE, None)
        return jsonify(error=str(error.message)), 400
    session.pop(PENDING_CODE, None)
    flash(_("Your account is linked. You will see the applications your family makes in your name."), "success")
    return jsonify(redirect=url_for("personal.family_page"))


@bp.post("/akun/keluarga/tautan/<int:link_id>/cabut")
@login_required
def family_link_revoke(link_id: int):
    if not family.revoke_link(_user(), link_id):
        abort(404)
    flash(_("The link has been revoked. Nobody can apply in your name any more from that family list."), "success")
    return redirect(url_for("personal.family_page"), code=303)


# --- whose document ------------------------------------------------------------------------------------------------


@bp.post("/akun/dokumen/<int:document_id>/pemilik")
@login_required
def document_owner(document_id: int):
    from .documents import get_document_for_owner

    document = get_document_for_owner(_user(), document_id)
    if document is None:
        abort(404)
    chosen = request.form.get("milik", "saya")
    member_id = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 else None
    if chosen != "saya" and (member_id is None or not family.tag_document(_user(), document, member_id)):
        flash(_("Choose yourself or one of your family members."), "warning")
    elif chosen == "saya":
        family.tag_document(_user(), document, None)
        flash(_("This document is now marked as yours."), "success")
    else:
        flash(_("This document is now marked as belonging to %(name)s.", name=family_name(member_id)), "success")
    return redirect(url_for("personal.document_page", document_id=document.id) + "#milik", code=303)


def family_name(member_id: int) -> str:
    member = family.get_member(_user(), member_id)
    return member.full_name if member else ""
