"""Anggota keluarga: the members of a citizen's KK, entered once, and the links of members' own accounts (issue 13).

A citizen lists the people they apply for (a child's akta kelahiran, an elderly parent's BPJS). Each entry is checked
like the citizen's own Data Saya (personal/nik.py: the NIK's structure is an error, a birth date that disagrees with
the NIK is only a warning — a NIK is never reissued when a birth date is corrected, domain.md §3.4).

An adult member with an account of their own can **link** it to the entry that describes them. That is the member's
consent to be applied for, so it takes the member's own passkey, asserted for this very act (``accept_link`` is
called only after ``ceremonies.finish_reauthenticate`` succeeded for the member), and the one-time code the citizen
gives them. A linked member then sees what is done in their name, every such act is in *their* Riwayat akses, and
they can revoke the link at any time (UU 27/2022 Pasal 9: consent can be withdrawn). After a revocation the citizen
can no longer apply for them until they link again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..database import utcnow
from ..errors import UserFacingError
from ..extensions import db
from .models import FamilyLink, FamilyMember, Relationship
from .nik import MSG_REQUIRED_16, InvalidNumber, normalize_number, parse_nik
from .privacy import record_access
from .profile import check_profile, get_profile, nik_warnings

RELATIONSHIP_LABELS = {
    Relationship.CHILD.value: _l("Child"),
    Relationship.SPOUSE.value: _l("Husband or wife"),
    Relationship.PARENT.value: _l("Father or mother"),
    Relationship.SIBLING.value: _l("Brother or sister"),
    Relationship.GRANDCHILD.value: _l("Grandchild"),
    Relationship.GRANDPARENT.value: _l("Grandparent"),
    Relationship.PARENT_IN_LAW.value: _l("Parent-in-law"),
    Relationship.CHILD_IN_LAW.value: _l("Son- or daughter-in-law"),
    Relationship.OTHER.value: _l("Other family"),
}

# UU 24/2013 Pasal 63: a resident must hold a KTP-el from 17 (or earlier when married) — the age from which a person
# acts for themself in population administration. Only such a member can have their own link to confirm.
ADULT_AGE = 17
MAX_MEMBERS = 20  # a KK rarely lists more than 10; a cap keeps a script from filling the table
LINK_CODE_LIFETIME = dt.timedelta(hours=24)
# No 0/O, 1/I/L: the code is read aloud or typed from a chat message. 8 of 31 symbols ≈ 40 bits, single use,
# 24 hours, rate-limited where it is typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
REVOKED_BY_MEMBER, REVOKED_BY_OWNER = "anggota", "pemilik"
FIELDS = ("full_name", "nik", "relationship", "birth_date", "birth_place", "same_kk")
# Data Saya keys printed once on a KK and so shared by everyone on it: its number and the family's address.
SHARED_ON_KK = (
    "kk_number",
    "address_street",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "kabupaten_kota",
    "province",
    "postal_code",
)

MSG_NAME = _l("Enter the member's full name as written on the KK.")
MSG_RELATIONSHIP = _l("Choose how this person is related to you.")
MSG_SAME_KK = _l("Say whether this person is on the same KK as you.")
MSG_DUPLICATE = _l("A member with this NIK is already on your list.")
MSG_OWN_NIK = _l("This is your own NIK. Add the other members of your family here.")
MSG_TOO_MANY = _l("You can list at most %(n)s family members.")
MSG_NIK_LOCKED = _l("The NIK cannot be changed while this member's own account is linked.")
MSG_NOT_ADULT = _l("Only a member aged 17 or over can link their own account.")
MSG_ALREADY_LINKED = _l("This member's account is already linked.")
MSG_CODE_INVALID = _l("This code is not valid or has expired. Ask your family member for a new code.")
MSG_CODE_OWN = _l("You cannot link to your own family list.")
MSG_NO_NIK = _l("Enter your NIK in Data Saya first: it must match the NIK your family member entered.")
MSG_NIK_MISMATCH = _l(
    "The NIK in your Data Saya is not the NIK your family member entered for you. Ask them to check it."
)
MSG_BIRTH_FROM_NIK = _l("Taken from the NIK, because no birth date was entered.")


class FamilyError(UserFacingError, ValueError):
    """A family action that cannot be done. ``message`` is ready to show the citizen."""


@dataclass
class MemberCheck:
    clean: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    member: FamilyMember | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading -------------------------------------------------------------------------------------------------------


def list_members(owner: User) -> list[FamilyMember]:
    return list(
        db.session.scalars(
            select(FamilyMember).where(FamilyMember.owner_id == owner.id).order_by(FamilyMember.birth_date)
        )
    )


def get_member(owner: User, member_id: int) -> FamilyMember | None:
    """The owner's own entry; someone else's is indistinguishable from none."""
    return db.session.scalar(
        select(FamilyMember).where(FamilyMember.id == member_id, FamilyMember.owner_id == owner.id)
    )


def age_on(member: FamilyMember, today: dt.date) -> int:
    born = member.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_adult(member: FamilyMember, *, today: dt.date | None = None) -> bool:
    return age_on(member, today or dt.date.today()) >= ADULT_AGE


def active_link(member: FamilyMember) -> FamilyLink | None:
    return db.session.scalar(
        select(FamilyLink).where(FamilyLink.member_id == member.id, FamilyLink.revoked_at.is_(None))
    )


def linked_account(member: FamilyMember) -> User | None:
    link = active_link(member)
    return db.session.get(User, link.account_id) if link else None


def consent_withdrawn(member: FamilyMember) -> bool:
    """The member's own account revoked the link and has not linked again: nobody applies for them any more."""
    last = db.session.scalar(
        select(FamilyLink).where(FamilyLink.member_id == member.id).order_by(FamilyLink.id.desc()).limit(1)
    )
    return last is not None and last.revoked_at is not None and last.revoked_by == REVOKED_BY_MEMBER


