"""NIK and nomor KK: validation and what a NIK tells us (pure functions, no database, no request).

A NIK (Nomor Induk Kependudukan, UU 24/2013 Adminduk) is 16 digits: PP KK CC DD MM YY SSSS —
province, kabupaten/kota, kecamatan of *first registration* (it does not change when the person moves),
day of birth (+40 for women, so 41–71), month, the last two digits of the year, and a serial from 0001.

Only Dukcapil can say whether a NIK really exists; these checks catch typing mistakes. A NIK is permanent and is
not reissued when a birth date is corrected, so a NIK whose derived sex or birth date disagrees with what the
citizen typed is a *warning*, never a rejection.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import UserFacingError

# Province codes (kode wilayah, Permendagri 58/2021 and its updates). The four-to-six Papua provinces created in
# 2022 (Papua Selatan, Papua Tengah, Papua Pegunungan, Papua Barat Daya) are not settled in the sources we have:
# 92 is Papua Barat, and 93–96 are taken here as the new provinces. Unverified — accept rather than wrongly refuse
# a citizen's real NIK; the code list is the single place to correct once Kemendagri's list is checked.
PROVINCE_CODES: frozenset[str] = frozenset(
    [f"{code}" for code in range(11, 20)]  # Sumatra: Aceh (11) … Kepulauan Bangka Belitung (19)
    + ["21"]  # Kepulauan Riau
    + [f"{code}" for code in range(31, 37)]  # DKI Jakarta … Banten
    + ["51", "52", "53"]  # Bali, NTB, NTT
    + [f"{code}" for code in range(61, 66)]  # Kalimantan, incl. Kalimantan Utara (65)
    + [f"{code}" for code in range(71, 77)]  # Sulawesi, incl. Sulawesi Barat (76)
    + ["81", "82"]  # Maluku, Maluku Utara
    + [f"{code}" for code in range(91, 97)]  # Papua (91), Papua Barat (92), new Papua provinces (93–96) [unverified]
)

_DIGITS16 = re.compile(r"\d{16}")
_SEPARATORS = re.compile(r"[\s.\-]")

MSG_REQUIRED_16 = _l("Enter the 16 digits of the number.")
MSG_DIGITS_ONLY = _l("Use digits only (0–9), without letters.")
MSG_LENGTH = _l("The number must be exactly 16 digits.")
MSG_PROVINCE = _l("The first two digits are not a known province code. Check the number on your KTP-el.")
MSG_REGENCY = _l("Digits 3–4 (regency/city code) cannot be 00.")
MSG_DISTRICT = _l("Digits 5–6 (district code) cannot be 00.")
MSG_DAY = _l("Digits 7–8 (day of birth) must be 01–31, or 41–71 for women.")
MSG_MONTH = _l("Digits 9–10 (month of birth) must be 01–12.")
MSG_DATE = _l("Digits 7–12 are not a real date of birth.")
MSG_SERIAL = _l("The last four digits cannot be 0000.")
WARN_SEX = _l("This NIK belongs to a {nik_sex}, but the sex you chose is {typed_sex}. Check both.")
WARN_BIRTH_DATE = _l(
    "This NIK gives the birth date {nik_date}, but you typed {typed_date}. "
    "A NIK is not changed when a birth date is corrected, so we saved it; check both."
)


class InvalidNumber(UserFacingError, ValueError):
    """A NIK or KK number that cannot be right. ``message`` is ready to show next to the field."""


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province_code: str  # "35"
    regency_code: str  # "3510" — kabupaten/kota (01–69 kabupaten, 71–99 kota)
    district_code: str  # "351001" — kecamatan of first registration
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    birth_date: dt.date
    serial: str


def normalize_number(value: str | None) -> str:
    """What people paste: spaces, dots or dashes between groups. Letters stay, so they can be reported."""
    return _SEPARATORS.sub("", value or "")


def _check_digits(number: str) -> None:
    if not number:
        raise InvalidNumber(MSG_REQUIRED_16)
    if not number.isascii() or not number.isdigit():
        raise InvalidNumber(MSG_DIGITS_ONLY)
    if not _DIGITS16.fullmatch(number):
        raise InvalidNumber(MSG_LENGTH)


def _check_region(number: str) -> None:
    if number[:2] not in PROVINCE_CODES:
        raise InvalidNumber(MSG_PROVINCE)
    if number[2:4] == "00":
        raise InvalidNumber(MSG_REGENCY)
    if number[4:6] == "00":
        raise InvalidNumber(MSG_DISTRICT)


def _century(two_digits: int, month: int, day: int, today: dt.date) -> int:
    """YY → 20YY unless that would be in the future, then 19YY (nobody holding a NIK is born tomorrow)."""
    year = 2000 + two_digits
    try:
        if dt.date(year, month, day) > today:
            year -= 100
    except ValueError:  # 29 February of a non-leap 20YY: decide on the year alone
        if year > today.year:
            year -= 100
    return year


def parse_nik(value: str | None, *, today: dt.date | None = None) -> NikInfo:
    """Validate a NIK and derive sex and birth date. Raises ``InvalidNumber`` with a message for the field."""
    number = normalize_number(value)
    _check_digits(number)
    _check_region(number)
    day, month, year2 = int(number[6:8]), int(number[8:10]), int(number[10:12])
    female = 41 <= day <= 71
    if not (1 <= day <= 31 or female):
        raise InvalidNumber(MSG_DAY)
    if not 1 <= month <= 12:
        raise InvalidNumber(MSG_MONTH)
    if number[12:] == "0000":
        raise InvalidNumber(MSG_SERIAL)
    real_day = day - 40 if female else day
    year = _century(year2, month, real_day, today or dt.date.today())
    try:
        birth_date = dt.date(year, month, real_day)
    except ValueError:
        # 30 February and the like: digits that are each in range but no calendar has. Almost surely a typo.
        raise InvalidNumber(MSG_DATE) from None
    return NikInfo(
        nik=number,
        province_code=number[:2],
        regency_code=number[:4],
        district_code=number[:6],
        sex="P" if female else "L",
        birth_date=birth_date,
        serial=number[12:],
    )


def parse_kk_number(value: str | None) -> str:
    """Validate a nomor KK: 16 digits starting with the kode wilayah where the card was issued.

    The rest (recording date and family serial, a 6+4 split) is not documented reliably, so it is not checked.
    """
    number = normalize_number(value)
    _check_digits(number)
    _check_region(number)
    return number


def nik_mismatches(info: NikInfo, *, sex: str | None, birth_date: dt.date | None, sex_labels: dict) -> list[str]:
    """Warnings (never errors) when the NIK disagrees with the sex or birth date the citizen typed."""
    warnings: list[str] = []
    if sex and sex != info.sex:
        warnings.append(
            str(WARN_SEX).format(nik_sex=str(sex_labels[info.sex]).lower(), typed_sex=str(sex_labels[sex]).lower())
        )
    if birth_date and birth_date != info.birth_date:
        warnings.append(
            str(WARN_BIRTH_DATE).format(
                nik_date=info.birth_date.strftime("%d-%m-%Y"), typed_date=birth_date.strftime("%d-%m-%Y")
            )
        )
    return warnings


def mask_number(value: str | None) -> str:
    """3510••••••••0001: enough to recognise one's own number on a shared screen, not enough to misuse it."""
    if not value:
        return ""
    if len(value) <= 8:
        return "•" * len(value)
    return value[:4] + "•" * (len(value) - 8) + value[-4:]
