"""The MPP admin's queue settings and closures: checked input, audited, and no booking cancelled silently."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.accounts.models import Role, User
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffRole
from app.catalog.models import Mpp
from app.extensions import db
from app.notifications.models import EmailOutbox, Notification, OutboxMessage
from app.queue.models import Booking, BookingStatus, QueueClosure, QueueSettings

from .conftest import NOW, make_settings, sim_place
from .test_counter import _booked


@pytest.fixture
def admin(app, make_user, demo_data):
    user = make_user("Admin Samarinda", role=Role.MPP_ADMIN)
    with app.app_context():
        mpp = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-samarinda"))
        db.session.add(StaffAssignment(user_id=user.id, role=StaffRole.MPP_ADMIN, mpp_id=mpp.id))
        db.session.commit()
    return user


def _ids(app):
    with app.app_context():
        place = sim_place()
        return place.mpp.id, place.tenancy.id, place.service.id


def test_settings_are_checked_kept_when_wrong_and_saved_with_an_audit_entry(app, client, signed_in, admin):
    with freeze_time(NOW):
        signed_in(client, admin)
        mpp_id, tenancy_id, service_id = _ids(app)
        page = client.get_page(f"/admin/antrean?mpp={mpp_id}&loket={tenancy_id}")
        assert page.find("input", attrs={"name": "slot_minutes"})
        form = {
            "mpp": mpp_id,
            "loket": tenancy_id,
            "layanan": service_id,
            "slot_minutes": "2",
            "capacity": "abc",
            "priority_capacity": "1",
            "daily_quota": "40",
            "priority_daily_quota": "5",
            "window_days": "7",
            "release_hour": "6",
            "reschedule_cutoff_hours": "24",
            "no_show_minutes": "15",
            "enabled": "1",
        }
        bad = client.post("/admin/antrean/pengaturan", data=form)
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert "Masukkan bilangan bulat dari 5 sampai 240." in text and 'value="abc"' in text
        ok = client.post("/admin/antrean/pengaturan", data={**form, "slot_minutes": "20", "capacity": "6"})
        assert ok.status_code == 303
        with app.app_context():
            row = db.session.scalar(select(QueueSettings).where(QueueSettings.tenancy_id == tenancy_id))
            assert (row.slot_minutes, row.capacity) == (20, 6)
            assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "queue_settings"))


def test_a_closure_keeps_the_bookings_and_notifies_the_citizens(app, client, signed_in, admin):
    with freeze_time(NOW):
        with app.app_context():
            code = _booked()
        signed_in(client, admin)
        mpp_id, tenancy_id, _service_id = _ids(app)
        assert (
            client.post(
                "/admin/antrean/penutupan", data={"mpp": mpp_id, "tanggal": "2026-12-08", "alasan": ""}
            ).status_code
            == 422
        )
        response = client.post(
            "/admin/antrean/penutupan",
            data={"mpp": mpp_id, "loket": tenancy_id, "tanggal": "2026-12-08", "alasan": "Pemadaman listrik"},
        )
        assert response.status_code == 303
        with app.app_context():
            booking = db.session.scalar(select(Booking).where(Booking.code == code))
            assert booking.status == BookingStatus.CONFIRMED  # never cancelled silently
            notice = db.session.scalar(select(Notification).where(Notification.user_id == booking.user_id))
            assert notice.kind == "queue_closure" and notice.url == f"/antrean/{code}"
            assert db.session.scalar(select(QueueClosure.reason)) == "Pemadaman listrik"
            assert db.session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == AuditAction.QUEUE, AuditEntry.object_type == "queue_closure"
                )
            )


def test_another_mpps_admin_and_an_officer_get_404(app, client, signed_in, make_user, demo_data):
    mpp_id, tenancy_id, _service_id = _ids(app)
    other = make_user("Admin Kendari", role=Role.MPP_ADMIN)
    with app.app_context():
        kendari = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
        db.session.add(StaffAssignment(user_id=other.id, role=StaffRole.MPP_ADMIN, mpp_id=kendari.id))
        db.session.commit()
    signed_in(client, other)
    assert client.get(f"/admin/antrean?mpp={mpp_id}").status_code == 404
    assert (
        client.post(
            "/admin/antrean/penutupan", data={"mpp": mpp_id, "tanggal": "2026-12-08", "alasan": "x"}
        ).status_code
        == 404
    )
    signed_in(client, make_user("Warga", role=Role.CITIZEN))
    assert client.get("/admin/antrean").status_code == 404


SETTINGS_FORM = {
    "slot_minutes": "30",
    "capacity": "3",
    "priority_capacity": "1",
    "daily_quota": "40",
    "priority_daily_quota": "8",
    "window_days": "7",
    "release_hour": "6",
    "reschedule_cutoff_hours": "24",
    "no_show_minutes": "15",
    "enabled": "1",
}


def _notices(app, code):
    """(kind, title) of the inbox notices, the pushes waiting in the outbox and the e-mails queued for a booking's
    citizen."""
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.code == code))
        email = db.session.get(User, booking.user_id).email
        notes = db.session.scalars(select(Notification).where(Notification.user_id == booking.user_id)).all()
        pushes = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.notification_id.in_([n.id for n in notes]))
        ).all()
        mails = db.session.scalars(select(EmailOutbox).where(EmailOutbox.recipient == email)).all()
        return (
            booking.status,
            [(n.kind, n.title) for n in notes],
            len(pushes),
            [(m.what, m.subject, m.body) for m in mails],
        )


def test_a_settings_change_never_cancels_and_tells_exactly_the_citizens_it_touches(app, client, signed_in, admin):
    """Fewer places per slot: the two bookings of the 09.00 slot no longer fit, the lone 10.00 one still does.
    Both 09.00 citizens are told, in the inbox, by push and by e-mail, that their booking stays valid."""
    with freeze_time(NOW):
        with app.app_context():
            make_settings()
            first = _booked()
            second = _booked(nik="3510015708900002")
            lone = _booked(slot="2026-12-08T10:00", nik="3510011708900003")
        signed_in(client, admin)
        mpp_id, tenancy_id, service_id = _ids(app)
        form = {**SETTINGS_FORM, "mpp": mpp_id, "loket": tenancy_id, "layanan": service_id}
        response = client.post("/admin/antrean/pengaturan", data={**form, "capacity": "1", "priority_capacity": "0"})
        assert response.status_code == 303
        page = client.get_page(response.headers["Location"])
        assert "2 warga" in page.get_text(" ")
        for code in (first, second):
            status, notes, pushes, mails = _notices(app, code)
            assert status == BookingStatus.CONFIRMED
            assert [kind for kind, _title in notes] == ["queue_rules"] and pushes == 1
            ((what, subject, body),) = mails
            assert what == "queue notice" and code[:4] in subject and "tetap berlaku" in subject
            assert "09.00–09.30 WITA" in body and f"/antrean/{code}" in body
        assert _notices(app, lone) == (BookingStatus.CONFIRMED, [], 0, [])  # it still fits: nothing to tell
        # Saving the same settings again tells nobody anything new.
        client.post("/admin/antrean/pengaturan", data={**form, "capacity": "3", "priority_capacity": "1"})
        assert len(_notices(app, first)[1]) == 1


def test_switching_online_booking_off_keeps_every_booking_and_says_so(app, client, signed_in, admin):
    with freeze_time(NOW):
        with app.app_context():
            make_settings()
            code = _booked()
        signed_in(client, admin)
        mpp_id, tenancy_id, service_id = _ids(app)
        form = {**SETTINGS_FORM, "mpp": mpp_id, "loket": tenancy_id, "layanan": service_id}
        del form["enabled"]
        assert client.post("/admin/antrean/pengaturan", data=form).status_code == 303
        status, notes, pushes, mails = _notices(app, code)
        assert status == BookingStatus.CONFIRMED and [kind for kind, _t in notes] == ["queue_rules"] and len(mails) == 1


def test_a_closure_can_be_removed_and_the_citizens_hear_their_visit_stands(app, client, signed_in, admin, make_user):
    with freeze_time(NOW):
        with app.app_context():
            make_settings()
            code = _booked()
        signed_in(client, admin)
        mpp_id, tenancy_id, _service_id = _ids(app)
        client.post(
            "/admin/antrean/penutupan",
            data={"mpp": mpp_id, "loket": tenancy_id, "tanggal": "2026-12-08", "alasan": "Pemadaman listrik"},
        )
        with app.app_context():
            closure_id = db.session.scalar(select(QueueClosure.id))
        page = client.get_page(f"/admin/antrean?mpp={mpp_id}&loket={tenancy_id}")
        remove = page.find("form", action=f"/admin/antrean/penutupan/{closure_id}/hapus")
        assert remove is not None and remove.find("input", attrs={"name": "csrf_token"})
        assert client.get(f"/admin/antrean/penutupan/{closure_id}/hapus").status_code == 405

        response = client.post(
            f"/admin/antrean/penutupan/{closure_id}/hapus", data={"mpp": mpp_id, "loket": tenancy_id}
        )
        assert response.status_code == 303
        assert "1 warga" in client.get_page(response.headers["Location"]).get_text(" ")
        status, notes, pushes, mails = _notices(app, code)
        assert status == BookingStatus.CONFIRMED
        assert [kind for kind, _t in notes] == ["queue_closure", "queue_reopen"] and pushes == 2 and len(mails) == 2
        with app.app_context():
            assert db.session.scalar(select(QueueClosure.id)) is None
            assert db.session.scalar(
                select(AuditEntry).where(AuditEntry.object_type == "queue_closure", AuditEntry.reason.like("%dicabut%"))
            )
        # Already gone, or another MPP's closure: 404, nothing changes.
        assert client.post(f"/admin/antrean/penutupan/{closure_id}/hapus", data={"mpp": mpp_id}).status_code == 404
        other = make_user("Admin Kendari", role=Role.MPP_ADMIN)
        with app.app_context():
            kendari = db.session.scalar(select(Mpp).where(Mpp.slug == "kota-kendari"))
            db.session.add(StaffAssignment(user_id=other.id, role=StaffRole.MPP_ADMIN, mpp_id=kendari.id))
            db.session.add(QueueClosure(mpp_id=mpp_id, day=dt.date(2026, 12, 9), reason="Rapat"))
            db.session.commit()
            kept = db.session.scalar(select(QueueClosure.id))
            kendari_id = kendari.id
        signed_in(client, other)
        assert client.post(f"/admin/antrean/penutupan/{kept}/hapus", data={"mpp": kendari_id}).status_code == 404
        assert client.post(f"/admin/antrean/penutupan/{kept}/hapus", data={"mpp": mpp_id}).status_code == 404
        with app.app_context():
            assert db.session.scalar(select(QueueClosure.id)) == kept


def test_which_bookings_a_new_slot_length_or_a_shorter_window_no_longer_fits(app, demo_data):
    """The rule behind the notices: a booking whose time is no longer one of the day's slots (30 → 20 minutes: 09.00–
    09.30 is not a slot any more), or whose day lies beyond a shorter window, is told; under unchanged rules nobody
    is."""
    from dataclasses import replace

    from app.queue.admin import no_longer_fitting, upcoming_bookings

    with app.app_context():
        make_settings()
        tuesday = _booked()
        wednesday = _booked(slot="2026-12-09T09:00", nik="3510015708900002")
        place = sim_place()
        upcoming = upcoming_bookings(place.tenancy.id, place.service.id, NOW)
        codes = lambda rows: sorted(b.code for b in rows)  # noqa: E731
        same = no_longer_fitting(upcoming, rules=place.rules, hours=place.hours, tz=place.tz, now_utc=NOW)
        assert same == []  # the rules they were booked under: nothing to tell
        shorter_slots = replace(place.rules, slot_minutes=20)
        assert codes(
            no_longer_fitting(upcoming, rules=shorter_slots, hours=place.hours, tz=place.tz, now_utc=NOW)
        ) == sorted([tuesday, wednesday])
        one_day_window = replace(place.rules, window_days=1)  # Monday 07.00: only up to Tuesday is open
        assert codes(
            no_longer_fitting(upcoming, rules=one_day_window, hours=place.hours, tz=place.tz, now_utc=NOW)
        ) == [wednesday]
