"""Data Saya at /akun/data: errors next to the field with what was typed kept, masking, warnings, privacy."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.extensions import db
from app.personal.profile import get_profile, profile_prefill, update_profile_fields

GOOD = {
    "nik": "3510011708900001",
    "kk_number": "3510012001150004",
    "full_name": "Siti Rahayu",
    "birth_place": "Banyuwangi",
    "birth_date": "1990-08-17",
    "sex": "L",
    "religion": "islam",
    "marital_status": "kawin",
    "occupation": "Wiraswasta",
    "address_street": "Jl. Ahmad Yani No. 12",
    "rt": "3",
    "rw": "005",
    "kelurahan": "Penganjuran",
    "kecamatan": "Banyuwangi",
    "kabupaten_kota": "Kabupaten Banyuwangi",
    "province": "Jawa Timur",
    "postal_code": "68416",
    "phone": "0812-3456-7890",
    "email": "Siti@Contoh.id",
}


@pytest.mark.parametrize("url", ["/akun/data", "/akun/dokumen", "/akun/privasi", "/akun/privasi/ekspor"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_saving_data_saya_stores_it_and_masks_the_numbers(app, client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.post("/akun/data", data=GOOD)
    assert response.status_code == 303
    page = client.get("/akun/data")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "3510011708900001" not in html and "3510012001150004" not in html
    assert "3510••••••••0001" in html
    with app.app_context():
        values = profile_prefill(db.session.get(User, citizen.id))
    assert values["nik"] == "3510011708900001"
    assert values["rt"] == "003" and values["phone"] == "081234567890" and values["email"] == "siti@contoh.id"
    assert values["birth_date"] == "1990-08-17"


def test_show_reveals_the_numbers_and_hide_masks_them_again(client, citizen, signed_in):
    signed_in(client, citizen)
    client.post("/akun/data", data=GOOD)
    assert client.post("/akun/data/tampilkan").status_code == 303
    soup = client.get_page("/akun/data")
    assert "3510011708900001" in soup.get_text()
    assert soup.find("input", id="f-nik")["value"] == "3510011708900001"
    client.post("/akun/data/sembunyikan")
    assert "3510011708900001" not in client.get("/akun/data").get_data(as_text=True)


def test_a_blank_nik_field_keeps_the_stored_number(app, client, citizen, signed_in):
    signed_in(client, citizen)
    client.post("/akun/data", data=GOOD)
    client.post("/akun/data", data={**GOOD, "nik": "", "kk_number": "", "occupation": "Guru"})
    with app.app_context():
        profile = get_profile(db.session.get(User, citizen.id))
        assert (profile.nik, profile.kk_number, profile.occupation) == ("3510011708900001", "3510012001150004", "Guru")


def test_bad_input_is_explained_next_to_each_field_and_everything_typed_is_kept(app, client, citizen, signed_in):
    signed_in(client, citizen)
    typed = {
        **GOOD,
        "nik": "3510011713900001",
        "kk_number": "12345",
        "postal_code": "6841",
        "phone": "12345",
        "full_name": "<script>alert(1)</script>",
    }
    soup = client.post_page("/akun/data", data=typed)
    nik = soup.find("input", id="f-nik")
    assert nik["value"] == "3510011713900001"
    assert nik["aria-invalid"] == "true"
    assert "f-nik-error" in nik["aria-describedby"]
    assert "bulan lahir" in soup.find(id="f-nik-error").get_text()
    assert "16 angka" in soup.find(id="f-kk_number-error").get_text()
    assert "Kode pos" in soup.find(id="f-postal_code-error").get_text()
    assert soup.find(id="f-phone-error") is not None
    assert soup.find("input", id="f-full_name")["value"] == "<script>alert(1)</script>"  # kept, and escaped
    assert soup.find("select", id="f-religion").find("option", selected=True)["value"] == "islam"
    assert soup.find(id="ringkasan-kesalahan") is not None
    with app.app_context():
        assert get_profile(db.session.get(User, citizen.id)) is None  # nothing saved


def test_a_nik_that_disagrees_with_sex_and_birth_date_is_saved_with_a_warning(app, client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.post("/akun/data", data={**GOOD, "sex": "P", "birth_date": "1991-08-17"})
    assert response.status_code == 303  # saved: a NIK is not reissued when a birth date is corrected
    soup = client.get_page("/akun/data")
    warnings = soup.select(".field-warning")
    assert len(warnings) == 2
    assert "laki-laki" in warnings[0].get_text()
    assert "17-08-1990" in warnings[1].get_text()
    assert "f-nik-warning-1" in soup.find("input", id="f-nik")["aria-describedby"]


def test_a_saved_nik_warning_is_one_amber_summary_at_the_top_instead_of_a_green_banner(app, client, citizen, signed_in):
    signed_in(client, citizen)
    client.post("/akun/data", data={**GOOD, "sex": "P", "birth_date": "1991-08-17"})
    soup = client.get_page("/akun/data")
    summary = soup.select_one(".notice.warning.needs-look")
    assert summary is not None and not soup.select(".notice.success")
    assert "Data tersimpan, tetapi mohon periksa ini" in summary.get_text()
    links = summary.select("li a")
    assert [a["href"] for a in links] == ["#f-nik", "#f-nik"]
    assert "laki-laki" in links[0].get_text()
    # It comes before the form, where the citizen lands; the field keeps its own warnings.
    assert str(soup).index("needs-look") < str(soup).index('id="f-nik"')
    # Without warnings the save is simply confirmed in green.
    client.post("/akun/data", data=GOOD)
    soup = client.get_page("/akun/data")
    assert soup.select(".notice.success") and not soup.select(".needs-look")


def test_another_citizen_never_sees_my_data(client, citizen, other_citizen, signed_in):
    signed_in(client, citizen)
    client.post("/akun/data", data=GOOD)
    signed_in(client, other_citizen)
    client.post("/akun/data/tampilkan")
    html = client.get("/akun/data").get_data(as_text=True)
    assert "Siti Rahayu" not in html and "3510" not in html and "Penganjuran" not in html


def test_update_profile_fields_saves_a_correction_back_with_the_same_rules(app, citizen):
    with app.test_request_context("/"):
        user = db.session.get(User, citizen.id)
        assert update_profile_fields(user, {"full_name": "Siti R.", "nik": "3510011708900001"}).ok
        refused = update_profile_fields(user, {"postal_code": "abc"})
        assert not refused.ok and "postal_code" in refused.errors
        values = profile_prefill(user)
        assert values["full_name"] == "Siti R." and values["postal_code"] == ""
        with pytest.raises(KeyError):
            update_profile_fields(user, {"favourite_colour": "biru"})


def test_without_a_profile_prefill_uses_what_the_account_knows(app, citizen):
    with app.app_context():
        values = profile_prefill(db.session.get(User, citizen.id))
    assert values["full_name"] == "Siti Rahayu" and values["email"] == "siti@contoh.id" and values["nik"] == ""
