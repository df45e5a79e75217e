"""Agencies (instansi) that serve at the demo MPPs.

One row stands for the agency type (every kab/kota has its own Disdukcapil); which one serves where is the
tenancy in mpps.py. Websites are given only for national bodies with one well-known address.
"""

AGENCIES = [
    {
        "slug": "disdukcapil",
        "name": "Dinas Kependudukan dan Pencatatan Sipil",
        "short_name": "Disdukcapil",
        "description": "KTP-el, Kartu Keluarga, akta pencatatan sipil, pindah datang, dan aktivasi IKD.",
        "website": None,
    },
    {
        "slug": "dpmptsp",
        "name": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "short_name": "DPMPTSP",
        "description": "Perizinan berusaha (NIB melalui OSS) dan perizinan non-berusaha seperti izin praktik tenaga kesehatan.",
        "website": None,
    },
    {
        "slug": "dinkes",
        "name": "Dinas Kesehatan",
        "short_name": "Dinkes",
        "description": "Rekomendasi teknis izin praktik tenaga kesehatan dan layanan informasi kesehatan.",
        "website": None,
    },
    {
        "slug": "disnaker",
        "name": "Dinas Tenaga Kerja",
        "short_name": "Disnaker",
        "description": "Kartu pencari kerja (AK/I), informasi lowongan, dan pelatihan kerja.",
        "website": None,
    },
    {
        "slug": "bapenda",
        "name": "Badan Pendapatan Daerah",
        "short_name": "Bapenda",
        "description": "Pajak daerah kabupaten/kota: PBB-P2, BPHTB, dan pajak daerah lainnya.",
        "website": None,
    },
    {
        "slug": "samsat",
        "name": "Sistem Administrasi Manunggal Satu Atap",
        "short_name": "Samsat",
        "description": (
            "Layanan bersama Bapenda provinsi, Kepolisian, dan Jasa Raharja: pajak kendaraan bermotor, "
            "SWDKLLJ, serta pengesahan dan penggantian STNK."
        ),
        "website": None,
    },
    {
        "slug": "polres",
        "name": "Kepolisian Resor",
        "short_name": "Polres",
        "description": "Surat Keterangan Catatan Kepolisian (SKCK) dan Surat Izin Mengemudi (SIM).",
        "website": "https://polri.go.id",
    },
    {
        "slug": "imigrasi",
        "name": "Kantor Imigrasi",
        "short_name": "Imigrasi",
        "description": "Paspor biasa bagi warga negara Indonesia dan layanan keimigrasian lainnya.",
        "website": "https://www.imigrasi.go.id",
    },
    {
        "slug": "kpp-pratama",
        "name": "Kantor Pelayanan Pajak Pratama",
        "short_name": "KPP Pratama",
        "description": "NPWP, konsultasi, dan pelaporan pajak pusat.",
        "website": "https://www.pajak.go.id",
    },
    {
        "slug": "bpn",
        "name": "Kantor Pertanahan (Kementerian ATR/BPN)",
        "short_name": "BPN",
        "description": "Informasi pertanahan, pendaftaran dan peralihan hak atas tanah.",
        "website": "https://www.atrbpn.go.id",
    },
    {
        "slug": "kemenag-kua",
        "name": "Kantor Urusan Agama, Kementerian Agama",
        "short_name": "KUA",
        "description": "Pendaftaran dan pencatatan nikah, serta layanan keagamaan lainnya.",
        "website": "https://kemenag.go.id",
    },
    {
        "slug": "bpjs-kesehatan",
        "name": "BPJS Kesehatan",
        "short_name": "BPJS Kesehatan",
        "description": "Pendaftaran dan perubahan data peserta Jaminan Kesehatan Nasional (JKN).",
        "website": "https://bpjs-kesehatan.go.id",
    },
    {
        "slug": "bpjs-ketenagakerjaan",
        "name": "BPJS Ketenagakerjaan",
        "short_name": "BPJS Ketenagakerjaan",
        "description": "Kepesertaan dan klaim jaminan sosial ketenagakerjaan (JHT, JKK, JKM, JP).",
        "website": "https://www.bpjsketenagakerjaan.go.id",
    },
    {
        "slug": "bp3mi",
        "name": "Balai Pelayanan Pelindungan Pekerja Migran Indonesia",
        "short_name": "BP3MI",
        "description": "Pendaftaran, penempatan, dan pelindungan calon Pekerja Migran Indonesia (PMI).",
        "website": None,
    },
    {
        "slug": "pdam",
        "name": "Perusahaan Daerah Air Minum",
        "short_name": "PDAM",
        "description": "Sambungan baru, pembayaran, dan pengaduan layanan air minum.",
        "website": None,
    },
    {
        "slug": "pln",
        "name": "PT PLN (Persero)",
        "short_name": "PLN",
        "description": "Pasang baru, tambah daya, dan pengaduan layanan listrik.",
        "website": "https://web.pln.co.id",
    },
    {
        "slug": "bank-daerah",
        "name": "Bank Pembangunan Daerah",
        "short_name": "Bank Daerah",
        "description": "Pembayaran pajak, retribusi, dan PNBP di loket MPP.",
        "website": None,
    },
    {
        "slug": "bpom",
        "name": "Balai Pengawas Obat dan Makanan",
        "short_name": "BPOM",
        "description": "Konsultasi dan perizinan obat, pangan olahan, kosmetik, dan sertifikasi produksi pangan.",
        "website": "https://www.pom.go.id",
    },
    {
        "slug": "bea-cukai",
        "name": "Kantor Pengawasan dan Pelayanan Bea dan Cukai",
        "short_name": "Bea Cukai",
        "description": "Informasi kepabeanan dan cukai, barang kiriman, dan fasilitas ekspor-impor.",
        "website": "https://www.beacukai.go.id",
    },
    {
        "slug": "bp-batam",
        "name": "Badan Pengusahaan Batam",
        "short_name": "BP Batam",
        "description": "Perizinan dan pengelolaan lahan di kawasan perdagangan bebas Batam.",
        "website": "https://bpbatam.go.id",
    },
    {
        "slug": "kejari",
        "name": "Kejaksaan Negeri",
        "short_name": "Kejari",
        "description": "Pembayaran denda tilang dan pengambilan barang bukti.",
        "website": None,
    },
]
