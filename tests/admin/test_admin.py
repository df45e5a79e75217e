"""Catalog admin: scope (an MPP admin of A cannot touch B), validation that keeps input, history rows, regions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.admin.models import CatalogChange, ChangeKind
from app.catalog.models import Mpp, Region, Service, Tenancy
from app.extensions import db

HOME, OTHER = "kota-kendari", "kota-batam"


@pytest.fixture
def mpp_admin(make_staff):
    return make_staff(Role.MPP_ADMIN, mpp=HOME, agency=None, name="Admin Kendari")


@pytest.fixture
def national(make_staff):
    return make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional")


def changes(app) -> list[CatalogChange]:
    with app.app_context():
        rows = list(db.session.scalars(select(CatalogChange).order_by(CatalogChange.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def tenancy_id(app, mpp: str, agency: str = "disdukcapil") -> int:
    with app.app_context():
        return db.session.scalar(select(Tenancy.id).join(Mpp).where(Mpp.slug == mpp, Tenancy.agency.has(slug=agency)))


def test_admin_is_for_admins_only(client, signed_in, citizen, make_staff, demo):
    assert client.get("/admin").status_code in (302, 303)
    signed_in(client, citizen)
    assert client.get("/admin").status_code == 404
    signed_in(client, make_staff(Role.OFFICER))
    assert client.get("/admin").status_code == 404


def test_an_mpp_admin_of_one_mpp_cannot_see_or_edit_another(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    soup = client.get_page("/admin")
    assert "MPP Kota Kendari" in soup.get_text() and "Batam" not in soup.get_text()
    client.get_page(f"/admin/mpp/{HOME}")
    other = tenancy_id(app, OTHER)
    for url in (f"/admin/mpp/{OTHER}", f"/admin/mpp/{OTHER}/jam", f"/admin/mpp/{OTHER}/instansi/{other}",
                f"/admin/mpp/{HOME}/instansi/{other}", f"/admin/mpp/{OTHER}/layanan/ktp-el-hilang-rusak",
                "/admin/wilayah", "/admin/mpp/baru"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/mpp/{OTHER}/jam", data={"jam-0-1-buka": "07.00"}).status_code == 404
    assert client.post(f"/admin/mpp/{HOME}/instansi/{other}/hapus").status_code == 404
    assert changes(app) == []


def test_hours_are_validated_next_to_the_field_and_the_input_is_kept(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    soup = client.post_page(
        f"/admin/mpp/{HOME}/jam",
        data={"jam-0-1-buka": "16.00", "jam-0-1-tutup": "08.00", "jam-1-1-buka": "8 pagi", "jam-1-1-tutup": "12.00"},
        expected_status=422,
    )
    closes = soup.find(id="f-jam-0-1-tutup")
    assert closes["aria-invalid"] == "true" and closes["value"] == "08.00"
    assert "setelah jam buka" in soup.find(id="f-jam-0-1-tutup-error").get_text()
    assert soup.find(id="f-jam-1-1-buka")["value"] == "8 pagi"
    assert changes(app) == []


def test_saving_hours_writes_history_with_before_and_after(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    data = {f"jam-{d}-1-buka": "08.00" for d in range(5)} | {f"jam-{d}-1-tutup": "15.00" for d in range(5)}
    data |= {"jam-4-1-tutup": "11.30", "jam-4-2-buka": "13.30", "jam-4-2-tutup": "16.00"}  # Friday prayer break
    response = client.post(f"/admin/mpp/{HOME}/jam", data=data)
    assert response.status_code == 303
    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == HOME))
        assert [(h.weekday, f"{h.opens:%H.%M}", f"{h.closes:%H.%M}") for h in mpp.hours][-2:] == [
            (4, "08.00", "11.30"), (4, "13.30", "16.00")]  # fmt: skip
    [change] = changes(app)
    assert change.entity == "mpp_hours" and change.kind == ChangeKind.UPDATE and change.actor_name == "Admin Kendari"
    assert change.after["jam"]["4"] == ["08.00-11.30", "13.30-16.00"] and change.before != change.after


def test_tenancy_counter_and_own_hours(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    url = f"/admin/mpp/{HOME}/instansi/{tenancy_id(app, HOME)}"
    client.get_page(url)
    soup = client.post_page(url, data={"loket": "Loket 3", "jam_sendiri": "1"}, expected_status=422)
    assert soup.find(id="f-loket")["value"] == "Loket 3"
    assert client.post(url, data={"loket": "Loket 3", "jam_sendiri": "1", "jam-0-1-buka": "08.00",
                                  "jam-0-1-tutup": "12.00"}).status_code == 303  # fmt: skip
    with app.app_context():
        tenancy = db.session.get(Tenancy, tenancy_id(app, HOME))
        assert tenancy.counter == "Loket 3" and len(tenancy.hours) == 1
    assert changes(app)[-1].entity == "tenancy"


def test_service_standard_validation_keeps_rows_and_saves_with_history(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    url = f"/admin/mpp/{HOME}/layanan/ktp-el-hilang-rusak"
    soup = client.get_page(url)
    form = {field["name"]: field.get("value", "") for field in soup.select("form.admin-form input")
            if field.get("type") not in ("checkbox",) and field.get("name")}  # fmt: skip
    form |= {field["name"]: field.get_text() for field in soup.select("form.admin-form textarea")}
    form |= {s["name"]: (s.find("option", selected=True) or {"value": ""}).get("value", "")
             for s in soup.select("form.admin-form select")}  # fmt: skip
    form |= {"online": "1", "syarat-0-wajib": "1"}
    bad = form | {"biaya-0-jumlah": "Rp 30.000", "biaya-0-dasar": "", "langkah-0-nilai": "dua", "nama": ""}
    soup = client.post_page(url, data=bad, expected_status=422)
    assert soup.find(id="f-biaya-0-jumlah")["value"] == "Rp 30.000"
    assert soup.find(id="f-biaya-0-jumlah")["aria-invalid"] == "true"
    assert soup.find(id="f-biaya-0-dasar-error") and soup.find(id="f-langkah-0-nilai-error")
    assert soup.find(id="f-nama-error")
    assert changes(app) == []
    good = form | {"biaya-0-uraian": "Tidak dipungut biaya", "biaya-0-jumlah": "0", "biaya-0-dasar": "UU 24/2013",
                   "langkah-9-judul": "Penyerahan", "langkah-9-pelaksana": "Petugas", "langkah-9-nilai": "10",
                   "langkah-9-satuan": "menit"}  # fmt: skip
    assert client.post(url, data=good).status_code == 303
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == "ktp-el-hilang-rusak"))
        assert service.steps[-1].title == "Penyerahan" and service.fees[0].amount == 0
    [change] = changes(app)
    assert change.entity == "service" and len(change.after["prosedur"]) == len(change.before["prosedur"]) + 1


def test_offerings_only_from_tenant_agencies(app, client, signed_in, mpp_admin):
    signed_in(client, mpp_admin)
    with app.app_context():
        ktp = db.session.scalar(select(Service.id).where(Service.slug == "ktp-el-baru"))
    assert client.post(f"/admin/mpp/{HOME}/layanan", data={"layanan": [str(ktp), "999999"]}).status_code == 303
    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == HOME))
        offered = {o.service_id for o in mpp.offerings}
    assert ktp in offered and 999999 not in offered
    assert changes(app)[-1].entity == "service_offering"


def test_national_admin_manages_regions_and_mpps(app, client, signed_in, national):
    signed_in(client, national)
    soup = client.post_page("/admin/wilayah", data={"kode": "7403", "nama": "Kabupaten Konawe", "jenis": "kota",
                                                    "provinsi": "Sulawesi Tenggara"}, expected_status=422)  # fmt: skip
    assert soup.find(id="f-jenis-error") and soup.find(id="f-nama")["value"] == "Kabupaten Konawe"
    assert client.post("/admin/wilayah", data={"kode": "7403", "nama": "Kabupaten Konawe", "jenis": "kabupaten",
                                               "provinsi": "Sulawesi Tenggara"}).status_code == 303  # fmt: skip
    with app.app_context():
        region_id = db.session.scalar(select(Region.id).where(Region.code == "7403"))
    soup = client.post_page("/admin/mpp/baru", data={"slug": "Kab Konawe", "nama": "MPP Kabupaten Konawe",
                            "wilayah": str(region_id), "zona": "Asia/Makassar", "alamat": ""}, expected_status=422)  # fmt: skip
    assert soup.find(id="f-slug-error") and soup.find(id="f-alamat-error")
    response = client.post("/admin/mpp/baru", data={"slug": "kab-konawe", "nama": "MPP Kabupaten Konawe",
                           "wilayah": str(region_id), "zona": "Asia/Makassar", "alamat": "Unaaha"})  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/mpp/kab-konawe")
    assert [c.entity for c in changes(app)] == ["region", "mpp"]
    client.get_page("/admin/riwayat")
    client.get_page("/admin/ringkasan")
