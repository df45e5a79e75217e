"""Data Saya, Dokumen Saya, consent, correction requests and Riwayat akses.

The user row (accounts) only identifies the account; everything personal lives here, so deleting an account is
"delete these rows and files, anonymise the user row".
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..catalog.models import DocumentType
from ..database import UTCDateTime, created_at, int_pk, str_enum, utcnow
from ..extensions import db


class Sex(enum.StrEnum):
    # The two values of "jenis kelamin" on the KTP-el and KK (UU 24/2013 Adminduk).
    MALE = "L"
    FEMALE = "P"


class Religion(enum.StrEnum):
    # The six religions on the KTP-el, plus "Kepercayaan terhadap Tuhan YME" (Putusan MK 97/PUU-XIV/2016).
    ISLAM = "islam"
    KRISTEN = "kristen"
    KATOLIK = "katolik"
    HINDU = "hindu"
    BUDDHA = "buddha"
    KHONGHUCU = "khonghucu"
    KEPERCAYAAN = "kepercayaan"


class MaritalStatus(enum.StrEnum):
    # "Status perkawinan" as printed on the KTP-el and KK.
    BELUM_KAWIN = "belum_kawin"
    KAWIN = "kawin"
    CERAI_HIDUP = "cerai_hidup"
    CERAI_MATI = "cerai_mati"


class Profile(db.Model):
    """Data Saya: entered once, prefilled into every application."""

    __tablename__ = "profile"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    # Not unique: refusing a NIK because "it is already registered" is the complaint we must not recreate, and
    # says to a stranger that the NIK has an account. Officers verify identity against Dukcapil, not us.
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    kk_number: Mapped[str | None] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(120))
    birth_place: Mapped[str | None] = mapped_column(String(80))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, 1))
    religion: Mapped[Religion | None] = mapped_column(str_enum(Religion, 20))
    marital_status: Mapped[MaritalStatus | None] = mapped_column(str_enum(MaritalStatus, 20))
    occupation: Mapped[str | None] = mapped_column(String(80))
    address_street: Mapped[str | None] = mapped_column(String(200))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    kelurahan: Mapped[str | None] = mapped_column(String(80))
    kecamatan: Mapped[str | None] = mapped_column(String(80))
    kabupaten_kota: Mapped[str | None] = mapped_column(String(80))
    province: Mapped[str | None] = mapped_column(String(80))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Document(db.Model):
    """Dokumen Saya: a checked file on disk under a server-chosen name, outside the static folder."""

    __tablename__ = "document"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[DocumentType] = mapped_column(str_enum(DocumentType, 32))
    title: Mapped[str | None] = mapped_column(String(120))  # the citizen's own label, e.g. "KTP lama"
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)  # random; never a name the user chose
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Deleted by the citizen while a submitted application still pins one of its versions: hidden from Dokumen
    # Saya, kept (with only the pinned files) for the officer.
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Whose document it is, when it is a family member's (a child's surat keterangan lahir): Anggota keluarga.
    family_member_id: Mapped[int | None] = mapped_column(ForeignKey("family_member.id", ondelete="SET NULL"))

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(self.content_type, "bin")

    @property
    def download_name(self) -> str:
        """ASCII, built by us: nothing the citizen typed reaches the Content-Disposition header."""
        return f"{self.document_type.value.replace('_', '-')}-{self.id}.{self.extension}"


class DocumentVersion(db.Model):
    """One file a Dokumen Saya document has held, never changed once written (issue 9: evidence cannot be swapped).

    Replacing a document in Dokumen Saya adds a version and points the document at it; a submitted application
    pins the version it was sent with (``SubmittedDocument``), so the officer always opens those exact bytes, with
    their SHA-256. A version nobody pinned is removed when it is replaced — only evidence is kept.
    """

    __tablename__ = "document_version"

    id: Mapped[int_pk]
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[DocumentType] = mapped_column(str_enum(DocumentType, 32))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(self.content_type, "bin")

    @property
    def download_name(self) -> str:
        return f"{self.document_type.value.replace('_', '-')}-{self.document_id}-v{self.id}.{self.extension}"


class SubmittedDocument(db.Model):
    """Which version of which document a submitted application revision was sent with (one row per requirement)."""

    __tablename__ = "submitted_document"

    id: Mapped[int_pk]
    revision_id: Mapped[int] = mapped_column(ForeignKey("application_revision.id", ondelete="CASCADE"), index=True)
    requirement_key: Mapped[str] = mapped_column(String(60))
    document_id: Mapped[int] = mapped_column(Integer)  # as in the revision's ``documents`` map
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("revision_id", "requirement_key"),)


class Consent(db.Model):
    """One grant of consent for one purpose. Withdrawal sets ``withdrawn_at``; a new grant is a new row, so the
    history stays provable (UU 27/2022 Pasal 24: the controller must be able to show the consent it relies on)."""

    __tablename__ = "consent"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CorrectionStatus(enum.StrEnum):
    OPEN = "baru"
    DONE = "selesai"


class CorrectionRequest(db.Model):
    """A request to correct data we hold (UU 27/2022 Pasal 30: done within 3×24 hours)."""

    __tablename__ = "correction_request"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[CorrectionStatus] = mapped_column(str_enum(CorrectionStatus, 10), default=CorrectionStatus.OPEN)
    created_at: Mapped[created_at]
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AccessLog(db.Model):
    """Riwayat akses: every read of a citizen's data or documents by someone other than the citizen."""

    __tablename__ = "access_log"

    id: Mapped[int_pk]
    subject_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Copied, not joined: the log must still say who and in which role after the officer's account changes.
    actor_name: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str] = mapped_column(String(20))
    agency_name: Mapped[str | None] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(45))
    # The time zone of the MPP whose staff read the data, so the entry shows the same clock time as the
    # application's own timeline (None: not tied to an MPP, shown in WIB).
    timezone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[created_at]


