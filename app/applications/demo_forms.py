"""Seeded application forms for every demo service (domain.md §4.2), and this year's cuti bersama.

``load_demo_form_definitions()`` is idempotent: a service whose latest form already equals the seed is left alone;
a changed seed becomes a new version (drafts in progress are migrated by drafts.py, never broken).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ..catalog.models import Service
from ..extensions import db
from .document_slots import with_documents_of
from .formdefs import MEMBER_ONLY, REPORTER, build_definition, field, step
from .models import CollectiveLeave, FormDefinition

# --- shared building blocks ------------------------------------------------------------------------------------

SEX = [("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female")]


def applicant_step(person: str | None = None) -> dict:
    """The person the application is about — or, with ``person=REPORTER``, the one who applies (akta kelahiran:
    the parent reporting the birth), always the signed-in citizen."""
    return step(
        "pemohon",
        ("Data pemohon", "Applicant"),
        field(
            "nik",
            "nik",
            ("NIK", "NIK (national identity number)"),
            prefill="nik",
            person=person,
            help=("16 angka, tertera di KTP-el.", "16 digits, printed on the KTP-el."),
        ),
        field(
            "nama",
            "text",
            ("Nama lengkap", "Full name"),
            prefill="full_name",
            person=person,
            help=("Sesuai KTP-el.", "As on the KTP-el."),
        ),
        field("tempat_lahir", "text", ("Tempat lahir", "Place of birth"), prefill="birth_place", person=person),
        field(
            "tanggal_lahir",
            "date",
            ("Tanggal lahir", "Date of birth"),
            prefill="birth_date",
            person=person,
            past=True,
        ),
        field("jenis_kelamin", "choice", ("Jenis kelamin", "Sex"), prefill="sex", person=person, choices=SEX),
    )


def contact_step() -> dict:
    return step(
        "alamat",
        ("Alamat dan kontak", "Address and contact"),
        field("alamat", "address", ("Alamat sesuai KTP-el", "Address as on the KTP-el"), prefill="address"),
        field(
            "no_hp",
            "phone",
            ("Nomor HP", "Mobile number"),
            prefill="phone",
            person=REPORTER,  # updates go to whoever applies
            help=("Untuk kabar permohonan, misalnya 081234567890.", "For updates, e.g. 081234567890."),
        ),
    )


def form(title: tuple[str, str], *service_steps: dict) -> dict:
    """A form's fields. Its documents are not listed here: they are the service's document persyaratan in the
    catalog (document_slots.py), added when the form is loaded."""
    return build_definition(title, [applicant_step(), contact_step(), *service_steps])


def reporter_form(title: tuple[str, str], *service_steps: dict) -> dict:
    """A form whose "Data pemohon" is whoever applies (the reporter); the subject's data is in its own steps."""
    return build_definition(title, [applicant_step(REPORTER), contact_step(), *service_steps])


# Who may apply for whom (on_behalf.py); a service not listed is for the person themself only — SKCK (police
# records are personal), SIM (tests in person), IKD (one's own phone and face), licences, marriage, work.
FOR_WHOM = {
    "ktp-el-baru": "satu_kk",
    "ktp-el-hilang-rusak": "satu_kk",
    "kk-perubahan-data": "satu_kk",
    "akta-kelahiran": "orang_tua_atau_satu_kk",
    "pindah-datang": "satu_kk",
    "paspor-biasa": "keluarga",
    "pajak-kendaraan-tahunan": "keluarga",
    "stnk-lima-tahunan": "keluarga",
    "bpjs-kesehatan-mandiri": "keluarga",
}


def yes_no(key: str, label: tuple[str, str], **kwargs) -> dict:
    return field(key, "yes_no", label, **kwargs)


