"""Back-office lists — the audit log, staff invitations, failed deliveries — are cut into pages, and each page
costs the same number of SQL statements whatever the number of rows behind it (a lazy load per row would add one
statement per row, or per MPP/agency shown)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus
from app.backoffice import audit, deliveries, invitations
from app.backoffice.models import AuditAction, AuditEntry, StaffInvitation
from app.catalog.models import Agency, Mpp
from app.database import utcnow
from app.extensions import db
from app.notifications.models import EmailOutbox, Notification, OutboxMessage, OutboxStatus

from ..applications.test_list_queries import _add_applications
from ..statements import assert_same_statements, statements_of
from .conftest import HOME_MPP

_serial = itertools.count(1)


def _newest_applications(app, count: int, *, mpp: str | None = None) -> list[int]:
    with app.app_context():
        query = select(Application.id).order_by(Application.id.desc())
        if mpp:
            query = query.join(Mpp, Mpp.id == Application.mpp_id).where(Mpp.slug == mpp)
        return list(db.session.scalars(query.limit(count)))


def add_audit_entries(app, citizen, count: int) -> None:
    """``count`` status entries, each about a new application (spread over every service and MPP)."""
    _add_applications(app, citizen, count)
    with app.app_context():
        for application_id in _newest_applications(app, count):
            application = db.session.get(Application, application_id)
            db.session.add(
                AuditEntry(
                    actor_name="Andi Petugas",
                    actor_role="officer",
                    action=AuditAction.TRANSITION,
                    mpp_id=application.mpp_id,
                    application_id=application.id,
                    from_status=ApplicationStatus.SUBMITTED,
                    to_status=ApplicationStatus.VERIFIED,
                    reason=f"langkah {next(_serial)}",
                )
            )
        db.session.commit()


@pytest.mark.parametrize("role", [Role.MPP_ADMIN, Role.NATIONAL_ADMIN])
def test_the_audit_log_takes_the_same_statements_for_any_number_of_entries(
    app, client, citizen, make_staff, signed_in, demo, role
):
    mpp = HOME_MPP if role == Role.MPP_ADMIN else None
    signed_in(client, make_staff(role, mpp=mpp, agency=None, name="Admin Audit"))
    # A national admin's first count sees 3 MPPs, the full page every MPP: a zone loaded per row would show.
    add_audit_entries(app, citizen, 40 if role == Role.MPP_ADMIN else 3)  # spread over every MPP
    few = statements_of(app, client, "/petugas/audit")
    assert "tracking-number" in few.html
    add_audit_entries(app, citizen, 5 * audit.PAGE_SIZE)
    many = statements_of(app, client, "/petugas/audit")
    assert_same_statements(few, many, "/petugas/audit")
    if role == Role.NATIONAL_ADMIN:
        assert many.html.count('class="tracking-number"') == audit.PAGE_SIZE
        assert 'rel="next"' in many.html


def add_invitations(app, count: int, *, mpp: str | None = None) -> None:
    """``count`` officer invitations over every agency and MPP (or at ``mpp``), newest last."""
    with app.app_context():
        agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
        mpps = db.session.scalars(select(Mpp).order_by(Mpp.id).where(Mpp.slug == mpp if mpp else True)).all()
        now = utcnow()
        for i in range(count):
            n = next(_serial)
            db.session.add(
                StaffInvitation(
                    token_hash=f"{n:064d}",
                    email=f"petugas{n}@contoh.id",
                    display_name=f"Petugas Undangan {n:04d}",
                    role=Role.OFFICER,
                    agency_id=agencies[i % len(agencies)].id,
                    mpp_id=mpps[i % len(mpps)].id,
                    created_at=now - dt.timedelta(minutes=10_000 - n),
                    expires_at=now + dt.timedelta(hours=72),
                    user_handle=n.to_bytes(8, "big") * 4,
                )
            )
        db.session.commit()


def test_the_invitation_list_takes_the_same_statements_for_any_number_and_pages(
    app, client, make_staff, signed_in, demo
):
    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    add_invitations(app, 4)
    few = statements_of(app, client, "/petugas/undangan")
    assert few.html.count("Petugas Undangan") == 4 and 'rel="next"' not in few.html
    add_invitations(app, 5 * invitations.INVITATIONS_PAGE_SIZE)
    many = statements_of(app, client, "/petugas/undangan")
    assert_same_statements(few, many, "/petugas/undangan")
    assert many.html.count("Petugas Undangan") == invitations.INVITATIONS_PAGE_SIZE
    last = client.get_page("/petugas/undangan?halaman=6")
    assert last.get_text().count("Petugas Undangan") == 4
    assert last.select_one('a[rel="next"]') is None
    assert last.select_one('a[rel="prev"]')["href"] == "/petugas/undangan?halaman=5"


def add_failed_pushes(app, citizen, count: int) -> list[int]:
    """``count`` failed pushes, each about a new application (spread over every MPP), plus a failed e-mail each."""
    _add_applications(app, citizen, count)
    with app.app_context():
        ids = []
        for application_id in _newest_applications(app, count):
            number = db.session.get(Application, application_id).tracking_number
            notification = Notification(
                user_id=citizen.id,
                kind="application_status",
                title_msgid="Application %(number)s verified",
                body_msgid="Your data and documents for %(service)s are complete.",
                params={"number": number, "service": "KTP-el"},
                url=f"/permohonan/{number}",
            )
            message = OutboxMessage(status=OutboxStatus.FAILED, attempts=8, last_error="410 Gone")
            notification.outbox.append(message)
            db.session.add(notification)
            db.session.add(
                EmailOutbox(
                    recipient="warga@contoh.id",
                    subject="Kode",
                    body="-",
                    what="recovery code",
                    status=OutboxStatus.FAILED,
                    attempts=8,
                    last_error="550",
                )
            )
            db.session.flush()
            ids.append(message.id)
        db.session.commit()
        return ids


def test_failed_deliveries_take_the_same_statements_for_any_number_of_failures(
    app, client, citizen, make_staff, signed_in, demo
):
    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    add_failed_pushes(app, citizen, 6)
    few = statements_of(app, client, "/petugas/notifikasi-gagal")
    assert few.html.count("410 Gone") == 6 and few.html.count("Kode pemulihan") == 6
    add_failed_pushes(app, citizen, 3 * deliveries.PAGE_SIZE)
    many = statements_of(app, client, "/petugas/notifikasi-gagal")
    assert_same_statements(few, many, "/petugas/notifikasi-gagal")
    assert many.html.count("410 Gone") == deliveries.PAGE_SIZE
    assert many.html.count("Kode pemulihan") == deliveries.PAGE_SIZE
    page = client.get_page("/petugas/notifikasi-gagal?halaman=2&halaman-email=3")
    links = {a["href"] for a in page.select('a[rel="next"], a[rel="prev"]')}
    assert "/petugas/notifikasi-gagal?halaman=3" in links  # the push list moves on; the e-mail log's page…
    assert "/petugas/notifikasi-gagal?halaman-email=2" in links  # …moves on its own link
    assert page.get_text().count("550") >= 6  # the e-mail log's third page holds the 6 oldest failures


def test_an_mpp_admin_pages_through_the_failures_of_their_mpp_only_and_may_retry_only_those(
    app, client, citizen, make_staff, signed_in, demo
):
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin MPP"))
    ids = add_failed_pushes(app, citizen, 3 * deliveries.PAGE_SIZE)  # newest first on the national list
    with app.app_context():
        numbers_home = set(
            db.session.scalars(
                select(Application.tracking_number).join(Mpp, Mpp.id == Application.mpp_id).where(Mpp.slug == HOME_MPP)
            )
        )
        own = [
            message.id
            for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            if message.notification.params["number"] in numbers_home
        ]
    page = client.get_page("/petugas/notifikasi-gagal")
    shown = page.get_text().count("410 Gone")
    assert shown == min(len(own), deliveries.PAGE_SIZE) and shown > 0  # its own, even when older than 200 others
    assert "Kode pemulihan" not in page.get_text()  # the e-mail log is for national admins only
    someone_elses = next(i for i in ids if i not in own)
    assert client.post(f"/petugas/notifikasi-gagal/{someone_elses}/ulang").status_code == 404
    assert client.post(f"/petugas/notifikasi-gagal/{own[-1]}/ulang").status_code == 303
