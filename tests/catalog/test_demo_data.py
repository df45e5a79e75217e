"""The demo catalog loader: complete, idempotent, safe on a database with other rows, and true to the facts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.catalog import demo_data
from app.catalog.demo import services as demo_services
from app.catalog.demo_data import DemoDataError, load_demo_data
from app.catalog.models import (
    Agency,
    Mpp,
    MppHours,
    ProcedureStep,
    Region,
    RegionKind,
    Requirement,
    RequirementKind,
    Service,
    ServiceFee,
    ServiceOffering,
    Tenancy,
    TenancyHours,
)
from app.extensions import db

AGREED_MPPS = {
    "kab-banyuwangi": ("3510", "Asia/Jakarta"),
    "kab-banyumas": ("3302", "Asia/Jakarta"),
    "kota-banda-aceh": ("1171", "Asia/Jakarta"),
    "kota-batam": ("2171", "Asia/Jakarta"),
    "kota-kendari": ("7471", "Asia/Makassar"),
    "kota-yogyakarta": ("3471", "Asia/Jakarta"),
    "kota-surakarta": ("3372", "Asia/Jakarta"),
    "kota-samarinda": ("6472", "Asia/Makassar"),
    "kab-musi-rawas": ("1605", "Asia/Jakarta"),
    "kota-metro": ("1872", "Asia/Jakarta"),
    "kab-sragen": ("3314", "Asia/Jakarta"),
}
AGREED_AGENCIES = {
    "disdukcapil",
    "dpmptsp",
    "dinkes",
    "imigrasi",
    "polres",
    "samsat",
    "bpjs-kesehatan",
    "kemenag-kua",
    "disnaker",
    "bapenda",
    "bp3mi",
    "bpjs-ketenagakerjaan",
    "bpn",
    "kpp-pratama",
    "pdam",
    "bank-daerah",
}
AGREED_SERVICES = [
    "ktp-el-baru",
    "ktp-el-hilang-rusak",
    "kk-perubahan-data",
    "akta-kelahiran",
    "aktivasi-ikd",
    "pindah-datang",
    "nib-perseorangan",
    "sip-bidan",
    "sip-dokter",
    "paspor-biasa",
    "skck-baru",
    "skck-perpanjangan",
    "sim-a-baru",
    "sim-c-perpanjangan",
    "pajak-kendaraan-tahunan",
    "stnk-lima-tahunan",
    "bpjs-kesehatan-mandiri",
    "pendaftaran-nikah",
    "kartu-pencari-kerja",
    "layanan-pmi",
]
TABLES = [
    Region,
    Mpp,
    MppHours,
    Agency,
    Tenancy,
    TenancyHours,
    Service,
    Requirement,
    ProcedureStep,
    ServiceFee,
    ServiceOffering,
]


@pytest.fixture
def loaded(app_ctx):
    return load_demo_data()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ids(model) -> list[int]:
    return list(db.session.scalars(select(model.id).order_by(model.id)))


def _service(slug: str) -> Service:
    return db.session.scalars(select(Service).filter_by(slug=slug)).one()


def _mpp(slug: str) -> Mpp:
    return db.session.scalars(select(Mpp).filter_by(slug=slug)).one()


def _tenancy(mpp_slug: str, agency_slug: str) -> Tenancy:
    return db.session.scalars(
        select(Tenancy).join(Tenancy.mpp).join(Tenancy.agency).where(Mpp.slug == mpp_slug, Agency.slug == agency_slug)
    ).one()


# --- loading and reloading -------------------------------------------------------------------------------------


def test_loading_reports_what_the_database_now_holds(loaded):
    assert loaded["services"] == 20 and loaded["mpps"] == 11 and loaded["regions"] == 11
    expected = {
        "regions": Region,
        "mpps": Mpp,
        "agencies": Agency,
        "tenancies": Tenancy,
        "services": Service,
        "requirements": Requirement,
        "steps": ProcedureStep,
        "fees": ServiceFee,
        "offerings": ServiceOffering,
    }
    assert {name: _count(model) for name, model in expected.items()} == {name: loaded[name] for name in expected}
    assert loaded["created"] > 0 and loaded["updated"] == 0


def test_loading_twice_changes_nothing_and_duplicates_nothing(loaded):
    before = {model.__tablename__: _ids(model) for model in TABLES}

    again = load_demo_data()

    assert again["created"] == 0 and again["updated"] == 0
    assert {key: value for key, value in again.items() if key not in ("created", "updated")} == {
        key: value for key, value in loaded.items() if key not in ("created", "updated")
    }
    assert {model.__tablename__: _ids(model) for model in TABLES} == before


def test_reloading_repairs_edited_rows_in_place_and_keeps_rows_it_does_not_know(loaded):
    paspor = _service("paspor-biasa")
    paspor_id, first_fee_id = paspor.id, paspor.fees[0].id
    paspor.summary = "diubah"
    paspor.fees[0].amount = 1
    paspor.requirements.pop()  # an admin removed the last requirement
    agency = Agency(slug="pln-batam", name="Bright PLN Batam", short_name="Bright PLN")
    batam = _mpp("kota-batam")
    db.session.add_all([agency, Tenancy(mpp=batam, agency=agency, counter="Loket 40")])
    db.session.commit()

    again = load_demo_data()

    db.session.expire_all()
    paspor = _service("paspor-biasa")
    assert paspor.id == paspor_id and paspor.fees[0].id == first_fee_id
    assert paspor.summary.startswith("Paspor biasa") and paspor.fees[0].amount == 350_000
    assert paspor.requirements[-1].kind == RequirementKind.IN_PERSON
    assert again["updated"] == 2 and again["created"] == 1  # summary, fee amount; the requirement re-added
    assert _tenancy("kota-batam", "pln-batam").counter == "Loket 40"


def test_data_that_contradicts_itself_is_refused_and_nothing_is_written(app_ctx, monkeypatch):
    broken = [
        {**row, "offered_at": ["kota-metro"]} if row["slug"] == "paspor-biasa" else row for row in demo_data.SERVICES
    ]
    # The demo catalog loads through the admin's importer, which reads the demo package's rows when it runs.
    monkeypatch.setattr(demo_services, "SERVICES", broken)

    with pytest.raises(DemoDataError, match=r"paspor-biasa.*imigrasi tidak memiliki loket"):
        load_demo_data()

    assert _count(Region) == 0 and _count(Service) == 0


# --- the agreed slugs ------------------------------------------------------------------------------------------


def test_every_agreed_slug_exists(loaded):
    assert set(db.session.scalars(select(Service.slug))) == set(AGREED_SERVICES)
    assert set(db.session.scalars(select(Agency.slug))) >= AGREED_AGENCIES
    mpps = {mpp.slug: (mpp.region.code, mpp.timezone) for mpp in db.session.scalars(select(Mpp))}
    assert mpps == AGREED_MPPS


def test_regions_carry_their_kind_and_province(loaded):
    for region in db.session.scalars(select(Region)):
        # Kemendagri codes: 01–69 after the province are kabupaten, 71–99 kota.
        expected = RegionKind.KOTA if int(region.code[2:]) >= 71 else RegionKind.KABUPATEN
        assert region.kind == expected, region.code
        assert region.code.startswith(region.province_code) and region.province_name
        assert region.name.lower().startswith(region.kind.value)


# --- facts -------------------------------------------------------------------------------------------------------


def test_passport_fees_follow_pp_45_2024(loaded):
    fees = {fee.label: fee for fee in _service("paspor-biasa").fees}
    amounts = [fee.amount for fee in _service("paspor-biasa").fees]
    assert amounts[:5] == [350_000, 650_000, 650_000, 950_000, 1_000_000]
    assert fees["Paspor elektronik, berlaku paling lama 10 tahun"].amount == 950_000
    assert fees["Layanan percepatan, selesai di hari yang sama (tambahan)"].amount == 1_000_000
    assert all(fee.legal_basis == "PP 45/2024" for fee in fees.values())
    assert all(fee.effective_from and fee.effective_from >= dt.date(2024, 12, 1) for fee in fees.values())


def test_skck_costs_rp30000_under_pp_76_2020(loaded):
    for slug in ("skck-baru", "skck-perpanjangan"):
        [fee] = _service(slug).fees
        assert (fee.amount, fee.legal_basis) == (30_000, "PP 76/2020")


def test_sim_fees(loaded):
    assert [(f.amount, f.legal_basis) for f in _service("sim-a-baru").fees] == [(120_000, "PP 76/2020")]
    assert [(f.amount, f.legal_basis) for f in _service("sim-c-perpanjangan").fees] == [(75_000, "PP 76/2020")]


def test_population_documents_are_free_under_uu_24_2013(loaded):
    adminduk = db.session.scalars(select(Service).join(Service.agency).where(Agency.slug == "disdukcapil")).all()
    assert len(adminduk) == 6
    for service in adminduk:
        assert service.is_free, service.slug
        assert [fee.legal_basis for fee in service.fees] == ["UU 24/2013 Pasal 79A"]


def test_marriage_is_free_at_the_kua_and_rp600000_elsewhere(loaded):
    assert [(fee.amount, fee.legal_basis) for fee in _service("pendaftaran-nikah").fees] == [
        (0, "PP 48/2014"),
        (600_000, "PP 48/2014"),
    ]


def test_samarinda_keeps_wita_and_its_tenants_own_hours(loaded):
    samarinda = _mpp("kota-samarinda")
    assert samarinda.timezone == "Asia/Makassar"
    assert samarinda.address == "Graha Tepian, Jl. Basuki Rahmat No. 78, Kota Samarinda"

    sim = _tenancy("kota-samarinda", "polres")
    assert [(h.weekday, h.closes) for h in sim.hours] == [(day, dt.time(12, 0)) for day in range(5)]
    assert {h.closes for h in _tenancy("kota-samarinda", "kpp-pratama").hours} == {dt.time(12, 0)}
    assert sorted({h.weekday for h in _tenancy("kota-samarinda", "bpom").hours}) == [0, 2, 3]
    assert _tenancy("kota-samarinda", "bpjs-kesehatan").hours == []  # all day: the MPP's own hours


def test_every_mpp_has_hours_and_counters(loaded):
    for mpp in db.session.scalars(select(Mpp)):
        assert mpp.hours and {h.weekday for h in mpp.hours} >= {0, 1, 2, 3, 4}, mpp.slug
        assert all(h.opens < h.closes for h in mpp.hours)
        assert mpp.tenancies and all(t.counter for t in mpp.tenancies), mpp.slug


def test_sip_dokter_follows_the_nine_day_workflow(loaded):
    sip = _service("sip-dokter")
    assert [step.duration_value for step in sip.steps] == [0, 1, 3, 2, 2, 1, 0]
    assert (sip.duration_value, sip.duration_unit.value) == (9, "hari_kerja")
    assert all(step.actor for step in sip.steps)


def test_counter_only_services_say_why(loaded):
    for slug in ("ktp-el-baru", "sim-a-baru", "skck-baru", "aktivasi-ikd", "paspor-biasa"):
        service = _service(slug)
        assert not service.online_application and service.in_person_note, slug
    assert _service("skck-perpanjangan").online_application


# --- consistency -------------------------------------------------------------------------------------------------


def test_every_service_has_a_complete_standard(loaded):
    for service in db.session.scalars(select(Service)):
        assert service.requirements and service.steps and service.fees, service.slug
        assert service.summary and service.keywords and service.product and service.legal_basis, service.slug
        assert "lapor.go.id" in service.complaint_handling and "1708" in service.complaint_handling
        assert [r.position for r in service.requirements] == list(range(1, len(service.requirements) + 1))
        for requirement in service.requirements:
            is_document = requirement.kind == RequirementKind.DOCUMENT
            assert (requirement.document_type is not None) == is_document, (service.slug, requirement.description)


def test_every_service_is_offered_only_where_its_agency_has_a_counter(loaded):
    for service in db.session.scalars(select(Service)):
        assert service.offerings, service.slug
        for offering in service.offerings:
            tenants = {tenancy.agency_id for tenancy in offering.mpp.tenancies}
            assert service.agency_id in tenants, (service.slug, offering.mpp.slug)
    assert [o.mpp.slug for o in _service("layanan-pmi").offerings] == ["kab-banyumas"]
    assert len(_service("ktp-el-baru").offerings) == 11


def test_popular_services_rank_high(loaded):
    ranked = list(db.session.scalars(select(Service.slug).order_by(Service.popularity.desc()).limit(8)))
    for slug in ("ktp-el-baru", "akta-kelahiran", "kk-perubahan-data", "skck-baru"):
        assert slug in ranked


# --- the command -------------------------------------------------------------------------------------------------


def test_the_cli_command_loads_and_reports(app, runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "11 MPPs" in result.output and "20 services" in result.output

    again = runner.invoke(args=["demo-data"])
    assert "0 rows created, 0 rows updated" in again.output

    skipped = runner.invoke(args=["demo-data", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    with app.app_context():
        assert _count(Service) == 20
