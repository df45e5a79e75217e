"""The scope matrix, generated from the route list: every /petugas rule × every kind of visitor.

A new back-office route is covered the moment it is registered: it must either carry ``staff_required`` or be one of
the (token-protected) invitation endpoints, and its path parameters must be ones this test knows how to fill.
Out of scope is 404 — never 403, which would confirm that the number exists — and changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, UUIDConverter

from app.accounts.models import Role
from app.applications.models import ApplicationStatus as S
from app.backoffice.models import AuditEntry, ChecklistTick
from app.backoffice.scope import scope_of
from app.extensions import db
from tests.helpers import PageClient

from .conftest import load, submit_application  # noqa: F401

# Reached by people who have no account yet: the single-use token in the path is the credential.
TOKEN_ENDPOINTS = {"backoffice.invitation_page", "backoffice.invitation_options", "backoffice.invitation_verify"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

IN_SCOPE = "in_scope"
OUT_OF_SCOPE = "out_of_scope"

# persona → (role, mpp, agency, sees the Kendari Disdukcapil application?)
PERSONAS = {
    "officer, other agency, same MPP": (Role.OFFICER, "kota-kendari", "imigrasi", False),
    "officer, same agency, other MPP": (Role.OFFICER, "kota-batam", "disdukcapil", False),
    "MPP admin of another MPP": (Role.MPP_ADMIN, "kota-batam", None, False),
    "officer, right agency and MPP": (Role.OFFICER, "kota-kendari", "disdukcapil", True),
    "MPP admin of the MPP": (Role.MPP_ADMIN, "kota-kendari", None, True),
    "national admin": (Role.NATIONAL_ADMIN, None, None, True),
}


def backoffice_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/petugas")),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def test_every_back_office_route_is_guarded_or_token_protected(app):
    rules = backoffice_rules(app)
    assert rules, "no /petugas routes registered"
    problems = []
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        guarded = getattr(view, "staff_roles", None) is not None
        if rule.endpoint in TOKEN_ENDPOINTS:
            if guarded or "token" not in rule.arguments:
                problems.append(f"{rule.rule}: a token endpoint must take <token> and not require staff")
        elif not guarded:
            problems.append(f"{rule.rule} ({rule.endpoint}) lacks @staff_required")
    assert not problems, "\n".join(problems)


def _requests(app, number: str, document_id: int):
    """(method, url, data, application-scoped?) for every guarded /petugas rule and method."""
    values = {"number": number, "document_id": document_id}
    out = []
    for rule in backoffice_rules(app):
        if rule.endpoint in TOKEN_ENDPOINTS:
            continue
        args = {}
        for name in rule.arguments:
            if name in values:
                args[name] = values[name]
            elif isinstance(rule._converters.get(name), IntegerConverter):
                args[name] = 1  # some other object by id: scope and role are still checked before it is looked up
            elif isinstance(rule._converters.get(name), UUIDConverter):
                args[name] = uuid.UUID(int=1)  # an assistance at the front desk (issue 13): same as an id
            elif name == "step":
                args[name] = "contoh"  # a screen of the front desk's form: role and MPP are checked first
            else:
                raise AssertionError(f"{rule.rule}: teach the scope matrix a sample value for <{name}>")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = app.url_map.bind("localhost").build(rule.endpoint, args)
            data = {"tindakan": "verifikasi", "versi": "1", "persyaratan": []} if method in UNSAFE else None
            view = app.view_functions[rule.endpoint]
            out.append((method, url, data, "number" in rule.arguments, view.staff_roles))
    return out


def _visit(client, method, url, data):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data)


@pytest.fixture
def target(app, citizen, demo):
    from app.applications.models import ApplicationRevision

    number = submit_application(app, citizen)
    with app.app_context():
        documents = db.session.scalar(select(ApplicationRevision.documents).order_by(ApplicationRevision.id.desc()))
        _result_on_file(app, number)
    return number, int(next(iter(documents.values())))


def _result_on_file(app, number):
    """A result document on file, so the result route has something to refuse or serve."""
    from app.backoffice import casework
    from app.backoffice.models import ResultDocument, ResultSource
    from app.storage import storage

    from .conftest import pdf_bytes

    data = pdf_bytes()
    document = ResultDocument(
        application_id=load(app, number).id,
        source=ResultSource.UPLOADED,
        storage_name="contoh-hasil.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(document)
    db.session.commit()
    storage().put(casework.result_name(document), data)
    db.session.commit()


def _unchanged(app, number):
    assert load(app, number).status == S.SUBMITTED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistTick)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_anonymous_visitors_are_sent_to_sign_in(app, client, target):
    for method, url, data, _scoped, _roles in _requests(app, *target):
        response = _visit(client, method, url, data)
        assert response.status_code in (302, 303), f"{method} {url}: {response.status_code}"
        assert response.headers["Location"].startswith("/masuk"), f"{method} {url}"
    _unchanged(app, target[0])


def test_citizens_get_404_everywhere_even_for_their_own_application(app, client, citizen, signed_in, target):
    signed_in(client, citizen)
    for method, url, data, _scoped, _roles in _requests(app, *target):
        assert _visit(client, method, url, data).status_code == 404, f"{method} {url}"
    _unchanged(app, target[0])


def test_the_scope_matrix(app, make_staff, signed_in, target):
    number, _document_id = target
    requests = _requests(app, *target)
    # Out-of-scope people first: their requests must leave the application exactly as it is.
    for persona, (role, mpp, agency, sees) in sorted(PERSONAS.items(), key=lambda item: item[1][3]):
        user = make_staff(role, mpp=mpp, agency=agency, name=persona)
        client = PageClient(app.test_client())
        signed_in(client, user)
        for method, url, data, scoped, roles in requests:
            response = _visit(client, method, url, data)
            if role not in roles or (scoped and not sees):
                assert response.status_code == 404, f"{persona}: {method} {url} → {response.status_code}"
            else:
                # In scope: never refused as forbidden and never an error. (A 404 may still mean "no such
                # sub-object yet", e.g. no issued document to revoke; the refusals above are what scope decides.)
                assert response.status_code != 403 and response.status_code < 500, (
                    f"{persona}: {method} {url} → {response.status_code}"
                )
        if sees:
            assert client.get(f"/petugas/permohonan/{number}").status_code == 200, persona
        inbox = client.get("/petugas").get_data(as_text=True)
        assert (number in inbox) == sees, persona
        if not sees:
            _unchanged(app, number)


def test_staff_without_any_assignment_have_no_back_office(app, client, make_user, signed_in, demo):
    signed_in(client, make_user("Petugas Tanpa Tugas", role=Role.OFFICER))
    assert client.get("/petugas").status_code == 404


def test_an_assignment_that_contradicts_the_account_role_grants_nothing(app, make_staff, demo):
    from app.accounts.models import User
    from app.backoffice.models import StaffAssignment, StaffRole
    from app.catalog.models import Mpp

    officer = make_staff(Role.OFFICER)
    with app.app_context():
        db.session.add(
            StaffAssignment(
                user_id=officer.id,
                role=StaffRole.MPP_ADMIN,
                mpp_id=db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-batam")),
            )
        )
        db.session.commit()
        user = db.session.get(User, officer.id)
        user.auth_session = object()  # signed in, as far as scope_of is concerned
        scope = scope_of(user)
        assert scope.admin_mpps == frozenset() and len(scope.officer_pairs) == 1
