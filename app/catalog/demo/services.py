"""The 20 demo services and their Standar Pelayanan (UU 25/2009 Pasal 21; PermenPANRB 15/2014).

Each service lists its persyaratan, prosedur (each step with its actor and own time limit), jangka waktu,
biaya/tarif (each amount with its legal basis and effective date), produk, penanganan pengaduan and dasar hukum.
Values follow the project's domain notes; where a fact was not verified the text says "umumnya" (typically)
instead of presenting it as a rule. `standard_reference` stays empty: no SK number is invented.

`offered_at` (optional) limits a service to some MPPs; by default a service is offered at every MPP where its
agency is a tenant.
"""

import datetime as dt

# --- small constructors that keep the lists below readable -------------------------------------------------


def document(document_type, description, note=None, required=True):
    return {"kind": "dokumen", "document_type": document_type, "description": description, "note": note,
            "required": required}  # fmt: skip


def condition(description, note=None, required=True):
    return {"kind": "syarat", "document_type": None, "description": description, "note": note, "required": required}


def in_person(description, note=None):
    return {"kind": "hadir", "document_type": None, "description": description, "note": note, "required": True}


def step(title, actor, value, unit="hari_kerja", description=None):
    return {"title": title, "actor": actor, "duration_value": value, "duration_unit": unit,
            "description": description}  # fmt: skip


def fee(label, amount, legal_basis, effective_from=None):
    return {"label": label, "amount": amount, "legal_basis": legal_basis, "effective_from": effective_from}


def complaints(agency):
    """Penanganan pengaduan: SP4N-LAPOR! channels and time limits, Perpres 76/2013 for the 60-day ceiling."""
    return (
        f"Sampaikan pengaduan, saran, atau masukan melalui: (1) meja pengaduan MPP atau langsung kepada {agency}; "
        "(2) SP4N-LAPOR! di lapor.go.id, aplikasi LAPOR!, atau SMS ke 1708; (3) menu Pengaduan di aplikasi ini. "
        "Laporan diverifikasi paling lama 3 hari dan ditindaklanjuti instansi paling lama 5 hari setelah "
        "diteruskan; pengaduan diselesaikan paling lama 60 hari (Perpres 76/2013). Identitas pelapor dirahasiakan "
        "dan tidak dipungut biaya."
    )


# --- shared facts ----------------------------------------------------------------------------------------------

# UU 24/2013 Pasal 79A: issuing population documents is free of charge (in force since 24 December 2013).
ADMINDUK_FREE = [fee("Tidak dipungut biaya", 0, "UU 24/2013 Pasal 79A", dt.date(2013, 12, 24))]
ADMINDUK_LAW = (
    "UU 23/2006 tentang Administrasi Kependudukan sebagaimana diubah dengan UU 24/2013; Perpres 96/2018 tentang "
    "Persyaratan dan Tata Cara Pendaftaran Penduduk dan Pencatatan Sipil; Permendagri 108/2019"
)
# PP 45/2024 was signed on 18 October 2024 and took effect 60 days after promulgation (mid-December 2024).
PASSPORT_TARIFF = "PP 45/2024"
PASSPORT_TARIFF_FROM = dt.date(2024, 12, 17)
# PP 76/2020 (Polri PNBP: SKCK, SIM, STNK, TNKB). Its exact effective day is not recorded here, so it is left empty.
POLRI_TARIFF = "PP 76/2020"
POLRI_LAW = "UU 2/2002 tentang Kepolisian Negara Republik Indonesia"
TRAFFIC_LAW = "UU 22/2009 tentang Lalu Lintas dan Angkutan Jalan"
SIM_LAW = f"{TRAFFIC_LAW}; Perpol 5/2021 tentang Penerbitan dan Penandaan SIM; PP 76/2020 tentang Jenis dan Tarif PNBP pada Polri"
SIM_TESTS_NOTE = "Belum termasuk biaya tes kesehatan dan tes psikologi, yang dibayar langsung kepada penyelenggara tes."

