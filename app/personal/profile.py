"""Data Saya: the profile a citizen enters once and every application is prefilled from.

The rules live here (not in the form), so that the applications capability saving a correction back through
``update_profile_fields`` gets exactly the same checks as the Data Saya page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from .models import MaritalStatus, Profile, Religion, Sex
from .nik import InvalidNumber, parse_kk_number, parse_nik

SEX_LABELS = {Sex.MALE.value: _l("Male"), Sex.FEMALE.value: _l("Female")}
RELIGION_LABELS = {
    Religion.ISLAM.value: "Islam",
    Religion.KRISTEN.value: "Kristen",
    Religion.KATOLIK.value: "Katolik",
    Religion.HINDU.value: "Hindu",
    Religion.BUDDHA.value: "Buddha",
    Religion.KHONGHUCU.value: "Khonghucu",
    Religion.KEPERCAYAAN.value: _l("Belief in God Almighty (Kepercayaan)"),
}
MARITAL_LABELS = {
    MaritalStatus.BELUM_KAWIN.value: _l("Not married"),
    MaritalStatus.KAWIN.value: _l("Married"),
    MaritalStatus.CERAI_HIDUP.value: _l("Divorced"),
    MaritalStatus.CERAI_MATI.value: _l("Widowed"),
}

# Flat keys shared with the applications capability (prefill and save-back). Order = order on the page.
FIELDS = (
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "religion",
    "marital_status",
    "occupation",
    "address_street",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "kabupaten_kota",
    "province",
    "postal_code",
    "phone",
    "email",
)
MAX_LENGTHS = {
    "full_name": 120,
    "birth_place": 80,
    "occupation": 80,
    "address_street": 200,
    "kelurahan": 80,
    "kecamatan": 80,
    "kabupaten_kota": 80,
    "province": 80,
    "email": 254,
}

_PHONE = re.compile(r"(?:\+62|62|0)8\d{7,12}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_RT_RW = re.compile(r"\d{1,3}")
_POSTAL = re.compile(r"[1-9]\d{4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MSG_REQUIRED_NAME = _l("Enter your full name as written on your KTP-el.")
MSG_TOO_LONG = _l("At most {n} characters.")
MSG_CONTROL = _l("Remove the special characters.")
MSG_DATE = _l("Enter a real date, for example 17-08-1990.")
MSG_DATE_FUTURE = _l("The birth date cannot be in the future.")
MSG_DATE_OLD = _l("The birth date must be after 1900.")
MSG_CHOICE = _l("Choose one of the options.")
MSG_RT_RW = _l("Use 1–3 digits, for example 003.")
MSG_POSTAL = _l("A postal code is 5 digits, for example 68411.")
MSG_PHONE = _l("Enter a mobile number such as 081234567890 or +6281234567890.")
MSG_EMAIL = _l("Enter an e-mail address such as nama@contoh.id.")


@dataclass
class ProfileCheck:
    """The outcome of checking a set of values: clean values to store, errors (refuse) and warnings (allow)."""

    clean: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def get_profile(user: User) -> Profile | None:
    return db.session.scalar(select(Profile).where(Profile.user_id == user.id))


def _value_to_str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value.value if hasattr(value, "value") else value)


def profile_prefill(user: User) -> dict[str, str]:
    """Every key of ``FIELDS`` as a string ("" when unknown). Without a profile, what the account knows."""
    profile = get_profile(user)
    if profile is None:
        values = dict.fromkeys(FIELDS, "")
        values.update(full_name=user.display_name or "", email=user.email or "", phone=user.phone or "")
        return values
    return {key: _value_to_str(getattr(profile, key)) for key in FIELDS}


def _text(key: str, raw: str, check: ProfileCheck) -> str | None:
    value = " ".join(raw.split())
    if _CONTROL.search(raw.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
        check.errors[key] = str(MSG_CONTROL)
    elif key in MAX_LENGTHS and len(value) > MAX_LENGTHS[key]:
        check.errors[key] = str(MSG_TOO_LONG).format(n=MAX_LENGTHS[key])
    return value or None


def _date(raw: str, check: ProfileCheck, today: dt.date) -> dt.date | None:
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        # Browsers without a date picker send what was typed; accept the Indonesian day-month-year too.
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", raw)
        try:
            value = dt.date(int(match[3]), int(match[2]), int(match[1])) if match else None
        except ValueError:
            value = None
        if value is None:
            check.errors["birth_date"] = str(MSG_DATE)
            return None
    if value > today:
        check.errors["birth_date"] = str(MSG_DATE_FUTURE)
    elif value.year < 1900:
        check.errors["birth_date"] = str(MSG_DATE_OLD)
    return value


def check_profile(values: dict[str, str], *, today: dt.date | None = None) -> ProfileCheck:
    """Check every key of ``FIELDS`` present in ``values`` (strings, as typed). Nothing is stored here."""
    today = today or dt.date.today()
    check = ProfileCheck()
    raw = {key: (values.get(key) or "").strip() for key in FIELDS if key in values}
    for key, value in raw.items():
        if key == "nik":
            if value:
                try:
                    check.clean["nik"] = parse_nik(value, today=today).nik
                except InvalidNumber as error:
                    check.errors["nik"] = str(error.message)
            else:
                check.clean["nik"] = None
        elif key == "kk_number":
            if value:
                try:
                    check.clean["kk_number"] = parse_kk_number(value)
                except InvalidNumber as error:
                    check.errors["kk_number"] = str(error.message)
            else:
                check.clean["kk_number"] = None
        elif key == "birth_date":
            check.clean["birth_date"] = _date(value, check, today)
        elif key in ("sex", "religion", "marital_status"):
            enum_class = {"sex": Sex, "religion": Religion, "marital_status": MaritalStatus}[key]
            if value and value not in {member.value for member in enum_class}:
                check.errors[key] = str(MSG_CHOICE)
            check.clean[key] = enum_class(value) if value and key not in check.errors else None
        elif key in ("rt", "rw"):
            if value and not _RT_RW.fullmatch(value):
                check.errors[key] = str(MSG_RT_RW)
            check.clean[key] = value.zfill(3) if value else None
        elif key == "postal_code":
            if value and not _POSTAL.fullmatch(value):
                check.errors[key] = str(MSG_POSTAL)
            check.clean[key] = value or None
        elif key == "phone":
            number = re.sub(r"[\s\-().]", "", value)
            if number and not _PHONE.fullmatch(number):
                check.errors[key] = str(MSG_PHONE)
            check.clean[key] = number or None
        elif key == "email":
            if value and (not _EMAIL.fullmatch(value) or len(value) > MAX_LENGTHS["email"]):
                check.errors[key] = str(MSG_EMAIL)
            check.clean[key] = value.lower() or None
        else:
            check.clean[key] = _text(key, value, check)
    if "full_name" in raw and not check.clean.get("full_name") and "full_name" not in check.errors:
        check.errors["full_name"] = str(MSG_REQUIRED_NAME)
    return check


def nik_warnings(*, nik: str | None, sex, birth_date: dt.date | None, today: dt.date | None = None) -> list[str]:
    """The NIK's own sex and birth date against the stated ones: warnings only (domain.md §3.4)."""
    from .nik import nik_mismatches

    if not nik:
        return []
    try:
        info = parse_nik(nik, today=today)
    except InvalidNumber:
        return []
    return nik_mismatches(info, sex=_value_to_str(sex) or None, birth_date=birth_date, sex_labels=SEX_LABELS)


