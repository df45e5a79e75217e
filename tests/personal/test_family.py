"""Issue 13, for the family: Anggota keluarga in Data Saya, applying for a member, who may apply for whom, linking a
member's own account with THEIR passkey, revoking it, and every act in the member's own Riwayat akses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.applications import on_behalf
from app.applications.models import Application, Draft
from app.catalog.models import Service
from app.extensions import db
from app.personal import family
from app.personal.models import AccessLog, FamilyLink, FamilyMember, Relationship
from app.personal.profile import save_profile
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.flows import Flows
from tests.helpers import PageClient

CITIZEN_NIK = "7471014101900001"  # a woman born 1 January 1990 (Kota Kendari)
CHILD = {  # a boy born 15 May 2020
    "full_name": "Adi Pratama",
    "nik": "7471011505200001",
    "relationship": "anak",
    "birth_date": "2020-05-15",
    "birth_place": "Kendari",
    "same_kk": "ya",
}
FATHER = {  # a man born 20 March 1960, on another KK
    "full_name": "Hasan Basri",
    "nik": "7471012003600002",
    "relationship": "orang_tua",
    "birth_date": "1960-03-20",
    "birth_place": "Kendari",
    "same_kk": "tidak",
}


def _profile(app, user, nik: str, name: str) -> None:
    with app.app_context():
        result = save_profile(
            db.session.get(User, user.id),
            {"full_name": name, "nik": nik, "birth_date": "", "kk_number": "7471010101100001"},
        )
        assert result.ok, result.errors


def _add(app, user, values) -> int:
    with app.app_context():
        check = family.add_member(db.session.get(User, user.id), values)
        assert check.ok, check.errors
        return check.member.id


@pytest.fixture
def parent(app, client, citizen, signed_in):
    _profile(app, citizen, CITIZEN_NIK, "Siti Rahayu")
    signed_in(client, citizen)
    return client


# --- the list and its checks ----------------------------------------------------------------------------------------


def test_a_member_is_added_with_the_nik_checked_like_the_citizens_own(app, parent, citizen):
    response = parent.post("/akun/keluarga/tambah", data=CHILD)
    assert response.status_code == 303

    page = parent.get_page("/akun/keluarga")
    text = page.get_text()
    assert "Adi Pratama" in text and "Anak" in text
    assert "7471••••••••0001" in text and CHILD["nik"] not in text  # masked on the list


def test_a_wrong_nik_is_said_next_to_the_field_and_nothing_typed_is_lost(app, parent, citizen):
    typed = {**CHILD, "nik": "7471013205200001"}  # day 32: neither a man's 01–31 nor a woman's 41–71
    page = parent.post_page("/akun/keluarga/tambah", data=typed, expected_status=422)

    assert "Angka ke-7–8" in page.find(id="f-nik-error").get_text()
    assert page.find(id="f-nik")["value"] == typed["nik"]
    assert page.find(id="f-full_name")["value"] == "Adi Pratama"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FamilyMember)) == 0


def test_empty_and_hostile_input_gets_messages_not_a_crash(parent):
    page = parent.post_page(
        "/akun/keluarga/tambah",
        data={"full_name": "", "nik": "abc", "relationship": "bos", "same_kk": "mungkin", "birth_date": "31-02-2020"},
        expected_status=422,
    )
    for name in ("full_name", "nik", "relationship", "same_kk", "birth_date"):
        assert page.find(id=f"f-{name}-error"), name
    page = parent.post_page(
        "/akun/keluarga/tambah", data={**CHILD, "full_name": "<script>alert(1)</script>" * 10}, expected_status=422
    )
    assert "<script>alert(1)</script>" in page.find(id="f-full_name")["value"]


def test_the_birth_date_comes_from_the_nik_when_left_empty_and_a_disagreement_is_only_a_warning(app, citizen):
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        from_nik = family.add_member(owner, {**CHILD, "birth_date": ""})
        assert from_nik.ok and from_nik.member.birth_date.isoformat() == "2020-05-15"
        assert from_nik.warnings["birth_date"]
        differing = family.check_member(owner, {**FATHER, "birth_date": "1961-03-20"})
        assert differing.ok and differing.warnings["nik"]  # warned, never refused (domain.md §3.4)


def test_the_same_nik_twice_or_ones_own_nik_is_refused(app, citizen):
    _profile(app, citizen, CITIZEN_NIK, "Siti Rahayu")
    _add(app, citizen, CHILD)
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        assert "nik" in family.check_member(owner, CHILD).errors
        assert "nik" in family.check_member(owner, {**CHILD, "nik": CITIZEN_NIK}).errors


def test_another_citizens_member_does_not_exist_for_you(app, client, citizen, other_citizen, signed_in):
    member_id = _add(app, citizen, CHILD)
    signed_in(client, other_citizen)
    client.get_page(f"/akun/keluarga/{member_id}", expected_status=404)
    assert client.post(f"/akun/keluarga/{member_id}/hapus").status_code == 404
    assert client.post(f"/akun/keluarga/{member_id}/kode").status_code == 404
    anonymous = PageClient(app.test_client())
    assert anonymous.get(f"/akun/keluarga/{member_id}").status_code in (302, 303)


# --- who may apply for whom ----------------------------------------------------------------------------------------


def _member(**values) -> FamilyMember:
    base = {"full_name": "Adi", "nik": CHILD["nik"], "relationship": Relationship.CHILD, "same_kk": True}
    return FamilyMember(**{**base, **values})


@pytest.mark.parametrize(
    ("rule", "member", "allowed"),
    [
        ("sendiri", {}, False),
        ("keluarga", {"same_kk": False, "relationship": Relationship.PARENT}, True),
        ("satu_kk", {"same_kk": True, "relationship": Relationship.SIBLING}, True),
        ("satu_kk", {"same_kk": False, "relationship": Relationship.PARENT}, False),
        ("orang_tua_atau_satu_kk", {"same_kk": False, "relationship": Relationship.CHILD}, True),  # the parent
        ("orang_tua_atau_satu_kk", {"same_kk": True, "relationship": Relationship.GRANDCHILD}, True),
        ("orang_tua_atau_satu_kk", {"same_kk": False, "relationship": Relationship.SIBLING}, False),
    ],
)
def test_each_service_rule_decides_who_may_apply_for_whom(app_ctx, rule, member, allowed):
    message = on_behalf.refusal({"for_whom": rule}, _member(**member), service_name="Layanan")
    assert (message is None) is allowed


def test_a_form_without_a_rule_is_for_the_person_themself(app_ctx):
    assert on_behalf.refusal({}, _member(), service_name="SKCK") is not None


def test_applying_for_a_child_prefills_the_child_from_the_member_and_the_parent_from_data_saya(
    app, parent, citizen, demo_data
):
    child_id = _add(app, citizen, CHILD)
    page = parent.get_page("/layanan/akta-kelahiran/ajukan")
    assert page.find("input", attrs={"name": "untuk", "value": str(child_id)})

    response = parent.post("/layanan/akta-kelahiran/ajukan", data={"untuk": str(child_id)})
    assert response.status_code == 303
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.user_id == citizen.id))
        assert draft.subject_member_id == child_id
        assert draft.answers["nama_anak"] == "Adi Pratama"
        assert draft.answers["tanggal_lahir_anak"] == "2020-05-15"
        assert draft.answers["jenis_kelamin_anak"] == "L"
        assert draft.answers["nik"] == CITIZEN_NIK  # "Data pemohon" is the parent who reports the birth
        assert draft.answers["nama"] == "Siti Rahayu"


def test_applying_for_oneself_leaves_the_childs_fields_empty(app, parent, citizen, demo_data):
    _add(app, citizen, CHILD)
    assert parent.post("/layanan/akta-kelahiran/ajukan", data={"untuk": "saya"}).status_code == 303
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.user_id == citizen.id))
        assert draft.subject_member_id is None and "nama_anak" not in draft.answers


def test_skck_for_a_family_member_is_refused_with_a_clear_message(app, parent, citizen, demo_data):
    from tests.applications.conftest import set_service

    set_service(app, "skck-baru", online_application=True)  # fingerprints are taken at the Polres; online here
    father_id = _add(app, citizen, FATHER)
    page = parent.post_page("/layanan/skck-baru/ajukan", data={"untuk": str(father_id)}, expected_status=422)
    message = page.find(id="untuk-error").get_text()
    assert "Hasan Basri" in message and "sendiri" in message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_akta_for_a_member_neither_child_nor_on_the_same_kk_is_refused(app, parent, citizen, demo_data):
    brother = _add(app, citizen, {**FATHER, "relationship": "saudara", "full_name": "Joko"})
    page = parent.post_page("/layanan/akta-kelahiran/ajukan", data={"untuk": str(brother)}, expected_status=422)
    assert "KK" in page.find(id="untuk-error").get_text()


def test_someone_elses_member_id_is_not_a_choice(app, parent, other_citizen, demo_data):
    foreign = _add(app, other_citizen, CHILD)
    for value in (str(foreign), "abc", "²", "9" * 40):
        page = parent.post_page("/layanan/akta-kelahiran/ajukan", data={"untuk": value}, expected_status=422)
        assert page.find(id="untuk-error")


# --- linking with the member's own passkey --------------------------------------------------------------------------


class Member:
    """The father with an account of his own, on his own client, with his own passkey."""

    def __init__(self, app, make_user, signed_in):
        self.user = make_user("Hasan Basri", email="hasan@contoh.id")
        _profile(app, self.user, FATHER["nik"], "Hasan Basri")
        self.client = PageClient(app.test_client())
        signed_in(self.client, self.user)
        self.flows = Flows(app, self.client)
        self.authenticator = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
        options = self.flows.post_json("/akun/passkey/opsi").get_json()
        assert self.flows.post_json("/akun/passkey/tambah", self.authenticator.create(options)).status_code == 200

    def enter(self, code: str):
        return self.client.post("/akun/keluarga/tautkan", data={"kode": code})

    def confirm(self, authenticator: SoftAuthenticator | None = None):
        options = self.flows.post_json("/akun/keluarga/tautkan/opsi").get_json()
        answer = (authenticator or self.authenticator).get(options) if options.get("challenge") else {}
        return self.flows.post_json("/akun/keluarga/tautkan/verifikasi", answer)


@pytest.fixture
def father(app, make_user, signed_in):
    return Member(app, make_user, signed_in)


def _code(app, owner, member_id) -> str:
    with app.app_context():
        return family.issue_link_code(db.session.get(User, owner.id), db.session.get(FamilyMember, member_id))


def _links(app) -> list[FamilyLink]:
    with app.app_context():
        rows = list(db.session.scalars(select(FamilyLink)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_member_links_only_with_their_own_passkey(app, parent, citizen, father):
    father_id = _add(app, citizen, FATHER)
    code = _code(app, citizen, father_id)

    assert father.enter(code).headers["Location"] == "/akun/keluarga/tautkan/konfirmasi"
    confirm = father.client.get_page("/akun/keluarga/tautkan/konfirmasi")
    assert "Siti Rahayu" in confirm.get_text() and "Orang tua" in confirm.get_text()

    # No passkey answer, or someone else's passkey: refused, and no link.
    assert father.flows.post_json("/akun/keluarga/tautkan/verifikasi", {}).status_code == 400
    stranger = SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])
    options = father.flows.post_json("/akun/keluarga/tautkan/opsi").get_json()
    stranger.create(
        {"rp": {"id": "localhost"}, "user": {"id": "AAAA"}, "challenge": options["challenge"]}, rp_id="localhost"
    )
    assert father.flows.post_json("/akun/keluarga/tautkan/verifikasi", stranger.get(options)).status_code == 400
    assert _links(app) == []

    response = father.confirm()
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redirect"] == "/akun/keluarga"
    [link] = _links(app)
    assert link.account_id == father.user.id and link.member_id == father_id and link.revoked_at is None

    # Single use: the same code cannot link again (nor another account).
    assert father.enter(code).status_code == 422


def test_a_code_is_refused_when_the_accounts_nik_is_not_the_members(app, citizen, make_user, signed_in):
    father_id = _add(app, citizen, FATHER)
    code = _code(app, citizen, father_id)
    impostor = make_user("Orang Lain", email="lain@contoh.id")
    _profile(app, impostor, "7471011203800003", "Orang Lain")
    client = PageClient(app.test_client())
    signed_in(client, impostor)
    page = client.post_page("/akun/keluarga/tautkan", data={"kode": code}, expected_status=422)
    assert "NIK" in page.find(id="f-kode-error").get_text()
    assert client.get("/akun/keluarga/tautkan/konfirmasi").status_code == 303


def test_a_child_cannot_be_given_a_link_code(app, citizen):
    child_id = _add(app, citizen, CHILD)
    with app.app_context(), pytest.raises(family.FamilyError):
        family.issue_link_code(db.session.get(User, citizen.id), db.session.get(FamilyMember, child_id))


def _linked(app, parent_client, citizen, father) -> int:
    father_id = _add(app, citizen, FATHER)
    father.enter(_code(app, citizen, father_id))
    assert father.confirm().status_code == 200
    return father_id


def _submit_bpjs_for(app, citizen, member_id) -> Application:
    """A complete BPJS application (a family service) for the member, through the real use cases."""
    import secrets

    from app.applications import drafts
    from app.applications.submit import submit_draft
    from tests.applications.conftest import ADDRESS, add_document

    with app.app_context():
        owner = db.session.get(User, citizen.id)
        service = db.session.scalar(select(Service).where(Service.slug == "bpjs-kesehatan-mandiri"))
        member = db.session.get(FamilyMember, member_id)
        draft = on_behalf.start_for(owner, service, member)
        form = drafts.form_of(draft)
        answers = {**draft.answers, **ADDRESS, "kelas": "3", "jumlah_anggota": "1", "email": "siti@contoh.id"}
        for doc in form.documents:
            answers[f"dokumen.{doc['key']}"] = str(add_document(app, citizen, doc["document_type"]))
        draft = db.session.get(Draft, draft.id)
        draft.answers = answers
        draft.mpp_id = draft.mpp_id or drafts.offered_at(service)[0].id
        db.session.commit()
        result = submit_draft(owner, draft, idempotency_key=secrets.token_urlsafe(24))
        db.session.refresh(result.application)
        db.session.expunge(result.application)
        return result.application


def test_what_is_done_in_a_linked_members_name_is_in_their_own_riwayat_akses(
    app, parent, citizen, father, demo_data, make_user
):
    father_id = _linked(app, parent, citizen, father)
    application = _submit_bpjs_for(app, citizen, father_id)

    assert application.subject_user_id == father.user.id
    assert application.subject_name == "Hasan Basri" and application.subject_relationship == "orang_tua"
    page = father.client.get_page("/akun/keluarga")
    assert application.tracking_number in page.get_text()  # the member sees it

    # The officer opens it: the applicant's AND the member's Riwayat akses say so.
    from app.backoffice.casework import open_application
    from app.backoffice.scope import Scope

    officer = make_user("Petugas BPJS", email="petugas@bpjs.go.id", role=Role.NATIONAL_ADMIN)
    with app.app_context():
        row = db.session.get(Application, application.id)
        open_application(Scope(user=db.session.get(User, officer.id), national=True), row)
        entries = list(db.session.scalars(select(AccessLog).where(AccessLog.subject_id == father.user.id)))
    purposes = " | ".join(entry.purpose for entry in entries)
    assert "Memulai permohonan" in purposes and "Mengajukan permohonan" in purposes
    assert any(entry.actor_id == officer.id for entry in entries)
    privacy = father.client.get_page("/akun/privasi").get_text()
    assert "Siti Rahayu" in privacy and "Petugas BPJS" in privacy


def test_the_member_revokes_and_nobody_applies_in_their_name_any_more(app, parent, citizen, father, demo_data):
    father_id = _linked(app, parent, citizen, father)
    [link] = _links(app)

    assert father.client.post(f"/akun/keluarga/tautan/{link.id}/cabut").status_code == 303
    [link] = _links(app)
    assert link.revoked_at is not None and link.revoked_by == "anggota"

    page = parent.post_page(
        "/layanan/bpjs-kesehatan-mandiri/ajukan", data={"untuk": str(father_id)}, expected_status=422
    )
    assert "Hasan Basri" in page.find(id="untuk-error").get_text()
    # Nobody else can revoke a link that is not theirs.
    assert parent.post(f"/akun/keluarga/tautan/{link.id}/cabut").status_code == 404


def test_the_officer_sees_the_subject_who_applied_and_the_relationship(app, citizen, father, parent, demo_data):
    father_id = _linked(app, parent, citizen, father)
    application = _submit_bpjs_for(app, citizen, father_id)
    from app.backoffice.casework import open_application  # noqa: F401  (the page calls it)

    staff = PageClient(app.test_client())
    with app.app_context():
        admin = User(
            webauthn_handle=b"x" * 32, display_name="Admin", email="admin@menpan.go.id", role=Role.NATIONAL_ADMIN
        )
        db.session.add(admin)
        db.session.commit()
        db.session.refresh(admin)
        db.session.expunge(admin)
    from tests.accounts.fixtures import sign_in_test_client

    sign_in_test_client(app, staff, admin)
    text = staff.get_page(f"/petugas/permohonan/{application.tracking_number}").get_text(" ")
    assert "Hasan Basri" in text and "Siti Rahayu" in text
    assert "Hasan Basri adalah orang tua dari Siti Rahayu".lower() in text.lower()


# --- whose document --------------------------------------------------------------------------------------------------


def test_a_document_is_marked_as_a_members_and_offered_first_when_applying_for_them(app, parent, citizen, demo_data):
    from app.applications import drafts
    from tests.applications.conftest import add_document

    child_id = _add(app, citizen, CHILD)
    mine = add_document(app, citizen, "kk")
    childs = add_document(app, citizen, "kk")
    assert parent.post(f"/akun/dokumen/{childs}/pemilik", data={"milik": str(child_id)}).status_code == 303
    assert "Milik Adi Pratama" in parent.get_page("/akun/dokumen").get_text()

    with app.app_context():
        owner = db.session.get(User, citizen.id)
        form = drafts.Form(
            drafts.latest_form(db.session.scalar(select(Service).where(Service.slug == "akta-kelahiran"))).definition
        )
        ordered = drafts.document_options(owner, form, subject_member_id=child_id)["kk"]
        assert [document.id for document in ordered] == [childs, mine]

    # Back to "me"; a member id that is not one's own changes nothing.
    assert parent.post(f"/akun/dokumen/{childs}/pemilik", data={"milik": "saya"}).status_code == 303
    assert parent.post(f"/akun/dokumen/{childs}/pemilik", data={"milik": "999999"}).status_code == 303
    with app.app_context():
        from app.personal.models import Document

        assert db.session.get(Document, childs).family_member_id is None


def test_another_citizens_document_cannot_be_marked(app, client, citizen, other_citizen, signed_in):
    from tests.applications.conftest import add_document

    document = add_document(app, citizen, "kk")
    signed_in(client, other_citizen)
    assert client.post(f"/akun/dokumen/{document}/pemilik", data={"milik": "saya"}).status_code == 404


# --- the citizen's rights over what they entered ----------------------------------------------------------------------


def test_deleting_the_account_deletes_the_members_listed_and_ends_its_links(app, parent, citizen, father):
    from app.personal.privacy import DELETE_PHRASE, delete_account

    _linked(app, parent, citizen, father)
    with app.app_context():
        delete_account(db.session.get(User, father.user.id), DELETE_PHRASE)
        delete_account(db.session.get(User, citizen.id), DELETE_PHRASE)
        assert db.session.scalar(select(func.count()).select_from(FamilyMember)) == 0


def test_deleting_a_linked_members_account_revokes_their_link(app, parent, citizen, father):
    from app.personal.privacy import DELETE_PHRASE, delete_account

    _linked(app, parent, citizen, father)
    with app.app_context():
        delete_account(db.session.get(User, father.user.id), DELETE_PHRASE)
    [link] = _links(app)
    assert link.revoked_at is not None


def test_the_export_holds_the_family_members_entered(app, citizen):
    import io
    import json
    import zipfile

    from app.personal.privacy import export_data

    _add(app, citizen, CHILD)
    with app.app_context():
        _name, data = export_data(db.session.get(User, citizen.id))
    payload = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("data.json"))
    assert payload["family_members"][0]["nik"] == CHILD["nik"]


def test_cancelling_an_application_made_for_a_linked_member_is_in_their_riwayat_akses(
    app, parent, citizen, father, demo_data
):
    from app.applications import lifecycle

    father_id = _linked(app, parent, citizen, father)
    application = _submit_bpjs_for(app, citizen, father_id)
    with app.app_context():
        lifecycle.cancel_application(db.session.get(User, citizen.id), db.session.get(Application, application.id))
        purposes = list(db.session.scalars(select(AccessLog.purpose).where(AccessLog.subject_id == father.user.id)))
    assert "Dibatalkan oleh pengaju" in purposes


def test_the_applicants_own_pages_say_whom_the_application_is_for(app, parent, citizen, father, demo_data):
    father_id = _linked(app, parent, citizen, father)
    application = _submit_bpjs_for(app, citizen, father_id)
    for page in (parent.get_page("/permohonan"), parent.get_page(f"/permohonan/{application.tracking_number}")):
        assert "Untuk" in page.get_text() and "Hasan Basri (Orang tua)" in " ".join(page.get_text().split())


def test_a_stored_nik_is_not_sent_to_the_page_and_an_empty_field_keeps_it(app, parent, citizen):
    child_id = _add(app, citizen, CHILD)
    page = parent.get_page(f"/akun/keluarga/{child_id}")
    assert CHILD["nik"] not in str(page) and "7471••••••••0001" in page.get_text()
    assert (
        parent.post(f"/akun/keluarga/{child_id}", data={**CHILD, "nik": "", "full_name": "Adi P."}).status_code == 303
    )
    with app.app_context():
        member = db.session.get(FamilyMember, child_id)
        assert member.nik == CHILD["nik"] and member.full_name == "Adi P."


def _copies_of(app, application_id: int, count: int) -> None:
    """``count`` more applications like ``application_id`` (each its own tracking number), a minute apart."""
    import datetime as dt

    from sqlalchemy import inspect as sa_inspect

    with app.app_context():
        original = db.session.get(Application, application_id)
        columns = [attr.key for attr in sa_inspect(Application).column_attrs if attr.key != "id"]
        for n in range(count):
            values = {key: getattr(original, key) for key in columns}
            values.update(
                tracking_number=f"MPP-UJI-{n:05d}",
                submitted_at=original.submitted_at - dt.timedelta(minutes=n + 1),
            )
            db.session.add(Application(**values))
        db.session.commit()


def test_applications_made_for_a_member_are_paged_in_the_same_statements(app, parent, citizen, father, demo_data):
    from app.applications.lifecycle import ABOUT_PAGE_SIZE

    from ..statements import assert_same_statements, statements_of

    father_id = _linked(app, parent, citizen, father)
    application = _submit_bpjs_for(app, citizen, father_id)
    few = statements_of(app, father.client.raw, "/akun/keluarga")
    assert application.tracking_number in few.html and 'rel="next"' not in few.html

    _copies_of(app, application.id, ABOUT_PAGE_SIZE + 5)  # 26 in all: a full page and 6 behind it
    many = statements_of(app, father.client.raw, "/akun/keluarga")
    assert_same_statements(few, many, "/akun/keluarga")
    first = father.client.get_page("/akun/keluarga")
    assert len(first.select("#dibuat-untuk-anda + ul li")) == ABOUT_PAGE_SIZE
    assert application.tracking_number in first.get_text()  # the newest first
    assert first.select_one('a[rel="next"]')["href"] == "/akun/keluarga?halaman=2#dibuat-untuk-anda"
    second = father.client.get_page("/akun/keluarga?halaman=2")
    assert len(second.select("#dibuat-untuk-anda + ul li")) == 6 and second.select_one('a[rel="next"]') is None
    assert second.select_one('a[rel="prev"]')["href"] == "/akun/keluarga#dibuat-untuk-anda"
    past = father.client.get_page("/akun/keluarga?halaman=9")
    assert "Halaman ini kosong" in past.get_text() and "Belum ada daftar keluarga" not in past.get_text()
