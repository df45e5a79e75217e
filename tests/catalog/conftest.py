"""Catalog fixtures: a small hand-made catalog (for page details) and the real demo data (for search)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.catalog.models import (
    Agency,
    DocumentType,
    DurationUnit,
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

T = dt.time


def _weekdays(model, opens, closes, days=range(5)):
    return [model(weekday=day, opens=opens, closes=closes) for day in days]


@pytest.fixture
def small_catalog(app):
    """Two MPPs in two zones; Polres at Samarinda only until 12.00 WITA, Imigrasi in Banyuwangi three days a week."""
    with app.app_context():
        jatim = Region(
            code="3510",
            name="Kabupaten Banyuwangi",
            kind=RegionKind.KABUPATEN,
            province_code="35",
            province_name="Jawa Timur",
        )
        kaltim = Region(
            code="6472",
            name="Kota Samarinda",
            kind=RegionKind.KOTA,
            province_code="64",
            province_name="Kalimantan Timur",
        )
        banyuwangi = Mpp(
            slug="kab-banyuwangi",
            name="MPP Kabupaten Banyuwangi",
            region=jatim,
            address="Jl. Jenderal Ahmad Yani No. 1, Banyuwangi",
            timezone="Asia/Jakarta",
            phone="(0333) 123456",
            hours=_weekdays(MppHours, T(8), T(15, 30), range(4))
            + [MppHours(weekday=4, opens=T(8), closes=T(11)), MppHours(weekday=4, opens=T(13), closes=T(16))],
        )
        samarinda = Mpp(
            slug="kota-samarinda",
            name="MPP Kota Samarinda",
            region=kaltim,
            address="Graha Tepian, Jl. Basuki Rahmat No. 78, Samarinda",
            timezone="Asia/Makassar",
            hours=_weekdays(MppHours, T(8), T(16)),
        )
        disdukcapil = Agency(
            slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil", short_name="Disdukcapil"
        )
        imigrasi = Agency(slug="imigrasi", name="Kantor Imigrasi", short_name="Imigrasi")
        polres = Agency(slug="polres", name="Kepolisian Resor", short_name="Polres")
        db.session.add_all([banyuwangi, samarinda, disdukcapil, imigrasi, polres])
        db.session.add_all(
            [
                Tenancy(mpp=banyuwangi, agency=disdukcapil, counter="Loket 1"),
                Tenancy(mpp=samarinda, agency=disdukcapil, counter="Loket 3"),
                Tenancy(
                    mpp=banyuwangi,
                    agency=imigrasi,
                    counter="Loket 7",
                    hours=_weekdays(TenancyHours, T(8), T(14), (0, 2, 4)),
                    note="Kuota 50 pemohon per hari.",
                ),
                Tenancy(mpp=samarinda, agency=polres, counter="Loket SIM", hours=_weekdays(TenancyHours, T(8), T(12))),
            ]
        )
        ktp = Service(
            slug="ktp-el-baru",
            name="Penerbitan KTP-el Baru",
            agency=disdukcapil,
            popularity=100,
            summary="KTP elektronik untuk penduduk yang berusia 17 tahun atau sudah menikah.",
            keywords="e-ktp, ktp elektronik, kartu tanda penduduk",
            duration_text="Perekaman di tempat; cetak 1 hari kerja",
            duration_value=1,
            duration_unit=DurationUnit.WORKING_DAYS,
            product="KTP-el",
            complaint_handling="Loket pengaduan Disdukcapil atau SP4N-LAPOR!",
            legal_basis="UU 24/2013 tentang Administrasi Kependudukan\nPerpres 96/2018",
            online_application=False,
            in_person_note="Perekaman sidik jari, iris mata dan foto wajib dilakukan langsung di loket.",
            requirements=[
                Requirement(
                    position=1, kind=RequirementKind.CONDITION, description="Berusia 17 tahun atau sudah/pernah menikah"
                ),
                Requirement(
                    position=2,
                    kind=RequirementKind.DOCUMENT,
                    document_type=DocumentType.KK,
                    description="Fotokopi Kartu Keluarga",
                ),
                Requirement(position=3, kind=RequirementKind.IN_PERSON, description="Perekaman biometrik"),
            ],
            steps=[
                ProcedureStep(
                    position=1,
                    title="Ambil antrean",
                    actor="Pemohon",
                    duration_value=5,
                    duration_unit=DurationUnit.MINUTES,
                ),
                ProcedureStep(
                    position=2,
                    title="Perekaman biometrik",
                    actor="Petugas Disdukcapil",
                    duration_value=15,
                    duration_unit=DurationUnit.MINUTES,
                ),
                ProcedureStep(
                    position=3,
                    title="Pencetakan",
                    actor="Petugas Disdukcapil",
                    duration_value=1,
                    duration_unit=DurationUnit.WORKING_DAYS,
                ),
            ],
            fees=[ServiceFee(label="Penerbitan KTP-el", amount=0, legal_basis="UU 24/2013 Pasal 79A")],
        )
        akta = Service(
            slug="akta-kelahiran",
            name="Akta Kelahiran",
            agency=disdukcapil,
            popularity=80,
            summary="Pencatatan kelahiran dan penerbitan kutipan akta kelahiran.",
            keywords="akte lahir",
            duration_text="1×24 jam",
            product="Kutipan akta kelahiran",
            complaint_handling="SP4N-LAPOR!",
            legal_basis="UU 24/2013",
            requirements=[
                Requirement(
                    position=1,
                    kind=RequirementKind.DOCUMENT,
                    document_type=DocumentType.SURAT_KETERANGAN_LAHIR,
                    description="Surat keterangan lahir dari bidan atau rumah sakit",
                ),
                Requirement(
                    position=2,
                    kind=RequirementKind.DOCUMENT,
                    document_type=DocumentType.BUKU_NIKAH,
                    description="Buku nikah orang tua",
                    required=False,
                ),
            ],
        )
        paspor = Service(
            slug="paspor-biasa",
            name="Pembuatan Paspor Biasa",
            agency=imigrasi,
            popularity=90,
            summary="Paspor biasa untuk perjalanan ke luar negeri.",
            keywords="passport, m-paspor",
            duration_text="4 hari kerja",
            duration_value=4,
            duration_unit=DurationUnit.WORKING_DAYS,
            product="Paspor",
            complaint_handling="Pengaduan Kantor Imigrasi",
            legal_basis="PP 45/2024",
            standard_reference="SK Kakanim 12/2025",
            standard_effective_from=dt.date(2025, 1, 2),
            requirements=[
                Requirement(
                    position=1, kind=RequirementKind.DOCUMENT, document_type=DocumentType.KTP, description="KTP-el asli"
                ),
                Requirement(
                    position=2,
                    kind=RequirementKind.DOCUMENT,
                    document_type=DocumentType.AKTA_KELAHIRAN,
                    description="Akta kelahiran, ijazah atau buku nikah",
                ),
            ],
            fees=[
                ServiceFee(
                    position=1,
                    label="Paspor non-elektronik 5 tahun",
                    amount=350000,
                    legal_basis="PP 45/2024",
                    effective_from=dt.date(2024, 12, 17),
                ),
                ServiceFee(
                    position=2,
                    label="Paspor elektronik 10 tahun",
                    amount=950000,
                    legal_basis="PP 45/2024",
                    effective_from=dt.date(2024, 12, 17),
                ),
            ],
        )
        sim = Service(
            slug="sim-c-perpanjangan",
            name="Perpanjangan SIM C",
            agency=polres,
            popularity=70,
            summary="Perpanjangan surat izin mengemudi golongan C.",
            duration_text="Selesai hari itu juga",
            product="SIM C",
            complaint_handling="Propam",
            legal_basis="PP 76/2020",
            requirements=[
                Requirement(
                    position=1, kind=RequirementKind.DOCUMENT, document_type=DocumentType.SIM, description="SIM C lama"
                )
            ],
            fees=[ServiceFee(label="Perpanjangan SIM C", amount=75000, legal_basis="PP 76/2020")],
        )
        db.session.add_all([ktp, akta, paspor, sim])
        db.session.add_all(
            [
                ServiceOffering(service=ktp, mpp=banyuwangi),
                ServiceOffering(service=ktp, mpp=samarinda),
                ServiceOffering(service=akta, mpp=banyuwangi),
                ServiceOffering(service=paspor, mpp=banyuwangi),
                ServiceOffering(service=sim, mpp=samarinda),
            ]
        )
        db.session.commit()
        yield
        db.session.remove()


@pytest.fixture
def demo_catalog(app, demo_data):
    """The real demo data (the 20 services and pilot MPPs of domain.md §4), restored from the session snapshot."""
    with app.app_context():
        yield
        db.session.remove()
