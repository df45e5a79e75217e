"""The inbox, the device list and the admins' failed-deliveries page, as citizens, strangers and staff use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.extensions import db
from app.notifications import delivery, inbox
from app.notifications.models import Notification, OutboxMessage, OutboxStatus, PushSubscription

from ..helpers import PageClient
from .conftest import notifications_of, outbox_rows, subscription_count


def post_json(client, url: str, body, *, user_agent: str | None = None):
    """What push.js sends: JSON with the CSRF token in a header, from our own origin."""
    headers = {"Origin": "http://localhost", "X-CSRFToken": client.csrf_token()}
    environ = {"HTTP_USER_AGENT": user_agent} if user_agent else {}
    return client.raw.post(url, json=body, headers=headers, environ_overrides=environ)


def notify(app, user: User, title: str = "Application %(number)s verified", number: str = "7471-26-AAAA-AAA") -> int:
    with app.app_context():
        notification = Notification(
            user_id=user.id,
            kind="application_status",
            title_msgid=title,
            body_msgid="Your data and documents for %(service)s are complete.",
            params={"number": number, "service": "KTP-el", "status": "diverifikasi", "reason": ""},
            url=f"/permohonan/{number}",
        )
        db.session.add(notification)
        db.session.commit()
        return notification.id


# --- inbox ----------------------------------------------------------------------------------------------------------


def test_the_inbox_lists_notices_newest_first_in_the_readers_language(app, client, citizen, signed_in):
    notify(app, citizen, number="7471-26-AAAA-AAA")
    notify(app, citizen, number="7471-26-BBBB-BBB")
    signed_in(client, citizen)
    page = client.get_page("/notifikasi")
    titles = [p.get_text(" ", strip=True) for p in page.select(".inbox-title strong")]
    assert titles == [
        "Permohonan 7471-26-BBBB-BBB telah diverifikasi",
        "Permohonan 7471-26-AAAA-AAA telah diverifikasi",
    ]
    assert page.select_one('a[href="/permohonan/7471-26-BBBB-BBB"]')
    assert "Notifikasi belum dibaca: 2" in page.get_text()
    client.set_cookie("bahasa", "en")
    page = client.get_page("/notifikasi", lang="en")
    assert page.select_one(".inbox-title strong").get_text() == "Application 7471-26-BBBB-BBB verified"


def test_the_inbox_is_private_and_never_cached(app, client, citizen, signed_in):
    assert client.get("/notifikasi").status_code == 302  # anonymous → sign in
    signed_in(client, citizen)
    response = client.get("/notifikasi")
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-MPP-Offline" not in response.headers


def test_marking_one_read_and_then_all(app, client, citizen, signed_in):
    first, second = notify(app, citizen), notify(app, citizen)
    signed_in(client, citizen)
    assert client.get("/notifikasi/jumlah").get_json() == {"unread": 2}
    response = client.post(f"/notifikasi/{first}/baca")
    assert response.status_code == 303
    assert client.get("/notifikasi/jumlah").get_json() == {"unread": 1}
    assert client.post("/notifikasi/baca-semua").status_code == 303
    assert client.get("/notifikasi/jumlah").get_json() == {"unread": 0}
    assert all(n.read_at is not None for n in notifications_of(app, citizen))
    assert second


def test_marking_read_with_htmx_returns_the_item_only(app, client, citizen, signed_in):
    notification_id = notify(app, citizen)
    signed_in(client, citizen)
    response = client.post(f"/notifikasi/{notification_id}/baca", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<li")
    assert f'id="notifikasi-{notification_id}"' in html and "unread" not in html


def test_another_citizen_cannot_read_or_mark_my_notices(app, client, citizen, other_citizen, signed_in):
    mine = notify(app, citizen)
    signed_in(client, other_citizen)
    assert client.post(f"/notifikasi/{mine}/baca").status_code == 404
    client.post("/notifikasi/baca-semua")
    assert notifications_of(app, citizen)[0].read_at is None
    assert client.get("/notifikasi/jumlah").get_json() == {"unread": 0}
    assert "7471-26-AAAA-AAA" not in client.get("/notifikasi").get_data(as_text=True)


def test_the_unread_count_is_json_no_store_and_zero_for_visitors(client):
    response = client.get("/notifikasi/jumlah")
    assert response.get_json() == {"unread": 0}
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_never_carry_the_count(app, client, citizen, signed_in):
    notify(app, citizen)
    signed_in(client, citizen)
    page = client.get_page("/layanan")
    badge = page.select_one("[data-unread-count]")
    assert badge is not None and badge.has_attr("hidden") and badge.select_one("[data-unread-number]").text == ""


def test_the_inbox_pages_older_notices(app, client, citizen, signed_in):
    for _ in range(inbox.PAGE_SIZE + 3):
        notify(app, citizen)
    signed_in(client, citizen)
    page = client.get_page("/notifikasi")
    assert len(page.select(".inbox-item")) == inbox.PAGE_SIZE
    older = page.find("a", string="Notifikasi sebelumnya")["href"]
    assert len(client.get_page(older).select(".inbox-item")) == 3


# --- devices --------------------------------------------------------------------------------------------------------


def test_subscribing_stores_the_device_and_lists_it(app, client, citizen, signed_in, push_service):
    signed_in(client, citizen)
    subscriber = push_service.subscriber()
    response = post_json(
        client,
        "/akun/notifikasi/langganan",
        subscriber.as_json(),
        user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/140.0",
    )
    assert response.status_code == 201, response.get_json()
    page = client.get_page("/akun/notifikasi")
    [row] = page.select("[data-endpoint]")
    assert row["data-endpoint"] == subscriber.endpoint and "Android" in row.get_text()
    # Subscribing again (same browser) updates the row instead of adding a second one.
    post_json(client, "/akun/notifikasi/langganan", subscriber.as_json())
    assert subscription_count(app, citizen) == 1


def test_another_account_posting_my_endpoint_with_its_own_keys_does_not_take_my_notices(
    app, client, citizen, other_citizen, signed_in, push_service
):
    """Issue 9, item 10, as it was found: citizen B posts A's endpoint with B's own keys; the row stayed with A."""
    phone_a = push_service.subscriber()
    signed_in(client, citizen)
    assert post_json(client, "/akun/notifikasi/langganan", phone_a.as_json()).status_code == 201

    attacker = PageClient(app.test_client())
    signed_in(attacker, other_citizen)
    stolen = {**push_service.subscriber().as_json(), "endpoint": phone_a.endpoint}  # A's endpoint, B's keys
    response = post_json(attacker, "/akun/notifikasi/langganan", stolen)
    assert response.status_code == 409 and response.get_json()["renew"] is True
    assert "akun lain" in response.get_json()["error"]

    with app.app_context():
        row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == phone_a.endpoint))
        assert row.user_id == citizen.id and row.p256dh == phone_a.p256dh and row.auth == phone_a.auth
    assert subscription_count(app, other_citizen) == 0
    # B did not get the "notifikasi" consent recorded by a refused request either.
    assert "data-endpoint" not in attacker.get("/akun/notifikasi").get_data(as_text=True)
    # A still receives push, encrypted for A's own keys.
    notification_id = notify(app, citizen)
    with app.app_context():
        outbox = OutboxMessage(notification_id=notification_id)
        db.session.add(outbox)
        db.session.commit()
        assert delivery.deliver(outbox.id).sent == 1
    assert len(push_service.messages_for(phone_a)) == 1 and push_service.errors == []


def test_a_shared_phone_gets_a_new_address_for_the_second_citizen_and_the_first_one_dies_at_the_push_service(
    app, client, citizen, other_citizen, signed_in, push_device, push_service
):
    phone = push_device(citizen)
    signed_in(client, other_citizen)
    assert post_json(client, "/akun/notifikasi/langganan", phone.as_json()).status_code == 409
    renewed = push_service.subscriber()  # what push.js does on 409: unsubscribe, subscribe again, post the new one
    assert post_json(client, "/akun/notifikasi/langganan", renewed.as_json()).status_code == 201
    assert subscription_count(app, citizen) == 1 and subscription_count(app, other_citizen) == 1


def _keys(subscriber, **override):
    data = subscriber.as_json()
    data["keys"] = {**data["keys"], **override}
    return data


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s: {**s.as_json(), "endpoint": "http://push.example.com/x"}, "Alamat push harus menggunakan HTTPS."),
        (lambda s: {**s.as_json(), "endpoint": "ftp://push.example.com/x"}, "Alamat push harus menggunakan HTTPS."),
        (lambda s: {**s.as_json(), "endpoint": "https://user:pw@push.example.com/x"}, "alamat push yang sah"),
        (lambda s: {**s.as_json(), "endpoint": ""}, "alamat push yang sah"),
        (lambda s: {**s.as_json(), "endpoint": "https://push.example.com/" + "a" * 2000}, "terlalu besar"),
        (lambda s: {"endpoint": s.endpoint}, "Kunci langganan"),
        (lambda s: _keys(s, auth="AAAA"), "Kunci langganan"),
        (lambda s: _keys(s, p256dh="BAAA" + "A" * 83), "Kunci langganan"),  # 65 bytes, not a point on the curve
        (lambda s: _keys(s, p256dh="x" * 5000), "terlalu besar"),
        (lambda s: _keys(s, p256dh="x" * 120), "Kunci langganan"),
        (lambda s: ["not", "an", "object"], "tidak dapat dibaca"),
    ],
)
def test_bad_subscriptions_are_refused_with_a_reason(app, client, citizen, signed_in, push_service, make, message):
    signed_in(client, citizen)
    response = post_json(client, "/akun/notifikasi/langganan", make(push_service.subscriber()))
    assert response.status_code in (400, 413)
    assert message in response.get_json()["error"]
    assert subscription_count(app, citizen) == 0


def test_an_absurdly_large_body_is_refused_before_it_is_parsed(client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.post(
        "/akun/notifikasi/langganan",
        data='{"endpoint": "' + "a" * 100_000 + '"}',
        content_type="application/json",
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert response.status_code == 413


def test_production_refuses_a_plain_http_endpoint_even_on_localhost(app, push_service):
    from app.notifications.subscriptions import InvalidSubscription, parse_subscription

    subscriber = push_service.subscriber()
    with app.app_context():
        assert parse_subscription(subscriber.as_json(), production=False).endpoint == subscriber.endpoint
        with pytest.raises(InvalidSubscription):
            parse_subscription(subscriber.as_json(), production=True)
        internal = {**subscriber.as_json(), "endpoint": "https://10.0.0.5/push/x"}
        with pytest.raises(InvalidSubscription):
            parse_subscription(internal, production=True)


def test_subscribing_needs_a_session_and_a_csrf_token(client, citizen, signed_in, push_service):
    subscriber = push_service.subscriber()
    assert post_json(client, "/akun/notifikasi/langganan", subscriber.as_json()).status_code == 302  # sign in first
    signed_in(client, citizen)
    no_token = client.raw.post(
        "/akun/notifikasi/langganan", json=subscriber.as_json(), headers={"Origin": "http://localhost"}
    )
    assert no_token.status_code == 400


def test_turning_a_device_off_and_a_stranger_cannot(app, client, citizen, other_citizen, signed_in, push_device):
    push_device(citizen)
    with app.app_context():
        subscription_id = db.session.scalar(select(PushSubscription.id))
    signed_in(client, other_citizen)
    assert client.post(f"/akun/notifikasi/{subscription_id}/matikan").status_code == 404
    assert subscription_count(app, citizen) == 1
    signed_in(client, citizen)
    assert client.post(f"/akun/notifikasi/{subscription_id}/matikan").status_code == 303
    assert subscription_count(app, citizen) == 0


def test_this_browser_unsubscribes_by_endpoint(app, client, citizen, other_citizen, signed_in, push_device):
    phone = push_device(citizen)
    signed_in(client, other_citizen)
    post_json(client, "/akun/notifikasi/langganan/hapus", {"endpoint": phone.endpoint})
    assert subscription_count(app, citizen) == 1, "only one's own endpoint can be removed"
    signed_in(client, citizen)
    response = post_json(client, "/akun/notifikasi/langganan/hapus", {"endpoint": phone.endpoint})
    assert response.status_code == 200 and subscription_count(app, citizen) == 0


def test_the_test_notification_goes_through_the_outbox_not_the_request(
    app, client, citizen, signed_in, push_device, push_service, queue
):
    signed_in(client, citizen)
    response = client.post("/akun/notifikasi/uji")
    assert response.status_code == 303 and outbox_rows(app) == []  # no device yet: nothing to test
    phone = push_device(citizen)
    client.post("/akun/notifikasi/uji")
    assert push_service.attempts == {}, "nothing is sent from the web request"
    [row] = outbox_rows(app)
    assert row.status == OutboxStatus.PENDING
    queue.run()
    assert push_service.messages_for(phone)[0].payload["url"] == "/notifikasi"


def test_the_devices_page_explains_push_without_javascript(client, citizen, signed_in):
    signed_in(client, citizen)
    page = client.get_page("/akun/notifikasi")
    assert "Notifikasi memerlukan JavaScript" in page.select_one('[data-push-state="checking"]').get_text()
    assert page.select_one('[data-push-state="ios"]').has_attr("hidden")
    assert "Belum ada perangkat" in page.get_text()


def test_the_confirmation_page_offers_notifications_only_on_a_button(
    app, client, citizen, signed_in, application_number
):
    signed_in(client, citizen)
    page = client.get_page(f"/permohonan/{application_number}?terkirim=1")
    box = page.select_one("[data-push-opt-in]")
    assert box is not None and box.has_attr("hidden") and box["data-vapid-key"]
    assert "status permohonan Anda berubah" in box.get_text()
    assert client.get_page(f"/permohonan/{application_number}").select_one("[data-push-opt-in]") is None


# --- failed deliveries for admins -----------------------------------------------------------------------------------


def _failed(app, user: User, number: str) -> int:
    notification_id = notify(app, user, number=number)
    with app.app_context():
        message = OutboxMessage(
            notification_id=notification_id,
            status=OutboxStatus.FAILED,
            attempts=8,
            last_error="push service answered 503",
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def test_admins_see_failed_notices_in_their_scope_and_can_send_again(
    app, client, citizen, signed_in, application_number, make_staff, queue
):
    mine = _failed(app, citizen, application_number)
    elsewhere = _failed(app, citizen, "2171-26-ZZZZ-ZZZ")  # not an application of Kota Kendari
    signed_in(client, make_staff(Role.MPP_ADMIN, agency=None, name="Admin Kendari"))
    page = client.get_page("/petugas/notifikasi-gagal")
    assert application_number in page.get_text() and "2171-26-ZZZZ-ZZZ" not in page.get_text()
    assert "503" in page.get_text()
    assert client.post(f"/petugas/notifikasi-gagal/{elsewhere}/ulang").status_code == 404
    assert client.post(f"/petugas/notifikasi-gagal/{mine}/ulang").status_code == 303
    with app.app_context():
        row = db.session.get(OutboxMessage, mine)
        assert row.status == OutboxStatus.PENDING and row.attempts == 0
    assert queue.pending() == 1
    signed_in(client, make_staff(Role.NATIONAL_ADMIN, mpp=None, agency=None, name="Admin Nasional"))
    assert "2171-26-ZZZZ-ZZZ" in client.get_page("/petugas/notifikasi-gagal").get_text()


def test_citizens_and_officers_do_not_see_the_failed_page(client, citizen, officer, signed_in):
    signed_in(client, citizen)
    assert client.get("/petugas/notifikasi-gagal").status_code == 404
    signed_in(client, officer)
    assert client.get("/petugas/notifikasi-gagal").status_code == 404


def test_retry_failed_does_not_touch_pending_or_sent_rows(app, citizen):
    notification_id = notify(app, citizen)
    with app.app_context():
        message = OutboxMessage(notification_id=notification_id, status=OutboxStatus.SENT)
        db.session.add(message)
        db.session.commit()
        assert delivery.retry_failed(message.id) is False


def test_production_refuses_an_endpoint_whose_name_resolves_into_the_internal_network(app, push_service, monkeypatch):
    """DNS cannot be asked here, so the resolver is the one thing replaced: names → addresses."""
    import socket

    from app.notifications.subscriptions import InvalidSubscription, parse_subscription

    answers = {"push.internal.example": "10.1.2.3", "fcm.googleapis.com": "142.250.4.95"}

    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    subscriber = push_service.subscriber().as_json()
    with app.app_context():
        for endpoint in ("https://push.internal.example/x", "https://does-not-resolve.example/x"):
            with pytest.raises(InvalidSubscription):
                parse_subscription({**subscriber, "endpoint": endpoint}, production=True)
        accepted = parse_subscription(
            {**subscriber, "endpoint": "https://fcm.googleapis.com/fcm/send/abc"}, production=True
        )
        assert accepted.endpoint == "https://fcm.googleapis.com/fcm/send/abc"
