"""Push and the "notifikasi" consent are one truth (UU 27/2022 PDP): turning push on records the consent, and
withdrawing the consent on /akun/privasi turns push off on every device while the inbox stays."""

from __future__ import annotations

from sqlalchemy import select, update

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import PushSubscription
from app.personal.models import Consent
from app.personal.privacy import has_consent, set_consents

from .conftest import notifications_of, outbox_rows, subscription_count
from .test_pages import notify, post_json


def consents(app, user: User, purpose: str = "notifikasi") -> list[Consent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Consent).where(Consent.user_id == user.id, Consent.purpose == purpose).order_by(Consent.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def consented(app, user: User) -> bool:
    with app.app_context():
        return has_consent(db.session.get(User, user.id), "notifikasi")


def test_turning_push_on_records_the_notification_consent_once_with_its_time(
    app, client, citizen, signed_in, push_service
):
    signed_in(client, citizen)
    assert not consented(app, citizen)
    page = client.get_page("/akun/notifikasi")
    state = page.select_one("#persetujuan")
    assert "Belum disetujui" in state.get_text() and "mencatat persetujuan Anda" in state.get_text()

    assert post_json(client, "/akun/notifikasi/langganan", push_service.subscriber().as_json()).status_code == 201
    [consent] = consents(app, citizen)
    assert consent.granted_at is not None and consent.withdrawn_at is None
    # A second device does not record the consent again: it is already in force.
    assert post_json(client, "/akun/notifikasi/langganan", push_service.subscriber().as_json()).status_code == 201
    assert len(consents(app, citizen)) == 1 and subscription_count(app, citizen) == 2

    privacy = client.get_page("/akun/privasi")
    assert privacy.find("input", id="tujuan-notifikasi").has_attr("checked")
    devices = client.get_page("/akun/notifikasi").select_one("#persetujuan").get_text(" ", strip=True)
    assert "Disetujui" in devices and "Anda menyetujui notifikasi pada" in devices
    assert "berhenti di semua perangkat" in devices


def test_a_refused_subscription_records_no_consent(app, client, citizen, signed_in):
    signed_in(client, citizen)
    response = post_json(client, "/akun/notifikasi/langganan", {"endpoint": "http://evil.example/push", "keys": {}})
    assert response.status_code == 400
    assert consents(app, citizen) == []


def test_withdrawing_the_consent_turns_push_off_on_every_device_and_keeps_the_inbox(
    app, client, citizen, other_citizen, signed_in, push_device
):
    push_device(citizen), push_device(citizen)
    push_device(other_citizen)
    notify(app, citizen)
    assert consented(app, citizen) and subscription_count(app, citizen) == 2

    signed_in(client, citizen)
    page = client.get_page("/akun/privasi")
    hint = page.find(id="tujuan-notifikasi-hint").get_text()
    assert "notifikasi push dimatikan di semua perangkat Anda" in hint and "kotak masuk" in hint
    assert client.post("/akun/privasi/persetujuan", data={"purposes": []}).status_code == 303

    assert subscription_count(app, citizen) == 0
    assert subscription_count(app, other_citizen) == 1, "only the citizen's own devices"
    assert len(notifications_of(app, citizen)) == 1, "the inbox is part of the service itself and stays"
    [consent] = consents(app, citizen)
    assert consent.withdrawn_at is not None, "kept as proof"
    devices = client.get_page("/akun/notifikasi")
    assert devices.select("[data-endpoint]") == [] and "Belum disetujui" in devices.select_one("#persetujuan").text
    assert client.get_page("/notifikasi").select(".inbox-item")

    # Turning push on again is a new, explicit consent with its own time.
    phone = push_device(citizen)
    assert phone and consented(app, citizen) and len(consents(app, citizen)) == 2


def test_other_purposes_do_not_touch_push(app, citizen, push_device):
    push_device(citizen)
    with app.app_context():
        user = db.session.get(User, citizen.id)
        assert set_consents(user, {"notifikasi", "survei"}) == set()
        assert set_consents(user, {"notifikasi"}) == {"survei"}
    assert subscription_count(app, citizen) == 1


def test_a_device_left_without_consent_gets_no_push_but_the_inbox_notice(
    app, citizen, push_device, push_service, queue
):
    """A subscription from before the rule (consent withdrawn behind its back): delivery checks the consent too."""
    phone = push_device(citizen)
    with app.app_context():
        db.session.execute(update(Consent).where(Consent.user_id == citizen.id).values(withdrawn_at=utcnow()))
        db.session.commit()
    with app.test_request_context():
        from app.notifications import inbox

        inbox.send_test(db.session.get(User, citizen.id), url="/notifikasi")
        db.session.remove()
    [row] = outbox_rows(app)
    with app.app_context():
        assert delivery.deliver(row.id).status == "sent"
    assert push_service.messages_for(phone) == []
    assert len(notifications_of(app, citizen)) == 1


def test_deleting_the_account_removes_its_push_devices(app, client, citizen, signed_in, push_device):
    push_device(citizen)
    signed_in(client, citizen)
    response = client.post("/akun/privasi/hapus-akun", data={"confirmation": "HAPUS AKUN SAYA"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_turning_a_device_off_stays_owner_checked(app, client, citizen, other_citizen, signed_in, push_device):
    push_device(citizen)
    with app.app_context():
        mine = db.session.scalar(select(PushSubscription.id).where(PushSubscription.user_id == citizen.id))
    signed_in(client, other_citizen)
    assert client.post(f"/akun/notifikasi/{mine}/matikan").status_code == 404
    assert client.post("/akun/privasi/persetujuan", data={"purposes": []}).status_code == 303
    assert subscription_count(app, citizen) == 1 and consented(app, citizen)