@dataclass(frozen=True)
class LinkStates:
    """For a list of members, what active_link and consent_withdrawn say of each — read in one statement."""

    active: dict[int, FamilyLink | None]
    withdrawn: dict[int, bool]


def link_states(members: list[FamilyMember]) -> LinkStates:
    """The family page's two facts per member from one read of their links (oldest first), instead of two
    statements per member."""
    ids = [member.id for member in members]
    links = (
        db.session.scalars(select(FamilyLink).where(FamilyLink.member_id.in_(ids)).order_by(FamilyLink.id)).all()
        if ids
        else []
    )
    active: dict[int, FamilyLink | None] = dict.fromkeys(ids)
    last: dict[int, FamilyLink] = {}
    for link in links:
        last[link.member_id] = link
        if link.revoked_at is None:
            active[link.member_id] = link
    withdrawn = {
        member_id: member_id in last
        and last[member_id].revoked_at is not None
        and last[member_id].revoked_by == REVOKED_BY_MEMBER
        for member_id in ids
    }
    return LinkStates(active=active, withdrawn=withdrawn)


def member_prefill(member: FamilyMember, owner_values: dict[str, str]) -> dict[str, str]:
    """The member as Data Saya keys (personal/profile.py FIELDS), for the *subject* fields of an application.

    Name, NIK and birth come from the entry; sex from the NIK. A member on the same KK shares its number and the
    address printed on it, so those come from the citizen's Data Saya; anything else (phone, e-mail, occupation)
    is the member's own and unknown here, so it stays empty rather than being the citizen's.
    """
    values = dict.fromkeys(owner_values, "")
    try:
        sex = parse_nik(member.nik).sex
    except InvalidNumber:
        sex = ""
    values.update(
        nik=member.nik,
        full_name=member.full_name,
        birth_place=member.birth_place or "",
        birth_date=member.birth_date.isoformat(),
        sex=sex,
    )
    if member.same_kk:
        for key in SHARED_ON_KK:
            values[key] = owner_values.get(key, "")
    return values


# --- adding, changing, removing ------------------------------------------------------------------------------------


def _form_values(member: FamilyMember) -> dict[str, str]:
    return {
        "full_name": member.full_name,
        "nik": member.nik,
        "relationship": member.relationship.value,
        "birth_date": member.birth_date.isoformat(),
        "birth_place": member.birth_place or "",
        "same_kk": "ya" if member.same_kk else "tidak",
    }


def form_values(member: FamilyMember | None) -> dict[str, str]:
    """What the add/edit form shows (strings)."""
    if member is None:
        return dict.fromkeys(FIELDS, "") | {"same_kk": "ya"}
    return _form_values(member)


