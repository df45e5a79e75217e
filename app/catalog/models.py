"""Catalog models.

A *Standar Pelayanan* (UU 25/2009 Pasal 21, PermenPANRB 15/2014) has 14 components; the six "service delivery"
ones must be published, and they are what a citizen needs: persyaratan, prosedur, jangka waktu, biaya/tarif,
produk, penanganan pengaduan. Dasar hukum is kept too. Each is modelled as data here, never as template text.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..database import created_at, int_pk, str_enum, str_slug
from ..extensions import db


class RegionKind(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class Region(db.Model):
    """A kabupaten or kota, identified by its Kemendagri/BPS code (e.g. 3510 Kab. Banyuwangi, 7471 Kota Kendari)."""

    __tablename__ = "region"

    id: Mapped[int_pk]
    code: Mapped[str] = mapped_column(String(4), unique=True)  # PP KK; 01–69 kabupaten, 71–99 kota
    name: Mapped[str] = mapped_column(String(120))  # "Kabupaten Banyuwangi"
    kind: Mapped[RegionKind] = mapped_column(str_enum(RegionKind, 16))
    province_code: Mapped[str] = mapped_column(String(2))
    province_name: Mapped[str] = mapped_column(String(120))

    mpps: Mapped[list[Mpp]] = relationship(back_populates="region")


class Mpp(db.Model):
    """One Mal Pelayanan Publik. Times are shown in its own zone (WIB/WITA/WIT)."""

    __tablename__ = "mpp"

    id: Mapped[int_pk]
    slug: Mapped[str_slug]
    name: Mapped[str] = mapped_column(String(160))  # "MPP Kota Kendari"
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(32))  # Asia/Jakarta | Asia/Makassar | Asia/Jayapura
    phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_at]

    region: Mapped[Region] = relationship(back_populates="mpps")
    hours: Mapped[list[MppHours]] = relationship(
        back_populates="mpp", cascade="all, delete-orphan", order_by="(MppHours.weekday, MppHours.opens)"
    )
    tenancies: Mapped[list[Tenancy]] = relationship(back_populates="mpp", cascade="all, delete-orphan")
    offerings: Mapped[list[ServiceOffering]] = relationship(back_populates="mpp", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("timezone IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')", name="indonesian_timezone"),
    )


class WeeklyHours:
    """One opening period on one weekday (0 = Senin … 6 = Minggu), in local wall-clock time of the MPP's zone: the
    shape the building's hours and a counter's own hours share, and all catalog/hours.py reads. No row: closed."""

    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
            CheckConstraint("opens < closes", name="opens_before_closes"),
        )


class MppHours(WeeklyHours, db.Model):
    """Opening hours of the MPP building."""

    __tablename__ = "mpp_hours"

    id: Mapped[int_pk]
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)

    mpp: Mapped[Mpp] = relationship(back_populates="hours")


class Agency(db.Model):
    """An instansi: Disdukcapil, Kantor Imigrasi, Polres, Samsat, BPJS Kesehatan…"""

    __tablename__ = "agency"

    id: Mapped[int_pk]
    slug: Mapped[str_slug]
    name: Mapped[str] = mapped_column(String(200))  # "Dinas Kependudukan dan Pencatatan Sipil"
    short_name: Mapped[str] = mapped_column(String(60))  # "Disdukcapil"
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(200))

    services: Mapped[list[Service]] = relationship(back_populates="agency", order_by="Service.name")
    tenancies: Mapped[list[Tenancy]] = relationship(back_populates="agency")


class Tenancy(db.Model):
    """An agency serving at an MPP, at its own counter and on its own days and hours.

    Some tenants keep shorter hours than the building (Samarinda: SIM and KPP Pratama only until 12.00 WITA;
    BPOM three days a week). A tenancy with no hours rows keeps the MPP's own hours.
    """

    __tablename__ = "tenancy"

    id: Mapped[int_pk]
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    counter: Mapped[str | None] = mapped_column(String(60))  # "Loket 12"
    note: Mapped[str | None] = mapped_column(Text)

    mpp: Mapped[Mpp] = relationship(back_populates="tenancies")
    agency: Mapped[Agency] = relationship(back_populates="tenancies")
    hours: Mapped[list[TenancyHours]] = relationship(
        back_populates="tenancy",
        cascade="all, delete-orphan",
        order_by="(TenancyHours.weekday, TenancyHours.opens)",
    )

    __table_args__ = (UniqueConstraint("mpp_id", "agency_id"),)


class TenancyHours(WeeklyHours, db.Model):
    """A counter's own hours, when they differ from the building's (catalog/hours.py ``effective_hours``)."""

    __tablename__ = "tenancy_hours"

    id: Mapped[int_pk]
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)

    tenancy: Mapped[Tenancy] = relationship(back_populates="hours")


class DocumentType(enum.StrEnum):
    """Document kinds a citizen keeps in Dokumen Saya; requirements point at them so uploads are reused."""

    KTP = "ktp"
    KK = "kk"
    AKTA_KELAHIRAN = "akta_kelahiran"
    PAS_FOTO = "pas_foto"
    IJAZAH = "ijazah"
    BUKU_NIKAH = "buku_nikah"
    STNK = "stnk"
    BPKB = "bpkb"
    SIM = "sim"
    SKCK = "skck"
    PASPOR = "paspor"
    STR = "str"
    SURAT_KETERANGAN_SEHAT = "surat_keterangan_sehat"
    SURAT_KEHILANGAN = "surat_kehilangan"
    SURAT_PINDAH = "surat_pindah"
    SURAT_KETERANGAN_LAHIR = "surat_keterangan_lahir"
    LAINNYA = "lainnya"


class RequirementKind(enum.StrEnum):
    DOCUMENT = "dokumen"  # a document to show or upload (maps to a DocumentType)
    CONDITION = "syarat"  # an eligibility condition ("berusia 17 tahun atau sudah/pernah menikah")
    IN_PERSON = "hadir"  # something only possible at the counter (biometric recording, fingerprints)


class DurationUnit(enum.StrEnum):
    MINUTES = "menit"
    HOURS = "jam"
    WORKING_DAYS = "hari_kerja"
    DAYS = "hari"


class Service(db.Model):
    """A layanan and its published Standar Pelayanan."""

    __tablename__ = "service"

    id: Mapped[int_pk]
    slug: Mapped[str_slug]
    name: Mapped[str] = mapped_column(String(200))  # "Pembuatan Paspor Biasa"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    # What citizens type for it besides the name: "e-ktp, ktp elektronik, kartu tanda penduduk".
    keywords: Mapped[str] = mapped_column(Text, default="")
    # Derived, normalised and stemmed text that search matches against (see catalog/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")
    popularity: Mapped[int] = mapped_column(Integer, default=0)

    # (3) Jangka waktu: machine value for SLA and a text as published ("1×24 jam", "5 hari kerja").
    duration_value: Mapped[int | None] = mapped_column(Integer)
    duration_unit: Mapped[DurationUnit | None] = mapped_column(str_enum(DurationUnit, 16))
    duration_text: Mapped[str] = mapped_column(String(200))
    # (4) Biaya/tarif: rows in ServiceFee; a note for fees that depend on the case (PKB by vehicle value).
    fee_note: Mapped[str | None] = mapped_column(Text)
    # (5) Produk pelayanan.
    product: Mapped[str] = mapped_column(Text)
    # (6) Penanganan pengaduan, saran dan masukan.
    complaint_handling: Mapped[str] = mapped_column(Text)
    # (7) Dasar hukum.
    legal_basis: Mapped[str] = mapped_column(Text)
    # The decree that set this standard (versioned by SK).
    standard_reference: Mapped[str | None] = mapped_column(String(200))
    standard_effective_from: Mapped[dt.date | None] = mapped_column(Date)

    # Can the application be made online, or must the citizen come to the counter (biometrics, tests)?
    online_application: Mapped[bool] = mapped_column(Boolean, default=True)
    in_person_note: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship(back_populates="services")
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Requirement.position"
    )
    steps: Mapped[list[ProcedureStep]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ProcedureStep.position"
    )
    fees: Mapped[list[ServiceFee]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceFee.position"
    )
    offerings: Mapped[list[ServiceOffering]] = relationship(back_populates="service", cascade="all, delete-orphan")

    @property
    def is_free(self) -> bool:
        return not self.fee_note and all(fee.amount == 0 for fee in self.fees)


class Requirement(db.Model):
    """(1) Persyaratan: one item of the ordered, typed list."""

    __tablename__ = "requirement"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[RequirementKind] = mapped_column(str_enum(RequirementKind, 16))
    document_type: Mapped[DocumentType | None] = mapped_column(str_enum(DocumentType, 32))
    description: Mapped[str] = mapped_column(Text)  # "Fotokopi Kartu Keluarga"
    note: Mapped[str | None] = mapped_column(Text)  # "berlatar merah, 3 lembar"
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship(back_populates="requirements")


class ProcedureStep(db.Model):
    """(2) Prosedur: ordered steps, each with who does it and its own time limit (the per-step SLA)."""

    __tablename__ = "procedure_step"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))  # "Pemohon", "Petugas Disdukcapil"
    duration_value: Mapped[int] = mapped_column(Integer, default=0)
    duration_unit: Mapped[DurationUnit] = mapped_column(str_enum(DurationUnit, 16), default=DurationUnit.WORKING_DAYS)

    service: Mapped[Service] = relationship(back_populates="steps")


class ServiceFee(db.Model):
    """(4) Biaya/tarif: an amount in rupiah with its legal basis and the date it took effect. 0 means Gratis."""

    __tablename__ = "service_fee"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))  # "Paspor elektronik, masa berlaku 10 tahun"
    amount: Mapped[int] = mapped_column(Integer)  # whole rupiah
    legal_basis: Mapped[str] = mapped_column(String(300))  # "PP 45/2024"
    effective_from: Mapped[dt.date | None] = mapped_column(Date)

    service: Mapped[Service] = relationship(back_populates="fees")

    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)


class ServiceOffering(db.Model):
    """Which MPPs offer a service. The counter and its hours come from the agency's tenancy at that MPP."""

    __tablename__ = "service_offering"

    id: Mapped[int_pk]
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    mpp_id: Mapped[int] = mapped_column(ForeignKey("mpp.id", ondelete="CASCADE"), index=True)

    service: Mapped[Service] = relationship(back_populates="offerings")
    mpp: Mapped[Mpp] = relationship(back_populates="offerings")

    __table_args__ = (UniqueConstraint("service_id", "mpp_id"),)
