"""Kabupaten/kota of the demo MPPs, keyed by their Kemendagri/BPS code (PP KK: province, then kab/kota).

Codes 01–69 after the province are kabupaten, 71–99 are kota. Kota Samarinda's 6472 is from memory in the
domain notes; the others were checked against public region-code seed data.
"""

REGIONS = [
    {"code": "1171", "name": "Kota Banda Aceh", "kind": "kota", "province_code": "11", "province_name": "Aceh"},
    {
        "code": "1605",
        "name": "Kabupaten Musi Rawas",
        "kind": "kabupaten",
        "province_code": "16",
        "province_name": "Sumatera Selatan",
    },
    {"code": "1872", "name": "Kota Metro", "kind": "kota", "province_code": "18", "province_name": "Lampung"},
    {"code": "2171", "name": "Kota Batam", "kind": "kota", "province_code": "21", "province_name": "Kepulauan Riau"},
    {
        "code": "3302",
        "name": "Kabupaten Banyumas",
        "kind": "kabupaten",
        "province_code": "33",
        "province_name": "Jawa Tengah",
    },
    {
        "code": "3314",
        "name": "Kabupaten Sragen",
        "kind": "kabupaten",
        "province_code": "33",
        "province_name": "Jawa Tengah",
    },
    {"code": "3372", "name": "Kota Surakarta", "kind": "kota", "province_code": "33", "province_name": "Jawa Tengah"},
    {
        "code": "3471",
        "name": "Kota Yogyakarta",
        "kind": "kota",
        "province_code": "34",
        "province_name": "Daerah Istimewa Yogyakarta",
    },
    {
        "code": "3510",
        "name": "Kabupaten Banyuwangi",
        "kind": "kabupaten",
        "province_code": "35",
        "province_name": "Jawa Timur",
    },
    {
        "code": "6472",
        "name": "Kota Samarinda",
        "kind": "kota",
        "province_code": "64",
        "province_name": "Kalimantan Timur",
    },
    {
        "code": "7471",
        "name": "Kota Kendari",
        "kind": "kota",
        "province_code": "74",
        "province_name": "Sulawesi Tenggara",
    },
]
