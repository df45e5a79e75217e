"""Issue 13 (for the family) in a real Chromium at 360 px: a parent adds a child to Anggota keluarga (a wrong NIK said
next to the field first), then applies for the child's akta kelahiran with the child's data filled in; an adult
member links their own account with their own passkey (virtual authenticator) — refused while the passkey does not
verify the user — and revokes it. axe on every page, in the states that matter."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.applications.models import Application
from app.extensions import db
from app.personal import family
from app.personal.models import FamilyLink, FamilyMember
from app.personal.profile import save_profile
from tests.accounts.conftest import mailbox  # noqa: F401  (fixture: the sign-up code is read from it)
from tests.accounts.fixtures import sign_in_test_client
from tests.accounts.test_browser import add_authenticator, sign_up
from tests.applications.conftest import add_document
from tests.helpers import assert_no_axe_violations, shot, wait_for_arrival

pytestmark = pytest.mark.browser

PARENT = {
    "full_name": "Siti Rahayu",
    "nik": "7471014101900001",
    "birth_place": "Kendari",
    "birth_date": "1990-01-01",
    "sex": "P",
    "kk_number": "7471010101100001",
    "address_street": "Jl. Ahmad Yani No. 12",
    "rt": "003",
    "rw": "004",
    "kelurahan": "Bende",
    "kecamatan": "Kadia",
    "kabupaten_kota": "Kota Kendari",
    "province": "Sulawesi Tenggara",
    "postal_code": "93117",
    "phone": "081234567890",
}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll at 360 px"


def _next(page, step: str) -> None:
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url(re.compile(rf".*/{step}$"))


def _checked(page, name: str) -> None:
    assert_no_axe_violations(page)
    _fits(page)
    shot(page, name)


@pytest.fixture
def parent_page(app, page, base_url, citizen, demo_data):
    with app.app_context():
        assert save_profile(db.session.get(User, citizen.id), PARENT).ok
    client = app.test_client()
    sign_in_test_client(app, client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.set_viewport_size({"width": 360, "height": 780})
    return page


def test_a_parent_adds_a_child_and_applies_for_the_childs_birth_certificate(app, parent_page, base_url, citizen):
    page = parent_page
    page.goto(f"{base_url}/akun/keluarga")
    _checked(page, "fam-01-keluarga-kosong")

    page.get_by_role("link", name="Tambah anggota keluarga").click()
    page.wait_for_url(f"{base_url}/akun/keluarga/tambah")
    page.get_by_label("Nama lengkap").fill("Adi Pratama")
    page.get_by_label("NIK").fill("7471013205200001")  # day 32: not a date
    page.get_by_label("Hubungan dengan Anda").select_option("anak")
    page.get_by_label("Tempat lahir").fill("Kendari")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#f-nik-error")).to_contain_text("Angka ke-7–8")
    expect(page.get_by_label("Nama lengkap")).to_have_value("Adi Pratama")  # nothing typed is lost
    _checked(page, "fam-02-tambah-nik-salah")

    page.get_by_label("NIK").fill("7471011505200001")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(f"{base_url}/akun/keluarga")
    expect(page.locator(".family-list")).to_contain_text("Adi Pratama")
    expect(page.locator("main")).to_contain_text("Diambil dari NIK")  # birth date left empty: from the NIK
    _checked(page, "fam-03-keluarga-anak")
    with app.app_context():
        child = db.session.scalar(select(FamilyMember).where(FamilyMember.owner_id == citizen.id))
        assert child.birth_date.isoformat() == "2020-05-15"
        child_id = child.id
    page.goto(f"{base_url}/akun/keluarga/{child_id}")
    _checked(page, "fam-04-ubah-anak")

    # The documents of the standard, already in Dokumen Saya (uploading is tested elsewhere).
    with app.app_context():
        from app.applications import drafts
        from app.catalog.models import Service

        service = db.session.scalar(select(Service).where(Service.slug == "akta-kelahiran"))
        kinds = [doc["document_type"] for doc in drafts.Form(drafts.latest_form(service).definition).documents]
    for kind in kinds:
        add_document(app, citizen, kind)

    page.goto(f"{base_url}/layanan/akta-kelahiran/ajukan")
    page.get_by_label("Adi Pratama").check()
    _checked(page, "fam-05-untuk-siapa")
    page.get_by_role("button", name="Lanjut").click()

    # Data pemohon: the parent reporting the birth, from Data Saya.
    page.wait_for_url(re.compile(r".*/pemohon$"))
    expect(page.locator("#f-nama")).to_have_value("Siti Rahayu")
    _next(page, "alamat")
    expect(page.locator("#f-no_hp")).to_have_value("081234567890")
    _next(page, "anak")
    # Data anak: from the child's entry.
    expect(page.locator("#f-nama_anak")).to_have_value("Adi Pratama")
    expect(page.locator("#f-tanggal_lahir_anak")).to_have_value("2020-05-15")
    _checked(page, "fam-06-data-anak")
    page.locator("#f-anak_ke").fill("1")
    _next(page, "orang-tua")
    page.locator("#f-nama_ibu").fill("Siti Rahayu")
    page.locator("input[name=tercatat_nikah][value=ya]").check(force=True)
    _next(page, "pernikahan")
    page.locator("#f-nomor_akta_nikah").fill("123/45/VI/2018")
    _next(page, "lokasi")
    page.locator("input[name=mpp]").first.check(force=True)
    _next(page, "dokumen")
    for group in page.locator("fieldset.document-choice").all():
        if group.locator("input[type=radio]").count() and not group.locator("input:checked").count():
            group.locator("input[type=radio]").first.evaluate("radio => radio.click()")  # not under the tab bar
    _checked(page, "fam-07-dokumen")
    _next(page, "periksa")
    page.check("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    wait_for_arrival(page, lambda url: "terkirim=1" in url)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.user_id == citizen.id))
        assert application.subject_name == "Adi Pratama" and application.subject_relationship == "anak"
        assert application.latest_revision.data["nama_anak"] == "Adi Pratama"
        assert application.latest_revision.data["nik"] == PARENT["nik"]


def test_an_adult_member_links_with_their_own_passkey_and_revokes(app, page, base_url, mailbox, citizen):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 780})
    cdp, authenticator = add_authenticator(page)
    sign_up(page, base_url, mailbox, name="Hasan Basri", email="hasan@contoh.id")
    with app.app_context():
        hasan = db.session.scalar(select(User).where(User.email == "hasan@contoh.id"))
        assert save_profile(hasan, {"full_name": "Hasan Basri", "nik": "7471012003600002"}).ok
        hasan_id = hasan.id
        owner = db.session.get(User, citizen.id)
        check = family.add_member(
            owner,
            {
                "full_name": "Hasan Basri",
                "nik": "7471012003600002",
                "relationship": "orang_tua",
                "birth_date": "1960-03-20",
                "same_kk": "tidak",
            },
        )
        code = family.issue_link_code(owner, check.member)

    page.goto(f"{base_url}/akun/keluarga/tautkan?kode={code}")
    _checked(page, "fam-08-tautkan-kode")
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(f"{base_url}/akun/keluarga/tautkan/konfirmasi")
    expect(page.locator("main")).to_contain_text("Siti Rahayu")
    _checked(page, "fam-09-tautkan-konfirmasi")

    # The phone does not verify the user: no link, and the citizen is told.
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False})
    page.get_by_role("button", name="Konfirmasi dengan passkey saya").click()
    expect(page.locator("[data-passkey-status]")).to_be_visible()
    assert_no_axe_violations(page)
    with app.app_context():
        assert db.session.scalar(select(FamilyLink)) is None

    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True})
    page.get_by_role("button", name="Konfirmasi dengan passkey saya").click()
    page.wait_for_url(f"{base_url}/akun/keluarga")
    expect(page.locator("#atas-nama-saya")).to_contain_text("Siti Rahayu")
    _checked(page, "fam-10-tertaut")
    with app.app_context():
        link = db.session.scalar(select(FamilyLink))
        assert link.account_id == hasan_id and link.revoked_at is None

    page.get_by_role("button", name="Cabut persetujuan untuk Siti Rahayu").click()
    page.wait_for_url(f"{base_url}/akun/keluarga")
    expect(page.locator("main")).to_contain_text("Tautan telah dicabut")
    _checked(page, "fam-11-dicabut")
    with app.app_context():
        assert db.session.scalar(select(FamilyLink)).revoked_by == "anggota"


def test_the_link_code_whose_document_and_the_officers_view_at_360_px(app, parent_page, base_url, citizen, make_user):
    page = parent_page
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        father = family.add_member(
            owner,
            {
                "full_name": "Hasan Basri",
                "nik": "7471012003600002",
                "relationship": "orang_tua",
                "birth_date": "1960-03-20",
                "same_kk": "tidak",
            },
        ).member
        father_id = father.id
    page.goto(f"{base_url}/akun/keluarga/{father_id}")
    page.get_by_role("button", name="Buat kode tautan").click()
    page.wait_for_url(re.compile(r".*/akun/keluarga/\d+#tautan$"))
    expect(page.locator(".link-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    _checked(page, "fam-12-kode-tautan")
    page.reload()  # shown once: not again on the next visit
    expect(page.locator(".link-code")).to_have_count(0)

    document_id = add_document(app, citizen, "ktp")
    page.goto(f"{base_url}/akun/dokumen/{document_id}")
    page.get_by_label("Milik", exact=True).select_option(str(father_id))
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("main")).to_contain_text("milik Hasan Basri")
    _checked(page, "fam-13-dokumen-milik")


def test_the_officer_sees_the_subject_who_applied_and_the_relationship(
    app, page, base_url, citizen, make_user, demo_data
):
    from app.accounts.models import Role
    from tests.personal.test_family import FATHER, _add, _submit_bpjs_for

    application = _submit_bpjs_for(app, citizen, _add(app, citizen, FATHER))
    admin = make_user("Admin Nasional", email="nasional@menpan.go.id", role=Role.NATIONAL_ADMIN)
    client = app.test_client()
    sign_in_test_client(app, client, admin)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base_url}/petugas/permohonan/{application.tracking_number}")
    facts = page.locator(".bo-facts")
    expect(facts).to_contain_text("Hasan Basri")
    expect(facts).to_contain_text("Diajukan oleh")
    expect(facts).to_contain_text("Hasan Basri adalah orang tua dari Siti Rahayu")
    assert_no_axe_violations(page)
    shot(page, "fam-14-petugas")