def check_member(
    owner: User, values: dict[str, str], *, member: FamilyMember | None = None, today: dt.date | None = None
) -> MemberCheck:
    """Check a member as typed, with Data Saya's own rules for name, NIK and dates. Nothing is stored here."""
    today = today or dt.date.today()
    raw = {key: (values.get(key) or "").strip() for key in FIELDS}
    profile_check = check_profile(
        {key: raw[key] for key in ("full_name", "nik", "birth_date", "birth_place")}, today=today
    )
    check = MemberCheck(clean=dict(profile_check.clean), errors=dict(profile_check.errors))
    if not raw["full_name"]:
        check.errors["full_name"] = str(MSG_NAME)
    if not raw["nik"]:
        check.errors["nik"] = str(MSG_REQUIRED_16)
    if raw["relationship"] not in RELATIONSHIP_LABELS:
        check.errors["relationship"] = str(MSG_RELATIONSHIP)
    else:
        check.clean["relationship"] = Relationship(raw["relationship"])
    if raw["same_kk"] not in ("ya", "tidak"):
        check.errors["same_kk"] = str(MSG_SAME_KK)
    check.clean["same_kk"] = raw["same_kk"] == "ya"
    nik = check.clean.get("nik")
    if nik and "nik" not in check.errors:
        own = get_profile(owner)
        if own is not None and own.nik == nik:
            check.errors["nik"] = str(MSG_OWN_NIK)
        elif any(other.nik == nik and other is not member for other in list_members(owner)):
            check.errors["nik"] = str(MSG_DUPLICATE)
        elif member is not None and nik != member.nik and active_link(member) is not None:
            check.errors["nik"] = str(MSG_NIK_LOCKED)
        elif check.clean.get("birth_date") is None and "birth_date" not in check.errors:
            # No date typed: the NIK carries one (digits 7–12). Said next to the field, so it can be corrected.
            check.clean["birth_date"] = parse_nik(nik, today=today).birth_date
            check.warnings["birth_date"] = [str(MSG_BIRTH_FROM_NIK)]
    if nik and check.clean.get("birth_date") and "birth_date" not in check.errors:
        mismatch = nik_warnings(nik=nik, sex=None, birth_date=check.clean["birth_date"], today=today)
        if mismatch:
            check.warnings.setdefault("nik", []).extend(mismatch)
    return check


def _log_for_linked(member: FamilyMember, owner: User, *, what: str, purpose: str) -> None:
    """Riwayat akses of the member's own account, when linked: every act of the citizen on the member's data."""
    account = linked_account(member)
    if account is not None:
        record_access(subject=account, actor=owner, what=what, purpose=purpose)


def relationship_text(member_or_value) -> str:
    value = getattr(member_or_value, "relationship", member_or_value)
    value = getattr(value, "value", value)
    return str(RELATIONSHIP_LABELS.get(value, value or ""))


def add_member(owner: User, values: dict[str, str], *, today: dt.date | None = None) -> MemberCheck:
    """Check and store a new member. Commits; nothing is written when the check has errors."""
    check = check_member(owner, values, today=today)
    if check.ok and len(list_members(owner)) >= MAX_MEMBERS:
        check.errors["full_name"] = str(MSG_TOO_MANY) % {"n": MAX_MEMBERS}
    if not check.ok:
        return check
    member = FamilyMember(
        owner_id=owner.id,
        full_name=check.clean["full_name"],
        nik=check.clean["nik"],
        relationship=check.clean["relationship"],
        birth_date=check.clean["birth_date"],
        birth_place=check.clean.get("birth_place"),
        same_kk=check.clean["same_kk"],
    )
    db.session.add(member)
    db.session.commit()
    check.member = member
    return check


def update_member(
    owner: User, member: FamilyMember, values: dict[str, str], *, today: dt.date | None = None
) -> MemberCheck:
    check = check_member(owner, values, member=member, today=today)
    if not check.ok:
        return check
    for key in FIELDS:
        setattr(member, key, check.clean.get(key))
    _log_for_linked(
        member,
        owner,
        what="Data Anda di daftar anggota keluarga",
        purpose=f"Diubah oleh anggota keluarga ({relationship_text(member)} dari {owner.display_name})"[:200],
    )
    db.session.commit()
    check.member = member
    return check


def remove_member(owner: User, member: FamilyMember) -> None:
    """Remove an entry: its open drafts go with it (they are about this person), submitted applications keep the
    name and relationship they were sent with."""
    _log_for_linked(
        member,
        owner,
        what="Data Anda di daftar anggota keluarga",
        purpose=f"Dihapus dari daftar keluarga {owner.display_name}"[:200],
    )
    db.session.delete(member)
    db.session.commit()


# --- linking -------------------------------------------------------------------------------------------------------


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(raw: str | None) -> str:
    return normalize_number(raw).upper()


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def issue_link_code(owner: User, member: FamilyMember, *, today: dt.date | None = None) -> str:
    """A new one-time code for this member (the previous one stops working). Commits. Returns it in clear, once."""
    if not is_adult(member, today=today):
        raise FamilyError(MSG_NOT_ADULT)
    if active_link(member) is not None:
        raise FamilyError(MSG_ALREADY_LINKED)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    member.link_code_hash = _hash_code(code)
    member.link_code_expires_at = utcnow() + LINK_CODE_LIFETIME
    db.session.commit()
    return format_code(code)