def save_profile(user: User, values: dict[str, str], *, keep_nik_when_blank: bool = False) -> ProfileCheck:
    """Check and store Data Saya. Returns the check; nothing is written when it has errors.

    ``keep_nik_when_blank``: the page never sends a stored NIK/KK back to the browser unless revealed, so an empty
    field there means "unchanged", not "remove".
    """
    check = check_profile(values)
    if not check.ok:
        return check
    profile = get_profile(user)
    if profile is None:
        profile = Profile(user_id=user.id, full_name=check.clean.get("full_name") or user.display_name)
        db.session.add(profile)
    for key, value in check.clean.items():
        if keep_nik_when_blank and key in ("nik", "kk_number") and value is None:
            continue
        setattr(profile, key, value)
    db.session.commit()
    check.warnings["nik"] = nik_warnings(nik=profile.nik, sex=profile.sex, birth_date=profile.birth_date)
    return check


def update_profile_fields(user: User, values: dict[str, str]) -> ProfileCheck:
    """Save some fields back (e.g. corrected on an application form); others stay as they are.

    Unknown keys are a programming error. Returns the ``ProfileCheck``: look at ``.ok`` / ``.errors``.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise KeyError(f"not Data Saya fields: {sorted(unknown)}")
    merged = profile_prefill(user)
    merged.update({key: value or "" for key, value in values.items()})
    return save_profile(user, merged)