def _forms() -> dict[str, dict]:
    return {
        "ktp-el-baru": form(
            ("Permohonan KTP-el baru", "New KTP-el application"),
            step(
                "syarat",
                ("Persyaratan", "Eligibility"),
                field(
                    "status_kawin",
                    "choice",
                    ("Status perkawinan", "Marital status"),
                    choices=[
                        ("belum_kawin", "Belum kawin", "Not married"),
                        ("kawin", "Kawin", "Married"),
                        ("cerai_hidup", "Cerai hidup", "Divorced"),
                        ("cerai_mati", "Cerai mati", "Widowed"),
                    ],
                    help=(
                        "KTP-el untuk yang berusia 17 tahun atau sudah/pernah kawin.",
                        "For people aged 17 or who are or have been married.",
                    ),
                ),
                yes_no(
                    "sudah_rekam",
                    ("Sudah pernah perekaman biometrik?", "Biometrics already recorded?"),
                    help=(
                        "Jika belum, Anda perlu datang ke MPP untuk foto, sidik jari dan iris.",
                        "If not, you must come to the MPP for photo, fingerprints and iris.",
                    ),
                ),
            ),
        ),
        "ktp-el-hilang-rusak": form(
            ("Penggantian KTP-el hilang atau rusak", "Replacing a lost or damaged KTP-el"),
            step(
                "kejadian",
                ("Apa yang terjadi", "What happened"),
                field(
                    "alasan",
                    "choice",
                    ("Alasan penggantian", "Reason"),
                    choices=[("hilang", "Hilang", "Lost"), ("rusak", "Rusak", "Damaged")],
                ),
                field("tanggal_kejadian", "date", ("Tanggal hilang/rusak", "Date lost or damaged"), past=True),
            ),
            step(
                "keterangan",
                ("Keterangan", "Details"),
                field(
                    "nomor_laporan",
                    "text",
                    ("Nomor surat keterangan kehilangan dari kepolisian", "Police loss report number"),
                    show_when=("alasan", "hilang"),
                ),
                field("keterangan", "long_text", ("Keterangan tambahan", "Other details"), required=False),
            ),
        ),
        "kk-perubahan-data": form(
            ("Perubahan data Kartu Keluarga", "Changing family card data"),
            step(
                "perubahan",
                ("Perubahan", "The change"),
                field("no_kk", "kk", ("Nomor KK", "Family card number"), prefill="kk_number"),
                field(
                    "jenis_perubahan",
                    "choice",
                    ("Jenis perubahan", "Kind of change"),
                    choices=[
                        ("tambah_anggota", "Penambahan anggota keluarga", "Adding a family member"),
                        ("pisah_kk", "Pisah KK", "Splitting the family card"),
                        ("ubah_biodata", "Perubahan biodata anggota", "Correcting a member's data"),
                        ("ubah_alamat", "Perubahan alamat", "Change of address"),
                    ],
                ),
                field(
                    "uraian",
                    "long_text",
                    ("Uraian perubahan", "Describe the change"),
                    help=(
                        "Contoh: menambahkan anak kedua, Budi, lahir 3 Mei 2026.",
                        "For example: adding our second child, Budi, born 3 May 2026.",
                    ),
                ),
            ),
        ),
        # The parent (or family on the same KK) reports the birth: "Data pemohon" is the reporter, the child the
        # subject (Perpres 96/2018 Pasal 33).
        "akta-kelahiran": reporter_form(
            ("Permohonan akta kelahiran", "Birth certificate application"),
            step(
                "anak",
                ("Data anak", "The child"),
                field("nama_anak", "text", ("Nama anak", "Child's name"), prefill="full_name", person=MEMBER_ONLY),
                field(
                    "tanggal_lahir_anak",
                    "date",
                    ("Tanggal lahir anak", "Child's date of birth"),
                    prefill="birth_date",
                    person=MEMBER_ONLY,
                    past=True,
                ),
                field(
                    "tempat_lahir_anak",
                    "text",
                    ("Tempat lahir anak", "Child's place of birth"),
                    prefill="birth_place",
                    person=MEMBER_ONLY,
                ),
                field(
                    "jenis_kelamin_anak",
                    "choice",
                    ("Jenis kelamin anak", "Child's sex"),
                    prefill="sex",
                    person=MEMBER_ONLY,
                    choices=SEX,
                ),
                field(
                    "anak_ke",
                    "number",
                    ("Anak ke berapa?", "Which child is this (birth order)?"),
                    min=1,
                    max=30,
                    help=(
                        "Tulis dengan angka, misalnya 1 untuk anak pertama.",
                        "A number, e.g. 1 for the first child.",
                    ),
                    message=(
                        "Tulis urutan kelahiran dengan angka, misalnya 1.",
                        "Write the birth order as a number, for example 1.",
                    ),
                ),
            ),
            step(
                "orang-tua",
                ("Orang tua", "Parents"),
                field("nama_ayah", "text", ("Nama ayah", "Father's name"), required=False),
                field("nama_ibu", "text", ("Nama ibu", "Mother's name")),
                yes_no(
                    "tercatat_nikah",
                    ("Pernikahan orang tua tercatat?", "Parents' marriage registered?"),
                    help=(
                        "Jika tidak, Anda mengisi SPTJM dengan 2 orang saksi.",
                        "If not, you sign an SPTJM statement with 2 witnesses.",
                    ),
                ),
            ),
            step(
                "pernikahan",
                ("Pernikahan orang tua", "Parents' marriage"),
                field(
                    "nomor_akta_nikah",
                    "text",
                    ("Nomor buku nikah/akta perkawinan", "Marriage book/certificate number"),
                    show_when=("tercatat_nikah", "ya"),
                ),
                field(
                    "nama_saksi",
                    "long_text",
                    ("Nama dua orang saksi", "Names of two witnesses"),
                    show_when=("tercatat_nikah", "tidak"),
                ),
            ),
        ),
        "aktivasi-ikd": form(
            ("Aktivasi Identitas Kependudukan Digital", "Activating the digital ID (IKD)"),
            step(
                "perangkat",
                ("Perangkat", "Your phone"),
                field(
                    "email",
                    "text",
                    ("Alamat e-mail untuk kode aktivasi", "E-mail for the activation code"),
                    prefill="email",
                    max_length=254,
                ),
                field(
                    "sistem_hp",
                    "choice",
                    ("Sistem operasi HP", "Phone operating system"),
                    choices=[
                        ("android", "Android 8 atau lebih baru", "Android 8 or newer"),
                        ("ios", "iOS 11 atau lebih baru", "iOS 11 or newer"),
                    ],
                ),
            ),
        ),
        "pindah-datang": form(
            ("Pindah datang (SKPWNI)", "Registering a move (SKPWNI)"),
            step(
                "kepindahan",
                ("Kepindahan", "The move"),
                field("nomor_skpwni", "text", ("Nomor SKPWNI dari daerah asal", "SKPWNI number from the old region")),
                field(
                    "jumlah_pindah",
                    "number",
                    ("Jumlah anggota keluarga yang pindah", "Family members moving"),
                    min=1,
                    max=20,
                ),
                field("alamat_tujuan", "address", ("Alamat tujuan", "New address")),
            ),
        ),
        "nib-perseorangan": form(
            ("Nomor Induk Berusaha perseorangan", "Business identification number (NIB)"),
            step(
                "usaha",
                ("Usaha", "The business"),
                field("nama_usaha", "text", ("Nama usaha", "Business name")),
                field(
                    "kbli",
                    "text",
                    ("Kode KBLI 2020", "KBLI 2020 code"),
                    max_length=5,
                    help=("5 angka, misalnya 56102 untuk warung makan.", "5 digits, e.g. 56102 for a food stall."),
                ),
                field("modal_usaha", "number", ("Modal usaha (rupiah)", "Capital (rupiah)"), min=0),
                field("alamat_usaha", "address", ("Alamat usaha", "Business address")),
            ),
        ),
        "sip-bidan": form(
            ("Surat Izin Praktik Bidan", "Midwife practice licence"),
            step(
                "praktik",
                ("Praktik", "Practice"),
                field("nomor_str", "text", ("Nomor STR", "Registration (STR) number")),
                field("tempat_praktik", "text", ("Nama fasilitas pelayanan kesehatan", "Health facility")),
                field("alamat_praktik", "address", ("Alamat tempat praktik", "Practice address")),
            ),
        ),
        "sip-dokter": form(
            ("Surat Izin Praktik Dokter", "Doctor practice licence"),
            step(
                "praktik",
                ("Praktik", "Practice"),
                field(
                    "jenis_dokter",
                    "choice",
                    ("Jenis dokter", "Kind of doctor"),
                    choices=[
                        ("umum", "Dokter umum", "General practitioner"),
                        ("spesialis", "Dokter spesialis", "Specialist"),
                        ("gigi", "Dokter gigi", "Dentist"),
                    ],
                ),
                field("nomor_str", "text", ("Nomor STR", "Registration (STR) number")),
                field("tempat_praktik", "text", ("Nama fasilitas pelayanan kesehatan", "Health facility")),
                field("alamat_praktik", "address", ("Alamat tempat praktik", "Practice address")),
            ),
        ),
        "paspor-biasa": form(
            ("Permohonan paspor biasa", "Ordinary passport application"),
            step(
                "paspor",
                ("Paspor", "Passport"),
                field(
                    "jenis_paspor",
                    "choice",
                    ("Jenis paspor", "Passport type"),
                    choices=[
                        ("non_elektronik_5", "Non-elektronik, 5 tahun", "Non-electronic, 5 years"),
                        ("non_elektronik_10", "Non-elektronik, 10 tahun", "Non-electronic, 10 years"),
                        ("elektronik_5", "Elektronik, 5 tahun", "Electronic, 5 years"),
                        ("elektronik_10", "Elektronik, 10 tahun", "Electronic, 10 years"),
                    ],
                ),
                field(
                    "tujuan",
                    "choice",
                    ("Tujuan perjalanan", "Purpose of travel"),
                    choices=[
                        ("wisata", "Wisata", "Holiday"),
                        ("ibadah", "Ibadah (umrah/haji)", "Pilgrimage"),
                        ("studi", "Studi", "Study"),
                        ("kerja", "Bekerja", "Work"),
                    ],
                ),
                yes_no("pernah_paspor", ("Pernah memiliki paspor?", "Had a passport before?")),
            ),
            step(
                "paspor-lama",
                ("Paspor lama", "Previous passport"),
                field(
                    "nomor_paspor_lama",
                    "text",
                    ("Nomor paspor lama", "Previous passport number"),
                    show_when=("pernah_paspor", "ya"),
                ),
                field("catatan", "long_text", ("Catatan untuk petugas", "Note for the officer"), required=False),
            ),
        ),
        "skck-baru": form(
            ("Permohonan SKCK baru", "New police clearance (SKCK)"),
            step(
                "keperluan",
                ("Keperluan", "Purpose"),
                field(
                    "keperluan",
                    "text",
                    ("Keperluan SKCK", "What the SKCK is for"),
                    help=("Misalnya melamar pekerjaan.", "For example a job application."),
                ),
                field("pekerjaan", "text", ("Pekerjaan saat ini", "Current occupation")),
            ),
        ),
        "skck-perpanjangan": form(
            ("Perpanjangan SKCK", "Renewing a police clearance (SKCK)"),
            step(
                "skck-lama",
                ("SKCK lama", "Previous SKCK"),
                field("nomor_skck_lama", "text", ("Nomor SKCK lama", "Previous SKCK number")),
                field(
                    "berlaku_sampai",
                    "date",
                    ("Berlaku sampai", "Valid until"),
                    past=True,
                    help=(
                        "Perpanjangan paling lambat 1 tahun setelah habis masa berlaku.",
                        "Renew within 1 year after it expired.",
                    ),
                ),
                field("keperluan", "text", ("Keperluan SKCK", "What the SKCK is for")),
            ),
        ),
        "sim-a-baru": form(
            ("Permohonan SIM A baru", "New car driving licence (SIM A)"),
            step(
                "ujian",
                ("Ujian", "Tests"),
                yes_no("sudah_tes_kesehatan", ("Sudah memiliki surat keterangan sehat?", "Have a health certificate?")),
                yes_no("sudah_tes_psikologi", ("Sudah lulus tes psikologi?", "Passed the psychology test?")),
            ),
        ),
        "sim-c-perpanjangan": form(
            ("Perpanjangan SIM C", "Renewing a motorcycle licence (SIM C)"),
            step(
                "sim-lama",
                ("SIM lama", "Current licence"),
                field("nomor_sim", "text", ("Nomor SIM", "Licence number")),
                field("berlaku_sampai", "date", ("Berlaku sampai", "Valid until")),
            ),
        ),
        "pajak-kendaraan-tahunan": form(
            ("Pajak kendaraan tahunan", "Annual vehicle tax"),
            step(
                "kendaraan",
                ("Kendaraan", "Vehicle"),
                field(
                    "nomor_polisi",
                    "text",
                    ("Nomor polisi", "Registration plate"),
                    max_length=12,
                    help=("Misalnya DT 1234 AB.", "For example DT 1234 AB."),
                ),
                field(
                    "jenis_kendaraan",
                    "choice",
                    ("Jenis kendaraan", "Vehicle type"),
                    choices=[("r2", "Roda dua", "Motorcycle"), ("r4", "Roda empat", "Car")],
                ),
            ),
        ),
        "stnk-lima-tahunan": form(
            ("Penggantian STNK lima tahunan", "Five-yearly STNK renewal"),
            step(
                "kendaraan",
                ("Kendaraan", "Vehicle"),
                field("nomor_polisi", "text", ("Nomor polisi", "Registration plate"), max_length=12),
                field(
                    "jenis_kendaraan",
                    "choice",
                    ("Jenis kendaraan", "Vehicle type"),
                    choices=[("r2", "Roda dua", "Motorcycle"), ("r4", "Roda empat", "Car")],
                ),
                yes_no("ganti_pemilik", ("Ganti nama pemilik?", "Change of owner?")),
            ),
        ),
        "bpjs-kesehatan-mandiri": form(
            ("Pendaftaran BPJS Kesehatan mandiri", "Self-registration for BPJS Kesehatan"),
            step(
                "kepesertaan",
                ("Kepesertaan", "Membership"),
                field(
                    "kelas",
                    "choice",
                    ("Kelas rawat", "Care class"),
                    choices=[
                        ("1", "Kelas I", "Class I"),
                        ("2", "Kelas II", "Class II"),
                        ("3", "Kelas III", "Class III"),
                    ],
                ),
                field(
                    "jumlah_anggota",
                    "number",
                    ("Jumlah anggota keluarga yang didaftarkan", "Family members to register"),
                    min=1,
                    max=15,
                    help=(
                        "Semua anggota dalam satu KK wajib didaftarkan.",
                        "Everyone on the family card must be registered.",
                    ),
                ),
                field(
                    "email",
                    "text",
                    ("Alamat e-mail", "E-mail address"),
                    prefill="email",
                    person=REPORTER,
                    max_length=254,
                ),
            ),
        ),
        "pendaftaran-nikah": form(
            ("Pendaftaran nikah", "Marriage registration"),
            step(
                "calon",
                ("Calon pasangan", "Your partner"),
                field("nama_pasangan", "text", ("Nama calon pasangan", "Partner's name")),
                field("nik_pasangan", "nik", ("NIK calon pasangan", "Partner's NIK")),
            ),
            step(
                "akad",
                ("Akad nikah", "The ceremony"),
                field(
                    "tanggal_akad",
                    "date",
                    ("Tanggal akad", "Ceremony date"),
                    future=True,
                    help=(
                        "Daftar paling lambat 10 hari kerja sebelumnya.",
                        "Register at least 10 working days before.",
                    ),
                ),
                field(
                    "tempat_akad",
                    "choice",
                    ("Tempat akad", "Place"),
                    choices=[
                        ("kua", "Di KUA, jam kerja (gratis)", "At the KUA in office hours (free)"),
                        ("luar_kua", "Di luar KUA (Rp600.000)", "Elsewhere (Rp600.000)"),
                    ],
                ),
            ),
        ),
        "kartu-pencari-kerja": form(
            ("Kartu pencari kerja (AK/I)", "Job seeker card (AK/I)"),
            step(
                "pendidikan",
                ("Pendidikan dan keahlian", "Education and skills"),
                field(
                    "pendidikan",
                    "choice",
                    ("Pendidikan terakhir", "Highest education"),
                    choices=[
                        ("sd", "SD", "Primary"),
                        ("smp", "SMP", "Junior secondary"),
                        ("sma", "SMA/SMK", "Senior secondary"),
                        ("diploma", "Diploma", "Diploma"),
                        ("s1", "S1 atau lebih tinggi", "Bachelor or higher"),
                    ],
                ),
                field("jurusan", "text", ("Jurusan", "Major"), required=False),
                field("keahlian", "long_text", ("Keahlian dan pengalaman kerja", "Skills and work experience")),
            ),
        ),
        "layanan-pmi": form(
            ("Layanan Pekerja Migran Indonesia", "Indonesian migrant worker services"),
            step(
                "penempatan",
                ("Rencana penempatan", "Planned placement"),
                field("negara_tujuan", "text", ("Negara tujuan", "Destination country")),
                field("jenis_pekerjaan", "text", ("Jenis pekerjaan", "Kind of work")),
                yes_no("sudah_pelatihan", ("Sudah mengikuti pelatihan kerja?", "Completed job training?")),
            ),
        ),
    }