def find_invitation(raw_code: str | None) -> FamilyMember | None:
    """The member entry a live code belongs to, or None (unknown, used or expired — one answer for all)."""
    code = normalize_code(raw_code)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    member = db.session.scalar(select(FamilyMember).where(FamilyMember.link_code_hash == _hash_code(code)))
    if member is None or member.link_code_expires_at is None or member.link_code_expires_at <= utcnow():
        return None
    return member


def check_invitation(account: User, member: FamilyMember | None, *, today: dt.date | None = None) -> None:
    """Everything that must hold before the member is even asked for their passkey. Raises FamilyError."""
    if member is None:
        raise FamilyError(MSG_CODE_INVALID)
    if member.owner_id == account.id:
        raise FamilyError(MSG_CODE_OWN)
    if not is_adult(member, today=today):
        raise FamilyError(MSG_NOT_ADULT)
    if active_link(member) is not None:
        raise FamilyError(MSG_ALREADY_LINKED)
    own = get_profile(account)
    if own is None or not own.nik:
        raise FamilyError(MSG_NO_NIK)
    if own.nik != member.nik:
        raise FamilyError(MSG_NIK_MISMATCH)


def accept_link(account: User, raw_code: str, *, today: dt.date | None = None) -> FamilyLink:
    """Link ``account`` to the entry the code belongs to. Commits.

    Call ONLY after the member's own passkey answered a challenge issued for this act (the route does
    ``ceremonies.finish_reauthenticate`` first, in the same request): a session alone never links an account.
    The code is single use: it is cleared in the same transaction as the link is made.
    """
    member = find_invitation(raw_code)
    check_invitation(account, member, today=today)
    member.link_code_hash = None
    member.link_code_expires_at = None
    link = FamilyLink(member_id=member.id, account_id=account.id, linked_at=utcnow())
    db.session.add(link)
    db.session.commit()
    return link


@dataclass(frozen=True)
class LinkView:
    """For the member's own page: who lists them, as what, since when."""

    link: FamilyLink
    member: FamilyMember
    owner: User


def links_of_account(account: User) -> list[LinkView]:
    rows = db.session.execute(
        select(FamilyLink, FamilyMember, User)
        .join(FamilyMember, FamilyMember.id == FamilyLink.member_id)
        .join(User, User.id == FamilyMember.owner_id)
        .where(FamilyLink.account_id == account.id, FamilyLink.revoked_at.is_(None))
        .order_by(FamilyLink.linked_at)
    ).all()
    return [LinkView(link, member, owner) for link, member, owner in rows]


def revoke_link(account: User, link_id: int) -> bool:
    """The member withdraws: the citizen can no longer apply in their name. The row stays as proof. Commits."""
    link = db.session.scalar(
        select(FamilyLink).where(
            FamilyLink.id == link_id, FamilyLink.account_id == account.id, FamilyLink.revoked_at.is_(None)
        )
    )
    if link is None:
        return False
    link.revoked_at = utcnow()
    link.revoked_by = REVOKED_BY_MEMBER
    db.session.commit()
    return True


def unlink_by_owner(owner: User, member: FamilyMember) -> bool:
    """The citizen ends the link from their side (e.g. linked by mistake). Commits."""
    link = active_link(member)
    if link is None:
        return False
    account = db.session.get(User, link.account_id)
    record_access(
        subject=account,
        actor=owner,
        what="Tautan akun Anda ke daftar anggota keluarga",
        purpose=f"Diputus oleh {owner.display_name}"[:200],
    )
    link.revoked_at = utcnow()
    link.revoked_by = REVOKED_BY_OWNER
    db.session.commit()
    return True


def record_act_for(member: FamilyMember, owner: User, *, what: str, purpose: str) -> None:
    """For other capabilities (applications): log an act on the member's data in the member's Riwayat akses when
    their account is linked. Does not commit — part of the caller's transaction."""
    _log_for_linked(member, owner, what=what[:200], purpose=purpose[:200])


# --- whose document ------------------------------------------------------------------------------------------------


def member_names(owner: User) -> dict[int, str]:
    return {member.id: member.full_name for member in list_members(owner)}


def tag_document(owner: User, document, member_id: int | None) -> bool:
    """Say whose a Dokumen Saya document is: one of the owner's members, or the owner (None). Commits.
    False when ``member_id`` is not one of the owner's members (nothing changes)."""
    if member_id is not None and get_member(owner, member_id) is None:
        return False
    document.family_member_id = member_id
    db.session.commit()
    return True
