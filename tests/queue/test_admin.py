"""The MPP admin's queue settings and closures: checked input, audited, and no booking cancelled silently."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.accounts.models import Role
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffRole
from app.catalog.models import Mpp
from app.extensions import db
from app.notifications.models import Notification
from app.queue.models import Booking, BookingStatus, QueueClosure, QueueSettings

from .conftest import NOW, sim_place
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