# Cuti bersama 2026 as set by the SKB of the Minister of Religious Affairs, the Minister of Manpower and the
# MenPANRB. [U] Check against the signed SKB before production; admins correct this table, not the code.
CUTI_BERSAMA_2026 = [
    (dt.date(2026, 2, 16), "Cuti bersama Tahun Baru Imlek"),
    (dt.date(2026, 3, 18), "Cuti bersama Hari Suci Nyepi"),
    (dt.date(2026, 3, 20), "Cuti bersama Idulfitri"),
    (dt.date(2026, 3, 23), "Cuti bersama Idulfitri"),
    (dt.date(2026, 3, 24), "Cuti bersama Idulfitri"),
    (dt.date(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus"),
    (dt.date(2026, 5, 28), "Cuti bersama Iduladha"),
    (dt.date(2026, 12, 24), "Cuti bersama Natal"),
]


def load_collective_leave() -> int:
    existing = set(db.session.scalars(select(CollectiveLeave.day)).all())
    added = 0
    for day, name in CUTI_BERSAMA_2026:
        if day not in existing:
            db.session.add(CollectiveLeave(day=day, name=name, legal_basis="SKB 3 Menteri tentang Cuti Bersama 2026"))
            added += 1
    db.session.commit()
    return added


def load_demo_form_definitions() -> dict:
    """Seed a form for every demo service present in the catalog. Safe to run again. Call inside an app context."""
    created, unchanged, missing = 0, 0, []
    for slug, definition in _forms().items():
        definition = {**definition, "for_whom": FOR_WHOM.get(slug, "sendiri")}
        service = db.session.scalar(select(Service).where(Service.slug == slug))
        if service is None:
            missing.append(slug)
            continue
        definition = with_documents_of(definition, service)
        latest = db.session.scalar(
            select(FormDefinition)
            .where(FormDefinition.service_id == service.id)
            .order_by(FormDefinition.version.desc())
        )
        if latest is not None and latest.definition == definition:
            unchanged += 1
            continue
        version = (
            db.session.scalar(select(func.max(FormDefinition.version)).where(FormDefinition.service_id == service.id))
            or 0
        ) + 1
        db.session.add(FormDefinition(service_id=service.id, version=version, definition=definition))
        created += 1
    db.session.commit()
    leave = load_collective_leave()
    return {"created": created, "unchanged": unchanged, "missing_services": missing, "collective_leave_added": leave}


DEMO_FORM_SLUGS = tuple(_forms())
