"""The 10 pilot MPPs of MPP Digital plus Sragen, with their hours and tenant agencies.

`tenants` lists agency slugs (see agencies.py) in counter order: the loader names the counters "Loket 1", "Loket 2"…
unless a tenant gives its own `counter`. A tenant given as a dict may also carry a `note` and its own `hours`
(see hours.py); without `hours` it serves whenever the MPP is open.

Addresses: Banda Aceh, Samarinda and Yogyakarta are the published ones; the others are typical addresses in the
government quarter of the town, for the demo only.
"""

import datetime as dt

from .hours import (
    MORNINGS,
    THREE_DAYS,
    WEEKDAYS,
    WEEKDAYS_AND_SATURDAY,
    WEEKDAYS_FRIDAY_BREAK,
    WEEKDAYS_FRIDAY_BREAK_AND_SATURDAY,
)

JAKARTA = "Asia/Jakarta"  # WIB
MAKASSAR = "Asia/Makassar"  # WITA

MPPS = [
    {
        "slug": "kab-banyuwangi",
        "name": "MPP Kabupaten Banyuwangi",
        "region": "3510",
        "address": "Jl. Dokter Sutomo No. 1, Kepatihan, Kec. Banyuwangi, Kabupaten Banyuwangi",
        "timezone": JAKARTA,
        "opened_on": None,  # opened in 2017; the exact day is not recorded here
        "description": (
            "MPP pertama yang dikelola pemerintah kabupaten (dibuka 2017), dengan sekitar 300 jenis layanan. "
            "Banyuwangi adalah asal MPP Digital: aplikasi SmartKampung-nya diadopsi secara nasional oleh "
            "Kementerian PANRB. Anjungan swalayan KTP-el juga tersedia di desa-desa."
        ),
        "hours": WEEKDAYS_AND_SATURDAY,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            {"agency": "imigrasi", "hours": WEEKDAYS, "note": "Tidak melayani pada hari Sabtu."},
            {"agency": "kpp-pratama", "hours": WEEKDAYS, "note": "Tidak melayani pada hari Sabtu."},
            {"agency": "bpn", "hours": WEEKDAYS},
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "pln",
            "bank-daerah",
        ],
    },
    {
        "slug": "kab-banyumas",
        "name": "MPP Kabupaten Banyumas",
        "region": "3302",
        "address": "Jl. Jenderal Soedirman No. 1, Purwokerto, Kabupaten Banyumas",
        "timezone": JAKARTA,
        "opened_on": dt.date(2019, 1, 18),
        "description": (
            "Diresmikan 18 Januari 2019. MPP Banyumas menonjolkan layanan penempatan dan pelindungan Pekerja "
            "Migran Indonesia (PMI): calon PMI dapat mengurus dokumen kependudukan, SKCK, paspor, dan "
            "pendaftaran BP3MI di satu tempat."
        ),
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            {
                "agency": "bp3mi",
                "note": "Layanan calon Pekerja Migran Indonesia (PMI) dari pendaftaran hingga orientasi.",
            },
            "bapenda",
            "samsat",
            "polres",
            "imigrasi",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-banda-aceh",
        "name": "MPP Kota Banda Aceh",
        "region": "1171",
        "address": "Lt. III Gedung Pasar Aceh Baru, Jl. Diponegoro, Kota Banda Aceh",
        "timezone": JAKARTA,
        "opened_on": dt.date(2019, 12, 3),  # soft launch
        "description": (
            "Berada di lantai III Gedung Pasar Aceh Baru, diluncurkan (soft launch) 3 Desember 2019 dengan "
            "21 instansi. Banda Aceh termasuk lokasi percontohan MPP Digital nasional sejak 2023."
        ),
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            "imigrasi",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-batam",
        "name": "MPP Kota Batam",
        "region": "2171",
        "address": "Jl. Engku Putri, Batam Centre, Kota Batam",
        "timezone": JAKARTA,
        "opened_on": None,
        "description": (
            "Panutan MPP nasional: sekitar 427 jenis layanan dari 30 instansi dan sekitar 800 pengunjung per hari. "
            "Selain Pemerintah Kota, hadir BP Batam, Pemprov Kepri, Samsat, Polri, Imigrasi, Bea Cukai, BPN, "
            "Kemenkumham, Kemnaker, Kemenag, Kejaksaan Negeri, BPJS, notaris dan PPAT, penyedia air dan listrik, "
            "serta enam bank."
        ),
        "hours": WEEKDAYS_AND_SATURDAY,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            {"agency": "bp-batam", "hours": WEEKDAYS},
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            {"agency": "imigrasi", "hours": WEEKDAYS, "note": "Tidak melayani pada hari Sabtu."},
            {"agency": "bea-cukai", "hours": WEEKDAYS},
            {"agency": "kpp-pratama", "hours": WEEKDAYS},
            {"agency": "bpn", "hours": WEEKDAYS},
            "kemenag-kua",
            {"agency": "kejari", "hours": WEEKDAYS},
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pln",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-kendari",
        "name": "MPP Kota Kendari",
        "region": "7471",
        "address": "Jl. Drs. H. Abdullah Silondae, Mandonga, Kota Kendari",
        "timezone": MAKASSAR,
        "opened_on": None,
        "description": (
            "Salah satu lokasi percontohan MPP Digital yang diluncurkan Wakil Presiden pada 20 Juni 2023. "
            "Jam layanan mengikuti Waktu Indonesia Tengah (WITA)."
        ),
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            "imigrasi",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-yogyakarta",
        "name": "MPP Kota Yogyakarta",
        "region": "3471",
        "address": "Gedung DPMPTSP, Kompleks Balai Kota, Jl. Kenari No. 56, Muja Muju, Kota Yogyakarta",
        "timezone": JAKARTA,
        "opened_on": dt.date(2021, 6, 30),
        "description": (
            "Dibuka 30 Juni 2021 di gedung DPMPTSP dengan 24 layanan saat peluncuran. Dilengkapi layanan "
            "lantatur (layanan tanpa turun, drive-thru) dan loket BPJS Kesehatan, BPJS Ketenagakerjaan, "
            "Bea Cukai, Imigrasi, serta Samsat."
        ),
        "hours": WEEKDAYS,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            {
                "agency": "samsat",
                "note": "Pembayaran pajak kendaraan tahunan juga dapat melalui lantatur (drive-thru).",
            },
            "polres",
            "imigrasi",
            "bea-cukai",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-surakarta",
        "name": "MPP Kota Surakarta",
        "region": "3372",
        "address": "Kompleks Balai Kota, Jl. Jenderal Sudirman No. 2, Kota Surakarta",
        "timezone": JAKARTA,
        "opened_on": None,
        "description": "Salah satu lokasi percontohan MPP Digital yang diluncurkan Wakil Presiden pada 20 Juni 2023.",
        "hours": WEEKDAYS_FRIDAY_BREAK_AND_SATURDAY,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            {"agency": "imigrasi", "hours": WEEKDAYS_FRIDAY_BREAK, "note": "Tidak melayani pada hari Sabtu."},
            {"agency": "kpp-pratama", "hours": WEEKDAYS_FRIDAY_BREAK},
            {"agency": "bpn", "hours": WEEKDAYS_FRIDAY_BREAK},
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-samarinda",
        "name": "MPP Kota Samarinda",
        "region": "6472",
        "address": "Graha Tepian, Jl. Basuki Rahmat No. 78, Kota Samarinda",
        "timezone": MAKASSAR,
        "opened_on": dt.date(2019, 12, 19),
        "description": (
            "Dibuka 19 Desember 2019 di Graha Tepian; kini 43 instansi dengan 44 loket. Perhatikan jam tiap "
            "loket: layanan SIM (Polres) dan KPP Pratama hanya sampai pukul 12.00 WITA, BPOM hadir tiga hari "
            "dalam seminggu, sedangkan BPJS Kesehatan melayani sepanjang jam buka."
        ),
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            {"agency": "disdukcapil", "counter": "Loket 1–4"},
            {"agency": "dpmptsp", "counter": "Loket 5–6"},
            {"agency": "dinkes", "counter": "Loket 7"},
            {"agency": "disnaker", "counter": "Loket 8"},
            {"agency": "bapenda", "counter": "Loket 9"},
            {"agency": "samsat", "counter": "Loket 10–11"},
            {
                "agency": "polres",
                "counter": "Loket 12–13",
                "hours": MORNINGS,
                "note": "Layanan SIM dan SKCK hanya sampai pukul 12.00 WITA.",
            },
            {"agency": "imigrasi", "counter": "Loket 14"},
            {
                "agency": "kpp-pratama",
                "counter": "Loket 15",
                "hours": MORNINGS,
                "note": "Hanya sampai pukul 12.00 WITA.",
            },
            {"agency": "bpn", "counter": "Loket 16"},
            {"agency": "kemenag-kua", "counter": "Loket 17"},
            {"agency": "bpjs-kesehatan", "counter": "Loket 18"},  # all day: the MPP's own hours
            {"agency": "bpjs-ketenagakerjaan", "counter": "Loket 19"},
            {
                "agency": "bpom",
                "counter": "Loket 20",
                "hours": THREE_DAYS,
                "note": "Hadir tiga hari dalam seminggu.",
            },
            {"agency": "pdam", "counter": "Loket 21"},
            {"agency": "bank-daerah", "counter": "Loket 22"},
        ],
    },
    {
        "slug": "kab-musi-rawas",
        "name": "MPP Kabupaten Musi Rawas",
        "region": "1605",
        "address": "Jl. Lintas Sumatera, Muara Beliti Baru, Kabupaten Musi Rawas",
        "timezone": JAKARTA,
        "opened_on": dt.date(2023, 7, 13),
        "description": "Diresmikan 13 Juli 2023 dan ditunjuk sebagai lokasi percontohan MPP Digital.",
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "bank-daerah",
        ],
    },
    {
        "slug": "kota-metro",
        "name": "MPP Kota Metro",
        "region": "1872",
        "address": "Jl. A.H. Nasution No. 5, Imopuro, Kota Metro",
        "timezone": JAKARTA,
        "opened_on": None,
        "description": "Salah satu lokasi percontohan MPP Digital yang diluncurkan Wakil Presiden pada 20 Juni 2023.",
        "hours": WEEKDAYS,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
    {
        "slug": "kab-sragen",
        "name": "MPP Kabupaten Sragen",
        "region": "3314",
        "address": "Jl. Raya Sukowati, Sragen Kulon, Kabupaten Sragen",
        "timezone": JAKARTA,
        "opened_on": None,
        "description": (
            "MPP “Askara Bumi Sukowati”, lokasi uji coba MPP Digital bersama PT Telkom dengan tujuan "
            "satu aplikasi dan satu akun untuk semua layanan."
        ),
        "hours": WEEKDAYS_FRIDAY_BREAK,
        "tenants": [
            "disdukcapil",
            "dpmptsp",
            "dinkes",
            "disnaker",
            "bapenda",
            "samsat",
            "polres",
            "kpp-pratama",
            "bpn",
            "kemenag-kua",
            "bpjs-kesehatan",
            "bpjs-ketenagakerjaan",
            "pdam",
            "bank-daerah",
        ],
    },
]
