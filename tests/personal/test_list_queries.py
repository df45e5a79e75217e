"""Lists on the citizen's account pages cost the same number of SQL statements whatever their length: the access
history (paged), the family list and Dokumen Saya (both capped by rule: at most 20 members, 40 documents)."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from app.accounts.models import User
from app.catalog.models import DocumentType
from app.database import utcnow
from app.extensions import db
from app.personal import family, privacy
from app.personal.documents import store_upload
from app.personal.models import AccessLog, FamilyLink, FamilyMember, Relationship

from ..statements import assert_same_statements, statements_of
from .conftest import png_bytes

_serial = itertools.count(1)


def add_accesses(app, user, count: int) -> None:
    with app.app_context():
        now = utcnow()
        for _ in range(count):
            n = next(_serial)
            db.session.add(
                AccessLog(
                    subject_id=user.id,
                    actor_name=f"Petugas {n:04d}",
                    actor_role="officer",
                    agency_name="Disdukcapil",
                    what="KTP-el",
                    purpose="Memeriksa permohonan",
                    timezone="Asia/Makassar",
                    created_at=now - dt.timedelta(minutes=10_000 - n),
                )
            )
        db.session.commit()


def test_the_access_history_is_paged_in_the_same_statements_for_any_number_of_entries(app, client, citizen, signed_in):
    signed_in(client, citizen)
    add_accesses(app, citizen, 3)
    few = statements_of(app, client, "/akun/privasi")
    assert few.html.count("Petugas 0") == 3 and 'rel="next"' not in few.html
    add_accesses(app, citizen, 5 * privacy.ACCESS_PAGE_SIZE)
    many = statements_of(app, client, "/akun/privasi")
    assert_same_statements(few, many, "/akun/privasi")
    page = client.get_page("/akun/privasi")
    shown = [p.get_text() for p in page.select(".access-list strong")]
    assert len(shown) == privacy.ACCESS_PAGE_SIZE and shown == sorted(shown, reverse=True)  # newest first
    assert page.select_one('a[rel="next"]')["href"] == "/akun/privasi?halaman=2#riwayat-akses"
    last = client.get_page("/akun/privasi?halaman=6")
    assert len(last.select(".access-list strong")) == 3 and last.select_one('a[rel="next"]') is None
    assert last.select_one('a[rel="prev"]')["href"] == "/akun/privasi?halaman=5#riwayat-akses"


def add_members(app, owner, count: int, *, linked_to) -> None:
    """``count`` members; every other one has an account linked, every third one withdrew their consent."""
    with app.app_context():
        for i in range(count):
            n = next(_serial)
            member = FamilyMember(
                owner_id=owner.id,
                full_name=f"Anggota {n:03d}",
                nik=f"74710{n:011d}",
                relationship=Relationship.CHILD,
                birth_date=dt.date(1990, 1, 1) + dt.timedelta(days=n),
            )
            db.session.add(member)
            db.session.flush()
            if i % 3 == 2:
                db.session.add(
                    FamilyLink(
                        member_id=member.id,
                        account_id=linked_to.id,
                        revoked_at=utcnow(),
                        revoked_by=family.REVOKED_BY_MEMBER,
                    )
                )
            elif i % 2:
                db.session.add(FamilyLink(member_id=member.id, account_id=linked_to.id))
        db.session.commit()


def test_the_family_list_takes_the_same_statements_for_one_or_a_full_family(
    app, client, citizen, other_citizen, signed_in
):
    signed_in(client, citizen)
    add_members(app, citizen, 1, linked_to=other_citizen)
    few = statements_of(app, client, "/akun/keluarga")
    add_members(app, citizen, family.MAX_MEMBERS - 1, linked_to=other_citizen)
    many = statements_of(app, client, "/akun/keluarga")
    assert_same_statements(few, many, "/akun/keluarga")
    assert many.html.count("Anggota ") >= family.MAX_MEMBERS
    with app.app_context():
        owner = db.session.get(User, citizen.id)
        members = family.list_members(owner)
        states = family.link_states(members)
        for member in members:  # the batched read says what the one-member functions say
            assert states.active[member.id] == family.active_link(member)
            assert states.withdrawn[member.id] == family.consent_withdrawn(member)
        assert any(states.withdrawn.values()) and any(states.active.values())


def test_dokumen_saya_takes_the_same_statements_for_2_or_12_documents(app, client, citizen, signed_in):
    signed_in(client, citizen)

    def upload(count: int) -> None:
        with app.app_context():
            owner = db.session.get(User, citizen.id)
            kinds = list(DocumentType)
            for i in range(count):
                store_upload(owner, io.BytesIO(png_bytes()), kinds[i % len(kinds)])

    upload(2)
    few = statements_of(app, client, "/akun/dokumen")
    upload(10)
    many = statements_of(app, client, "/akun/dokumen")
    assert_same_statements(few, many, "/akun/dokumen")