class Relationship(enum.StrEnum):
    """How a family member is related to the citizen who lists them (not the KK's "hubungan dengan kepala
    keluarga", which is relative to the head of the family and would say nothing about who may apply)."""

    CHILD = "anak"
    SPOUSE = "pasangan"
    PARENT = "orang_tua"
    SIBLING = "saudara"
    GRANDCHILD = "cucu"
    GRANDPARENT = "kakek_nenek"
    PARENT_IN_LAW = "mertua"
    CHILD_IN_LAW = "menantu"
    OTHER = "lainnya"


class FamilyMember(db.Model):
    """Anggota keluarga: a person the citizen may apply for, entered once (issue 13).

    Owned by the citizen who listed them. ``same_kk``: printed on the same Kartu Keluarga as the citizen — some
    services accept an application only from the family of the same KK (akta kelahiran). The NIK is checked like
    the citizen's own (personal/nik.py); it is not unique across accounts (two parents list the same child).
    """

    __tablename__ = "family_member"

    id: Mapped[int_pk]
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    nik: Mapped[str] = mapped_column(String(16))
    relationship: Mapped[Relationship] = mapped_column(str_enum(Relationship, 20))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(80))
    same_kk: Mapped[bool] = mapped_column(Boolean, default=True)
    # A one-time code the citizen hands to the member so the member can link their own account (argon2-free:
    # random 40 bits + short life + single use; only its SHA-256 is kept).
    link_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_code_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("owner_id", "nik"),)


class FamilyLink(db.Model):
    """A member's own account linked to the entry that describes them — their consent, given with their passkey.

    Revoking keeps the row (``revoked_at``): proof of when the consent held, like ``Consent`` (UU 27/2022 Pasal 24).
    """

    __tablename__ = "family_link"

    id: Mapped[int_pk]
    member_id: Mapped[int] = mapped_column(ForeignKey("family_member.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(10))  # "anggota" (the member) or "pemilik" (the lister)