SERVICES = [
    # 1 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "ktp-el-baru",
        "name": "Pembuatan KTP-el Baru",
        "agency": "disdukcapil",
        "summary": (
            "Perekaman data biometrik dan pencetakan KTP elektronik bagi penduduk yang berusia 17 tahun atau "
            "sudah/pernah menikah. Tidak perlu surat pengantar RT/RW."
        ),
        "keywords": (
            "ktp, e-ktp, ektp, ktp el, ktp-el, ktp elektronik, kartu tanda penduduk, ktp baru, buat ktp, bikin ktp, "
            "rekam ktp, perekaman ktp, ktp pemula, umur 17 tahun"
        ),
        "popularity": 100,
        "requirements": [
            condition("Berusia 17 tahun atau sudah/pernah menikah"),
            document("kk", "Kartu Keluarga", note="Fotokopi, atau KK cetak HVS dengan kode QR"),
            in_person(
                "Perekaman foto, sidik jari, iris mata, dan tanda tangan di loket Disdukcapil",
                note="Surat pengantar RT/RW tidak diperlukan (Perpres 96/2018).",
            ),
        ],
        "steps": [
            step("Ambil antrean dan serahkan Kartu Keluarga", "Pemohon", 5, "menit"),
            step("Verifikasi data kependudukan", "Petugas Disdukcapil", 10, "menit"),
            step("Perekaman biometrik", "Petugas Disdukcapil", 15, "menit"),
            step(
                "Pencetakan KTP-el",
                "Petugas Disdukcapil",
                1,
                description="Bergantung ketersediaan blangko. Bila blangko habis, Anda menerima surat keterangan "
                "sebagai pengganti sementara.",
            ),
            step("Penyerahan KTP-el", "Petugas Disdukcapil", 5, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya 1 hari kerja",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "KTP-el (Kartu Tanda Penduduk elektronik), berlaku seumur hidup",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": ADMINDUK_LAW,
        "online_application": False,
        "in_person_note": (
            "Perekaman foto, sidik jari, iris mata, dan tanda tangan hanya dapat dilakukan di loket Disdukcapil. "
            "Ambil antrean, lalu datang membawa Kartu Keluarga."
        ),
    },
    # 2 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "ktp-el-hilang-rusak",
        "name": "Penggantian KTP-el Hilang atau Rusak",
        "agency": "disdukcapil",
        "summary": "Pencetakan ulang KTP-el yang hilang atau rusak bagi penduduk yang datanya sudah terekam.",
        "keywords": (
            "ktp hilang, ktp rusak, ganti ktp, cetak ulang ktp, ktp patah, e-ktp hilang, kehilangan ktp, ktp el, "
            "ektp rusak, kartu tanda penduduk hilang"
        ),
        "popularity": 80,
        "requirements": [
            document("kk", "Kartu Keluarga"),
            document(
                "surat_kehilangan",
                "Surat keterangan kehilangan dari kepolisian",
                note="Wajib bila KTP-el hilang.",
                required=False,
            ),
            document(
                "ktp", "KTP-el yang rusak", note="Wajib bila KTP-el rusak; diserahkan kepada petugas.", required=False
            ),
        ],
        "steps": [
            step(
                "Ajukan permohonan dengan Kartu Keluarga dan surat kehilangan atau KTP-el rusak", "Pemohon", 10, "menit"
            ),
            step("Verifikasi berkas dan data perekaman", "Petugas Disdukcapil", 1, "jam"),
            step("Pencetakan KTP-el", "Petugas Disdukcapil", 1, description="Bergantung ketersediaan blangko."),
            step("Penyerahan KTP-el", "Petugas Disdukcapil", 5, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya 1 hari kerja",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "KTP-el pengganti",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": ADMINDUK_LAW,
        "online_application": True,
        "in_person_note": "KTP-el diambil di loket Disdukcapil; bawa KTP-el lama bila rusak.",
    },
    # 3 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "kk-perubahan-data",
        "name": "Perubahan Data Kartu Keluarga",
        "agency": "disdukcapil",
        "summary": (
            "Penerbitan Kartu Keluarga baru karena perubahan data: tambah atau kurang anggota keluarga, "
            "pendidikan, pekerjaan, status perkawinan, atau elemen data lainnya."
        ),
        "keywords": (
            "kk, kartu keluarga, ubah kk, ganti kk, perubahan kk, update kk, tambah anggota kk, pecah kk, pisah kk, "
            "kk baru, ubah data kk, perubahan data kependudukan"
        ),
        "popularity": 90,
        "requirements": [
            document(
                "lainnya",
                "Formulir F-1.06 (pernyataan perubahan elemen data kependudukan)",
                note="Diisi dan ditandatangani kepala keluarga.",
            ),
            document("kk", "Kartu Keluarga lama"),
            document(
                "lainnya",
                "Dokumen pendukung perubahan",
                note="Misalnya ijazah untuk pendidikan, buku nikah untuk status perkawinan, akta kelahiran untuk "
                "tambah anggota.",
            ),
            document(
                "lainnya",
                "Surat Pernyataan Tanggung Jawab Mutlak (SPTJM) kebenaran data perkawinan",
                note="Bila perkawinan belum tercatat.",
                required=False,
            ),
        ],
        "steps": [
            step("Ajukan permohonan dan unggah dokumen pendukung", "Pemohon", 10, "menit"),
            step("Verifikasi dan validasi data", "Petugas Disdukcapil", 1),
            step(
                "Penerbitan KK dengan tanda tangan elektronik",
                "Pejabat Disdukcapil",
                1,
                "jam",
                description="KK dicetak di kertas HVS A4 dengan kode QR dan dapat dicetak sendiri.",
            ),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya 1 hari kerja",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "Kartu Keluarga baru, dicetak di kertas HVS A4 dengan kode QR dan tanda tangan elektronik",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": ADMINDUK_LAW,
        "online_application": True,
        "in_person_note": None,
    },
    # 4 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "akta-kelahiran",
        "name": "Penerbitan Akta Kelahiran",
        "agency": "disdukcapil",
        "summary": "Pencatatan kelahiran dan penerbitan kutipan akta kelahiran untuk anak yang lahir di Indonesia.",
        "keywords": (
            "akta kelahiran, akte kelahiran, akta lahir, akte lahir, surat lahir, akte anak, akta anak, buat akte, "
            "bikin akta, kutipan akta, catat kelahiran, bayi lahir"
        ),
        "popularity": 95,
        "requirements": [
            document(
                "surat_keterangan_lahir",
                "Surat keterangan lahir dari rumah sakit, puskesmas, dokter, bidan, atau kepala desa/lurah",
                note="Bila tidak ada, diganti SPTJM kebenaran data kelahiran dengan 2 orang saksi.",
            ),
            document(
                "buku_nikah",
                "Buku nikah atau kutipan akta perkawinan orang tua",
                note="Bila tidak ada, diganti SPTJM kebenaran sebagai pasangan suami istri.",
            ),
            document("kk", "Kartu Keluarga tempat anak didaftarkan"),
            document("ktp", "KTP-el orang tua atau pelapor"),
        ],
        "steps": [
            step("Ajukan permohonan dan unggah dokumen", "Pemohon", 10, "menit"),
            step("Verifikasi dan validasi berkas", "Petugas Disdukcapil", 4, "jam"),
            step("Pencatatan dan tanda tangan elektronik", "Pejabat Pencatatan Sipil", 4, "jam"),
            step("Penyerahan kutipan akta kelahiran", "Petugas Disdukcapil", 0, description="Dapat dicetak sendiri."),
        ],
        "duration_value": 24,
        "duration_unit": "jam",
        "duration_text": "1×24 jam",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "Kutipan akta kelahiran",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": ADMINDUK_LAW,
        "online_application": True,
        "in_person_note": None,
    },
    # 5 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "aktivasi-ikd",
        "name": "Aktivasi Identitas Kependudukan Digital (IKD)",
        "agency": "disdukcapil",
        "summary": (
            "Aktivasi KTP digital di aplikasi IKD: verifikasi wajah, lalu petugas memindai kode QR dan kode "
            "aktivasi dikirim ke e-mail Anda."
        ),
        "keywords": (
            "ikd, identitas kependudukan digital, ktp digital, e-ktp digital, aktivasi ikd, ktp di hp, ktp online, "
            "ktp hp, dukcapil digital"
        ),
        "popularity": 60,
        "requirements": [
            condition("KTP-el sudah direkam"),
            condition("Alamat e-mail dan nomor ponsel aktif"),
            condition(
                "Ponsel Android 8 atau iOS 11 ke atas dengan aplikasi IKD",
                note="Satu akun IKD hanya dapat dipakai di satu perangkat.",
            ),
            in_person("Pemindaian kode QR aktivasi oleh petugas Disdukcapil"),
        ],
        "steps": [
            step("Pasang aplikasi IKD dan isi NIK, e-mail, dan nomor ponsel", "Pemohon", 5, "menit"),
            step("Verifikasi wajah (swafoto dengan deteksi keaktifan)", "Pemohon", 5, "menit"),
            step("Pemindaian kode QR oleh petugas", "Petugas Disdukcapil", 5, "menit"),
            step(
                "Pengiriman kode aktivasi ke e-mail",
                "Sistem IKD",
                24,
                "jam",
                description="Sering dalam hitungan menit.",
            ),
        ],
        "duration_value": 24,
        "duration_unit": "jam",
        "duration_text": "10 menit sampai 1×24 jam",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "Akun Identitas Kependudukan Digital (IKD) di ponsel",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": f"{ADMINDUK_LAW}; Permendagri 72/2022 tentang Identitas Kependudukan Digital",
        "online_application": False,
        "in_person_note": (
            "Aktivasi IKD harus di depan petugas Disdukcapil yang memindai kode QR dari ponsel Anda. "
            "Bawa ponsel yang akan dipakai: satu akun IKD hanya untuk satu perangkat."
        ),
    },
    # 6 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "pindah-datang",
        "name": "Pindah Datang Penduduk (SKPWNI)",
        "agency": "disdukcapil",
        "summary": (
            "Surat Keterangan Pindah Warga Negara Indonesia (SKPWNI) dari daerah asal dan pendaftaran kedatangan "
            "di daerah tujuan, sampai terbit KK dengan alamat baru."
        ),
        "keywords": (
            "pindah, pindah domisili, pindah alamat, surat pindah, skpwni, pindah datang, mutasi penduduk, pindah kk, "
            "pindah ktp, lapor datang, surat keterangan pindah"
        ),
        "popularity": 60,
        "requirements": [
            document("kk", "Kartu Keluarga"),
            document("surat_pindah", "SKPWNI dari daerah asal", note="Untuk pendaftaran kedatangan di daerah tujuan."),
            condition("Alamat tujuan lengkap sampai RT/RW, kelurahan/desa, dan kecamatan"),
        ],
        "steps": [
            step("Ajukan permohonan pindah atau datang", "Pemohon", 10, "menit"),
            step("Verifikasi data dan alamat tujuan", "Petugas Disdukcapil", 1),
            step("Penerbitan SKPWNI atau KK baru dengan tanda tangan elektronik", "Pejabat Disdukcapil", 1, "jam"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya 1 hari kerja",
        "fee_note": None,
        "fees": ADMINDUK_FREE,
        "product": "SKPWNI (daerah asal) atau Kartu Keluarga baru di alamat tujuan",
        "complaint_handling": complaints("Disdukcapil"),
        "legal_basis": ADMINDUK_LAW,
        "online_application": True,
        "in_person_note": None,
    },
    # 7 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "nib-perseorangan",
        "name": "Nomor Induk Berusaha (NIB) Perseorangan",
        "agency": "dpmptsp",
        "summary": (
            "Pendaftaran usaha perseorangan di sistem OSS berbasis risiko. NIB menjadi identitas usaha sekaligus "
            "izin untuk usaha berisiko rendah."
        ),
        "keywords": (
            "nib, nomor induk berusaha, izin usaha, ijin usaha, oss, oss rba, umkm, usaha mikro, usaha kecil, siup, "
            "tdp, izin dagang, ijin dagang, api, buka usaha, daftar usaha"
        ),
        "popularity": 70,
        "requirements": [
            document("ktp", "NIK (KTP-el) yang terdaftar di Dukcapil"),
            condition("Alamat e-mail dan nomor WhatsApp aktif"),
            document("lainnya", "NPWP", note="Bila sudah memiliki.", required=False),
            condition("Kode KBLI 2020 kegiatan usaha", note="Petugas DPMPTSP membantu memilih KBLI."),
        ],
        "steps": [
            step("Buat akun OSS", "Pemohon", 10, "menit"),
            step("Isi data usaha dan pilih KBLI", "Pemohon", 15, "menit", description="Dapat dibantu petugas DPMPTSP."),
            step("Penerbitan NIB", "Sistem OSS", 5, "menit"),
        ],
        "duration_value": 30,
        "duration_unit": "menit",
        "duration_text": "Beberapa menit",
        "fee_note": None,
        "fees": [fee("Tidak dipungut biaya", 0, "PP 5/2021")],
        "product": "NIB, yang juga berlaku sebagai Tanda Daftar Perusahaan (TDP) dan Angka Pengenal Importir (API)",
        "complaint_handling": complaints("DPMPTSP"),
        "legal_basis": (
            "UU 6/2023 tentang Penetapan Perppu 2/2022 tentang Cipta Kerja; PP 5/2021 tentang Penyelenggaraan "
            "Perizinan Berusaha Berbasis Risiko"
        ),
        "online_application": True,
        "in_person_note": None,
    },
    # 8 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "sip-bidan",
        "name": "Surat Izin Praktik Bidan (SIPB)",
        "agency": "dpmptsp",
        "summary": "Izin bagi bidan untuk berpraktik di fasilitas pelayanan kesehatan atau praktik mandiri.",
        "keywords": (
            "sip bidan, sipb, izin praktik bidan, ijin praktek bidan, izin praktek bidan, bidan, praktik mandiri bidan, "
            "tenaga kesehatan, nakes, izin nakes, str bidan"
        ),
        "popularity": 30,
        "requirements": [
            document("lainnya", "Surat permohonan bermeterai"),
            document("ktp", "KTP-el"),
            document("pas_foto", "Pas foto 4×6", note="3 lembar."),
            document("ijazah", "Ijazah kebidanan yang dilegalisasi"),
            document("str", "Surat Tanda Registrasi (STR) bidan yang masih berlaku"),
            document("lainnya", "Rekomendasi organisasi profesi (IBI)"),
            document("surat_keterangan_sehat", "Surat keterangan sehat dari dokter"),
            document("lainnya", "Surat pernyataan dari pimpinan fasilitas pelayanan kesehatan tempat praktik"),
        ],
        "steps": [
            step("Ajukan permohonan dan unggah berkas", "Pemohon", 0),
            step("Pemeriksaan kelengkapan berkas", "Petugas DPMPTSP", 1),
            step("Verifikasi teknis dan rekomendasi", "Dinas Kesehatan", 2),
            step("Penandatanganan elektronik izin", "Kepala DPMPTSP", 1),
            step("Penyerahan SIPB", "Petugas DPMPTSP", 1),
        ],
        "duration_value": 5,
        "duration_unit": "hari_kerja",
        "duration_text": "5 hari kerja",
        "fee_note": None,
        "fees": [fee("Tidak dipungut biaya", 0, "Standar Pelayanan DPMPTSP")],
        "product": "Surat Izin Praktik Bidan (SIPB) untuk satu tempat praktik",
        "complaint_handling": complaints("DPMPTSP"),
        "legal_basis": "UU 17/2023 tentang Kesehatan; Permenkes 28/2017 tentang Izin dan Penyelenggaraan Praktik Bidan",
        "online_application": True,
        "in_person_note": None,
    },
    # 9 -----------------------------------------------------------------------------------------------------------
    {
        "slug": "sip-dokter",
        "name": "Surat Izin Praktik (SIP) Dokter",
        "agency": "dpmptsp",
        "summary": "Izin praktik bagi dokter dan dokter gigi untuk satu tempat praktik, dengan rekomendasi Dinas Kesehatan.",
        "keywords": (
            "sip dokter, izin praktik dokter, ijin praktek dokter, izin praktek dokter, dokter, dokter gigi, sip, "
            "praktik dokter, izin praktik, tenaga medis, str dokter"
        ),
        "popularity": 35,
        "requirements": [
            document("lainnya", "Surat permohonan bermeterai"),
            document("ktp", "KTP-el"),
            document("str", "Surat Tanda Registrasi (STR) dari Konsil Kedokteran Indonesia"),
            document("lainnya", "Rekomendasi organisasi profesi"),
            document("surat_keterangan_sehat", "Surat keterangan sehat dari dokter"),
            document("lainnya", "Surat pernyataan tempat praktik dari pimpinan fasilitas pelayanan kesehatan"),
            document("pas_foto", "Pas foto 4×6 berlatar merah", note="3 lembar."),
            document(
                "lainnya",
                "Surat izin atasan langsung",
                note="Bagi dokter ASN atau yang bekerja di instansi lain.",
                required=False,
            ),
        ],
        # The per-step limits of a published SIP workflow (Magelang): 0 + 1 + 3 + 2 + 2 + 1 + 0 = 9 working days.
        "steps": [
            step("Pendaftaran dan unggah berkas", "Pemohon", 0),
            step("Pemeriksaan kelengkapan berkas", "Petugas DPMPTSP", 1),
            step("Verifikasi teknis dan rekomendasi", "Dinas Kesehatan", 3),
            step("Penomoran izin", "Petugas DPMPTSP", 2),
            step("Penandatanganan elektronik (TTE)", "Kepala DPMPTSP", 2),
            step("Pemeriksaan akhir", "Petugas DPMPTSP", 1),
            step("Penyerahan SIP", "Petugas DPMPTSP", 0),
        ],
        "duration_value": 9,
        "duration_unit": "hari_kerja",
        "duration_text": "9 hari kerja",
        "fee_note": None,
        "fees": [fee("Tidak dipungut biaya", 0, "Standar Pelayanan DPMPTSP")],
        "product": "Surat Izin Praktik (SIP) dokter atau dokter gigi untuk satu tempat praktik",
        "complaint_handling": complaints("DPMPTSP"),
        "legal_basis": (
            "UU 17/2023 tentang Kesehatan; Permenkes 2052/2011 tentang Izin Praktik dan Pelaksanaan Praktik Kedokteran"
        ),
        "online_application": True,
        "in_person_note": None,
    },
    # 10 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "paspor-biasa",
        "name": "Pembuatan Paspor Biasa",
        "agency": "imigrasi",
        "summary": (
            "Paspor biasa elektronik atau non-elektronik, berlaku 5 atau 10 tahun, untuk warga negara Indonesia. "
            "Jadwal kedatangan dipesan di aplikasi M-Paspor."
        ),
        "keywords": (
            "paspor, pasport, passport, paspor baru, buat paspor, bikin paspor, paspor elektronik, e-paspor, epaspor, "
            "m-paspor, mpaspor, ganti paspor, perpanjang paspor, paspor hilang, paspor rusak, imigrasi, luar negeri"
        ),
        "popularity": 85,
        "requirements": [
            document("ktp", "KTP-el"),
            document("kk", "Kartu Keluarga"),
            document(
                "akta_kelahiran",
                "Akta kelahiran",
                note="Dapat diganti ijazah, buku nikah, atau surat baptis yang memuat nama, tempat dan tanggal "
                "lahir, serta nama orang tua.",
            ),
            document("paspor", "Paspor lama", note="Untuk penggantian paspor.", required=False),
            document(
                "surat_kehilangan",
                "Surat keterangan hilang dari kepolisian",
                note="Bila paspor lama hilang.",
                required=False,
            ),
            condition("Jadwal kedatangan dipesan di aplikasi M-Paspor"),
            in_person("Foto, pengambilan sidik jari, dan wawancara di kantor atau unit layanan imigrasi"),
        ],
        "steps": [
            step("Pesan jadwal dan isi data di M-Paspor", "Pemohon", 15, "menit"),
            step("Pemeriksaan berkas asli", "Petugas Imigrasi", 15, "menit"),
            step("Foto, sidik jari, dan wawancara", "Petugas Imigrasi", 15, "menit"),
            step("Pembayaran PNBP melalui bank atau kantor pos", "Pemohon", 0),
            step(
                "Adjudikasi dan pencetakan paspor",
                "Kantor Imigrasi",
                4,
                description="Dengan layanan percepatan, paspor selesai di hari yang sama.",
            ),
            step("Pengambilan paspor", "Pemohon", 0),
        ],
        "duration_value": 4,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya 3–4 hari kerja",
        "fee_note": None,
        "fees": [
            fee("Paspor non-elektronik, berlaku paling lama 5 tahun", 350_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
            fee("Paspor non-elektronik, berlaku paling lama 10 tahun", 650_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
            fee("Paspor elektronik, berlaku paling lama 5 tahun", 650_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
            fee("Paspor elektronik, berlaku paling lama 10 tahun", 950_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
            fee(
                "Layanan percepatan, selesai di hari yang sama (tambahan)",
                1_000_000,
                PASSPORT_TARIFF,
                PASSPORT_TARIFF_FROM,
            ),
            fee("Penggantian paspor hilang (tambahan, per buku)", 1_000_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
            fee("Penggantian paspor rusak (tambahan, per buku)", 500_000, PASSPORT_TARIFF, PASSPORT_TARIFF_FROM),
        ],
        "product": "Paspor biasa, elektronik atau non-elektronik, berlaku 5 atau 10 tahun",
        "complaint_handling": complaints("Kantor Imigrasi"),
        "legal_basis": (
            "UU 6/2011 tentang Keimigrasian; Permenkumham 8/2014 tentang Paspor Biasa dan Surat Perjalanan Laksana "
            "Paspor; PP 45/2024 tentang Jenis dan Tarif PNBP pada Kementerian Hukum dan HAM"
        ),
        "online_application": False,
        "in_person_note": (
            "Permohonan paspor dimulai dengan memesan jadwal di aplikasi M-Paspor. Foto, sidik jari, dan wawancara "
            "hanya dapat dilakukan di kantor imigrasi atau loketnya di MPP."
        ),
    },
    # 11 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "skck-baru",
        "name": "Penerbitan SKCK Baru",
        "agency": "polres",
        "summary": (
            "Surat Keterangan Catatan Kepolisian untuk melamar kerja, mendaftar sekolah/CPNS, atau keperluan lain. "
            "Sidik jari diambil di loket Polres."
        ),
        "keywords": (
            "skck, skck baru, surat kelakuan baik, sk kelakuan baik, surat keterangan catatan kepolisian, "
            "catatan kepolisian, kelakuan baik, buat skck, bikin skck, polres, polisi"
        ),
        "popularity": 90,
        "requirements": [
            document("ktp", "Fotokopi KTP-el atau SIM"),
            document("kk", "Fotokopi Kartu Keluarga"),
            document("akta_kelahiran", "Fotokopi akta kelahiran atau ijazah terakhir"),
            document("pas_foto", "Pas foto 4×6 berlatar merah"),
            in_person("Pengambilan rumus sidik jari di Polres"),
            document(
                "lainnya",
                "Surat pengantar kelurahan/desa",
                note="Masih diminta di sebagian daerah.",
                required=False,
            ),
            condition("Terdaftar sebagai peserta aktif BPJS Kesehatan", note="Berlaku sejak 1 Agustus 2024."),
        ],
        "steps": [
            step("Ambil antrean dan isi formulir", "Pemohon", 15, "menit"),
            step("Pengambilan sidik jari", "Petugas Polres", 15, "menit"),
            step("Pemeriksaan catatan kepolisian", "Petugas Polres", 30, "menit"),
            step("Pembayaran PNBP", "Pemohon", 5, "menit"),
            step("Pencetakan dan penyerahan SKCK", "Petugas Polres", 15, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama",
        "fee_note": None,
        "fees": [fee("PNBP penerbitan SKCK", 30_000, POLRI_TARIFF)],
        "product": "SKCK, berlaku 6 bulan",
        "complaint_handling": complaints("Polres"),
        "legal_basis": (
            f"{POLRI_LAW}; Perkap 18/2014 tentang Tata Cara Penerbitan SKCK; PP 76/2020 tentang Jenis dan Tarif "
            "PNBP pada Polri"
        ),
        "online_application": False,
        "in_person_note": (
            "SKCK pertama kali memerlukan pengambilan sidik jari di loket Polres. Ambil antrean, lalu datang "
            "membawa berkas asli dan fotokopinya."
        ),
    },
    # 12 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "skck-perpanjangan",
        "name": "Perpanjangan SKCK",
        "agency": "polres",
        "summary": "Perpanjangan SKCK yang masa berlakunya habis paling lama 1 tahun, tanpa mengulang sidik jari.",
        "keywords": (
            "perpanjang skck, perpanjangan skck, skck perpanjangan, memperpanjang skck, skck habis, skck lama, "
            "skck mati, surat kelakuan baik"
        ),
        "popularity": 75,
        "requirements": [
            document("skck", "SKCK lama (asli)", note="Masa berlakunya habis paling lama 1 tahun."),
            document("ktp", "Fotokopi KTP-el"),
            document("kk", "Fotokopi Kartu Keluarga"),
            document("akta_kelahiran", "Fotokopi akta kelahiran atau ijazah terakhir"),
            document("pas_foto", "Pas foto 4×6 berlatar merah", note="3 lembar."),
        ],
        "steps": [
            step("Ajukan permohonan perpanjangan", "Pemohon", 10, "menit"),
            step("Verifikasi SKCK lama dan catatan kepolisian", "Petugas Polres", 30, "menit"),
            step("Pembayaran PNBP", "Pemohon", 5, "menit"),
            step("Pencetakan dan penyerahan SKCK", "Petugas Polres", 15, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama",
        "fee_note": None,
        "fees": [fee("PNBP penerbitan SKCK", 30_000, POLRI_TARIFF)],
        "product": "SKCK, berlaku 6 bulan",
        "complaint_handling": complaints("Polres"),
        "legal_basis": (
            f"{POLRI_LAW}; Perkap 18/2014 tentang Tata Cara Penerbitan SKCK; PP 76/2020 tentang Jenis dan Tarif "
            "PNBP pada Polri"
        ),
        "online_application": True,
        "in_person_note": (
            "Setelah mengajukan online, datang ke loket Polres membawa SKCK lama untuk mengambil SKCK baru. "
            "Bila SKCK lama sudah habis lebih dari 1 tahun, ajukan SKCK baru."
        ),
    },
    # 13 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "sim-a-baru",
        "name": "Pembuatan SIM A Baru",
        "agency": "polres",
        "summary": "Surat Izin Mengemudi golongan A untuk mobil penumpang dan barang perseorangan, dengan ujian teori dan praktik.",
        "keywords": (
            "sim, sim a, sim mobil, buat sim, bikin sim, sim baru, surat izin mengemudi, ujian sim, tes sim, satpas, "
            "sim a baru"
        ),
        "popularity": 80,
        "requirements": [
            condition("Berusia paling rendah 17 tahun"),
            document("ktp", "KTP-el asli dan fotokopi"),
            document("surat_keterangan_sehat", "Surat keterangan sehat jasmani dari dokter"),
            document("lainnya", "Surat keterangan lulus tes psikologi"),
            in_person("Ujian teori dan ujian praktik mengemudi di Satpas"),
            in_person("Perekaman foto, sidik jari, dan tanda tangan"),
        ],
        "steps": [
            step("Tes kesehatan dan tes psikologi", "Pemohon", 1, "jam"),
            step("Pendaftaran dan pembayaran PNBP", "Pemohon", 15, "menit"),
            step("Ujian teori", "Petugas Satpas", 30, "menit"),
            step("Ujian praktik", "Petugas Satpas", 1, "jam"),
            step("Foto, sidik jari, dan pencetakan SIM", "Petugas Satpas", 30, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama, bila lulus ujian",
        "fee_note": SIM_TESTS_NOTE,
        "fees": [fee("PNBP penerbitan SIM A baru", 120_000, POLRI_TARIFF)],
        "product": "SIM A, berlaku 5 tahun",
        "complaint_handling": complaints("Polres"),
        "legal_basis": SIM_LAW,
        "online_application": False,
        "in_person_note": (
            "Ujian teori, ujian praktik, foto, dan sidik jari hanya dapat dilakukan di Satpas atau loket SIM Polres."
        ),
    },
    # 14 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "sim-c-perpanjangan",
        "name": "Perpanjangan SIM C",
        "agency": "polres",
        "summary": "Perpanjangan Surat Izin Mengemudi golongan C (sepeda motor) sebelum masa berlakunya habis.",
        "keywords": (
            "perpanjang sim, perpanjangan sim, sim c, sim motor, perpanjang sim c, memperpanjang sim, sim habis, "
            "sim mati, surat izin mengemudi, sim"
        ),
        "popularity": 85,
        "requirements": [
            document("sim", "SIM C lama (asli)"),
            condition(
                "Masa berlaku SIM belum habis",
                note="SIM yang sudah habis masa berlakunya diurus sebagai SIM baru dengan ujian.",
            ),
            document("ktp", "KTP-el asli dan fotokopi"),
            document("surat_keterangan_sehat", "Surat keterangan sehat jasmani dari dokter"),
            document("lainnya", "Surat keterangan lulus tes psikologi"),
        ],
        "steps": [
            step("Ajukan permohonan perpanjangan", "Pemohon", 10, "menit"),
            step("Tes kesehatan dan tes psikologi", "Pemohon", 1, "jam"),
            step("Verifikasi dan pembayaran PNBP", "Petugas Satpas", 15, "menit"),
            step("Foto dan pencetakan SIM", "Petugas Satpas", 30, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama",
        "fee_note": SIM_TESTS_NOTE,
        "fees": [fee("PNBP perpanjangan SIM C", 75_000, POLRI_TARIFF)],
        "product": "SIM C, berlaku 5 tahun",
        "complaint_handling": complaints("Polres"),
        "legal_basis": SIM_LAW,
        "online_application": True,
        "in_person_note": (
            "Setelah mengajukan online, datang ke loket SIM membawa SIM lama untuk foto dan pencetakan. "
            "Tes kesehatan dan tes psikologi tetap diperlukan."
        ),
    },
    # 15 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "pajak-kendaraan-tahunan",
        "name": "Pajak Kendaraan Tahunan dan Pengesahan STNK",
        "agency": "samsat",
        "summary": "Pembayaran Pajak Kendaraan Bermotor (PKB) dan SWDKLLJ tahunan, sekaligus pengesahan STNK.",
        "keywords": (
            "pajak motor, pajak mobil, pajak kendaraan, pkb, bayar pajak, pajak tahunan, stnk tahunan, pengesahan stnk, "
            "samsat, swdkllj, jasa raharja, e-samsat, bayar stnk"
        ),
        "popularity": 85,
        "requirements": [
            document("ktp", "KTP-el asli pemilik sesuai STNK"),
            document("stnk", "STNK asli"),
        ],
        "steps": [
            step("Serahkan KTP-el dan STNK", "Pemohon", 5, "menit"),
            step("Penetapan PKB dan SWDKLLJ", "Petugas Samsat", 10, "menit"),
            step("Pembayaran di kasir atau bank", "Pemohon", 5, "menit"),
            step("Pengesahan STNK", "Petugas Samsat", 10, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama",
        "fee_note": (
            "PKB dihitung dari nilai jual dan bobot kendaraan sesuai peraturan daerah provinsi; jumlah tagihan dapat "
            "dicek sebelum membayar."
        ),
        "fees": [
            fee("SWDKLLJ sepeda motor, termasuk biaya administrasi", 35_000, "PMK 36/PMK.010/2008"),
            fee("SWDKLLJ mobil penumpang pribadi, termasuk biaya administrasi", 143_000, "PMK 36/PMK.010/2008"),
        ],
        "product": "STNK yang disahkan dan bukti pelunasan pajak (SKPD)",
        "complaint_handling": complaints("Samsat"),
        "legal_basis": (
            f"{TRAFFIC_LAW}; UU 1/2022 tentang Hubungan Keuangan antara Pemerintah Pusat dan Pemerintahan Daerah; "
            "Perpres 5/2015 tentang Penyelenggaraan Samsat; peraturan daerah provinsi tentang pajak daerah"
        ),
        "online_application": True,
        "in_person_note": (
            "Ajukan online untuk mendapat rincian tagihan; pengesahan STNK dilakukan di loket Samsat dengan "
            "membawa KTP-el dan STNK asli."
        ),
    },
    # 16 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "stnk-lima-tahunan",
        "name": "Penggantian STNK Lima Tahunan dan TNKB",
        "agency": "samsat",
        "summary": "Penggantian STNK dan pelat nomor (TNKB) setiap lima tahun, dengan cek fisik kendaraan.",
        "keywords": (
            "stnk 5 tahun, stnk lima tahunan, ganti stnk, ganti plat, ganti pelat, plat nomor, pelat nomor, tnkb, "
            "ganti nopol, cek fisik, perpanjang stnk, stnk mati, samsat"
        ),
        "popularity": 65,
        "requirements": [
            document("ktp", "KTP-el asli dan fotokopi"),
            document("stnk", "STNK asli dan fotokopi"),
            document("bpkb", "BPKB asli dan fotokopi"),
            in_person(
                "Cek fisik kendaraan (gesek nomor rangka dan nomor mesin)",
                note="Tidak dipungut biaya; kendaraan dibawa ke Samsat.",
            ),
        ],
        "steps": [
            step("Cek fisik kendaraan", "Petugas Samsat", 15, "menit"),
            step("Pendaftaran dan verifikasi berkas", "Petugas Samsat", 15, "menit"),
            step("Penetapan PKB, SWDKLLJ, dan PNBP", "Petugas Samsat", 10, "menit"),
            step("Pembayaran di kasir atau bank", "Pemohon", 5, "menit"),
            step("Pencetakan STNK dan penyerahan TNKB", "Petugas Samsat", 1, "jam"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Hari yang sama",
        "fee_note": "Ditambah PKB dan SWDKLLJ tahun berjalan sesuai kendaraan.",
        "fees": [
            fee("PNBP penerbitan STNK kendaraan roda dua", 100_000, POLRI_TARIFF),
            fee("PNBP penerbitan STNK kendaraan roda empat", 200_000, POLRI_TARIFF),
            fee("PNBP TNKB kendaraan roda dua", 60_000, POLRI_TARIFF),
            fee("PNBP TNKB kendaraan roda empat", 100_000, POLRI_TARIFF),
        ],
        "product": "STNK baru dan Tanda Nomor Kendaraan Bermotor (TNKB/pelat nomor)",
        "complaint_handling": complaints("Samsat"),
        "legal_basis": (
            f"{TRAFFIC_LAW}; Perpres 5/2015 tentang Penyelenggaraan Samsat; PP 76/2020 tentang Jenis dan Tarif PNBP "
            "pada Polri"
        ),
        "online_application": False,
        "in_person_note": "Kendaraan harus dibawa ke Samsat untuk cek fisik sebelum STNK dan pelat nomor diganti.",
    },
    # 17 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "bpjs-kesehatan-mandiri",
        "name": "Pendaftaran Peserta BPJS Kesehatan Mandiri",
        "agency": "bpjs-kesehatan",
        "summary": (
            "Pendaftaran peserta Jaminan Kesehatan Nasional (JKN) kategori pekerja bukan penerima upah (mandiri) "
            "beserta seluruh anggota keluarga dalam satu KK."
        ),
        "keywords": (
            "bpjs, bpjs kesehatan, jkn, kis, jkn-kis, kartu indonesia sehat, daftar bpjs, bpjs mandiri, "
            "asuransi kesehatan, mobile jkn, pbpu, kartu bpjs"
        ),
        "popularity": 80,
        "requirements": [
            document("ktp", "KTP-el"),
            document("kk", "Kartu Keluarga"),
            condition("Seluruh anggota keluarga dalam satu KK didaftarkan bersamaan"),
            condition("Alamat e-mail dan nomor ponsel aktif"),
            document("lainnya", "Halaman depan buku tabungan", note="Untuk autodebet iuran."),
            document("lainnya", "NPWP", note="Bila memiliki.", required=False),
            document("pas_foto", "Pas foto 3×4", note="Berkas digital paling besar 50 KB."),
        ],
        "steps": [
            step("Isi formulir dan pilih kelas perawatan", "Pemohon", 10, "menit"),
            step("Verifikasi data kependudukan", "Petugas BPJS Kesehatan", 15, "menit"),
            step(
                "Penerbitan nomor virtual account",
                "Sistem BPJS Kesehatan",
                5,
                "menit",
                description="Terbit saat pendaftaran disetujui.",
            ),
            step("Pembayaran iuran pertama", "Pemohon", 0, description="Kartu aktif setelah iuran pertama dibayar."),
        ],
        "duration_value": 30,
        "duration_unit": "menit",
        "duration_text": "Saat itu juga",
        "fee_note": (
            "Pendaftaran tidak dipungut biaya. Iuran dibayar setiap bulan per orang sesuai kelas; besarannya dapat "
            "berubah dengan penerapan Kelas Rawat Inap Standar (KRIS)."
        ),
        # Perpres 64/2020: Kelas I/II from 1 July 2020; Kelas III Rp42.000 of which Rp7.000 paid by the state from 2021.
        "fees": [
            fee("Iuran bulanan Kelas I, per orang", 150_000, "Perpres 64/2020", dt.date(2020, 7, 1)),
            fee("Iuran bulanan Kelas II, per orang", 100_000, "Perpres 64/2020", dt.date(2020, 7, 1)),
            fee(
                "Iuran bulanan Kelas III, per orang (Rp42.000 dikurangi bantuan pemerintah Rp7.000)",
                35_000,
                "Perpres 64/2020",
                dt.date(2021, 1, 1),
            ),
        ],
        "product": "Kartu JKN-KIS (digital di aplikasi Mobile JKN)",
        "complaint_handling": complaints("BPJS Kesehatan"),
        "legal_basis": (
            "UU 40/2004 tentang Sistem Jaminan Sosial Nasional; UU 24/2011 tentang BPJS; Perpres 82/2018 tentang "
            "Jaminan Kesehatan sebagaimana diubah terakhir dengan Perpres 64/2020"
        ),
        "online_application": True,
        "in_person_note": None,
    },
    # 18 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "pendaftaran-nikah",
        "name": "Pendaftaran Nikah",
        "agency": "kemenag-kua",
        "summary": (
            "Pendaftaran kehendak nikah bagi calon pengantin beragama Islam di KUA, paling lambat 10 hari kerja "
            "sebelum akad."
        ),
        "keywords": (
            "nikah, menikah, daftar nikah, pendaftaran nikah, kawin, perkawinan, kua, buku nikah, akad nikah, "
            "simkah, n1, n2, n3, n4, calon pengantin, catin"
        ),
        "popularity": 65,
        "requirements": [
            document("lainnya", "Surat pengantar nikah dari desa/kelurahan (formulir N1)"),
            document("lainnya", "Permohonan kehendak nikah (formulir N2)"),
            document("lainnya", "Persetujuan calon pengantin (formulir N3)"),
            document("lainnya", "Izin orang tua (formulir N4)"),
            document("lainnya", "Surat taukil wali (formulir N7)", note="Bila wali nikah diwakilkan.", required=False),
            document("ktp", "KTP-el kedua calon pengantin"),
            document("kk", "Kartu Keluarga kedua calon pengantin"),
            document("akta_kelahiran", "Akta kelahiran kedua calon pengantin"),
            document("pas_foto", "Pas foto 2×3 dan 4×6 berlatar biru"),
            document(
                "lainnya",
                "Surat dispensasi dari camat",
                note="Bila pendaftaran kurang dari 10 hari kerja sebelum akad.",
                required=False,
            ),
        ],
        "steps": [
            step("Daftar kehendak nikah dan unggah berkas", "Calon pengantin", 15, "menit"),
            step("Pemeriksaan berkas, calon pengantin, dan wali", "Penghulu KUA", 1),
            step("Pengumuman kehendak nikah", "KUA", 9),
            step("Akad nikah dan pencatatan", "Penghulu KUA", 0),
            step("Penyerahan buku nikah", "KUA", 0),
        ],
        "duration_value": 10,
        "duration_unit": "hari_kerja",
        "duration_text": "Paling lambat 10 hari kerja sebelum akad",
        "fee_note": None,
        "fees": [
            fee("Nikah di KUA pada hari dan jam kerja", 0, "PP 48/2014"),
            fee("Nikah di luar KUA atau di luar hari dan jam kerja", 600_000, "PP 48/2014"),
        ],
        "product": "Buku nikah",
        "complaint_handling": complaints("KUA"),
        "legal_basis": (
            "UU 1/1974 tentang Perkawinan; PMA 20/2019 tentang Pencatatan Pernikahan; PP 48/2014 tentang tarif PNBP "
            "atas biaya nikah atau rujuk di luar KUA"
        ),
        "online_application": True,
        "in_person_note": (
            "Setelah mendaftar online, calon pengantin dan wali datang ke KUA untuk pemeriksaan berkas sebelum akad."
        ),
    },
    # 19 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "kartu-pencari-kerja",
        "name": "Kartu Pencari Kerja (AK/I)",
        "agency": "disnaker",
        "summary": "Kartu tanda pencari kerja (kartu kuning) yang sering diminta saat melamar pekerjaan atau CPNS.",
        "keywords": (
            "kartu kuning, ak1, ak/i, ak 1, kartu ak1, kartu pencari kerja, pencari kerja, cari kerja, lamaran kerja, "
            "loker, disnaker, kartu kerja"
        ),
        "popularity": 70,
        "requirements": [
            document("ktp", "KTP-el"),
            document("ijazah", "Ijazah terakhir"),
            document("pas_foto", "Pas foto 3×4"),
        ],
        "steps": [
            step("Isi data pencari kerja", "Pemohon", 10, "menit"),
            step("Verifikasi data dan ijazah", "Petugas Disnaker", 15, "menit"),
            step("Pencetakan kartu AK/I", "Petugas Disnaker", 15, "menit"),
        ],
        "duration_value": 1,
        "duration_unit": "hari_kerja",
        "duration_text": "Umumnya hari yang sama",
        "fee_note": None,
        "fees": [fee("Tidak dipungut biaya", 0, "Standar Pelayanan Disnaker")],
        "product": "Kartu AK/I (kartu kuning)",
        "complaint_handling": complaints("Disnaker"),
        "legal_basis": "Permenaker 39/2016 tentang Penempatan Tenaga Kerja",
        "online_application": True,
        "in_person_note": None,
    },
    # 20 ----------------------------------------------------------------------------------------------------------
    {
        "slug": "layanan-pmi",
        "name": "Layanan Calon Pekerja Migran Indonesia (PMI)",
        "agency": "bp3mi",
        "summary": (
            "Pendaftaran dan verifikasi dokumen calon Pekerja Migran Indonesia sampai orientasi pra pemberangkatan, "
            "di satu loket bersama dokumen kependudukan, SKCK, dan paspor."
        ),
        "keywords": (
            "pmi, tki, tkw, pekerja migran, kerja luar negeri, kerja di luar negeri, calon pmi, bp3mi, bp2mi, id pmi, "
            "e-pmi, penempatan, opp"
        ),
        "popularity": 40,
        "requirements": [
            condition("Berusia paling rendah 18 tahun"),
            document("ktp", "KTP-el"),
            document("kk", "Kartu Keluarga"),
            document("akta_kelahiran", "Akta kelahiran"),
            document("ijazah", "Ijazah terakhir"),
            document(
                "lainnya",
                "Surat izin suami/istri, orang tua, atau wali yang diketahui kepala desa/lurah",
            ),
            document("surat_keterangan_sehat", "Surat keterangan sehat dan hasil pemeriksaan psikologi"),
            document("lainnya", "Sertifikat kompetensi kerja"),
            document("paspor", "Paspor", note="Dapat diurus di Imigrasi setelah terdaftar.", required=False),
            in_person("Orientasi Pra Pemberangkatan (OPP)"),
        ],
        "steps": [
            step("Pendaftaran dan verifikasi dokumen", "Petugas BP3MI", 1),
            step("Pemeriksaan kesehatan dan psikologi", "Sarana kesehatan", 3),
            step("Penandatanganan perjanjian kerja dan penerbitan ID PMI", "Petugas BP3MI", 1),
            step("Orientasi Pra Pemberangkatan", "Petugas BP3MI", 1),
        ],
        "duration_value": None,
        "duration_unit": None,
        "duration_text": "Bervariasi sesuai tahapan penempatan",
        "fee_note": None,
        "fees": [fee("Calon PMI tidak dibebani biaya penempatan", 0, "UU 18/2017 Pasal 30")],
        "product": "ID PMI dan dokumen penempatan",
        "complaint_handling": complaints("BP3MI"),
        "legal_basis": "UU 18/2017 tentang Pelindungan Pekerja Migran Indonesia",
        "online_application": False,
        "in_person_note": (
            "Calon PMI hadir di loket BP3MI untuk verifikasi dokumen asli, penandatanganan perjanjian kerja, "
            "dan Orientasi Pra Pemberangkatan."
        ),
        "offered_at": ["kab-banyumas"],
    },
]
