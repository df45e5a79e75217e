"""Webhooks: registered over the API, recorded with the status change, delivered by the worker's job, verified by
the independent standardwebhooks package; replays and tampering rejected by it; retries, resend, auto-disable."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.accounts.models import Role
from app.api import webhooks
from app.api.models import DeliveryStatus, WebhookEndpoint, WebhookMessage
from app.backoffice.models import StaffAssignment, StaffRole
from app.catalog.models import Mpp
from app.database import utcnow
from app.extensions import db
from app.notifications import email as email_outbox

from .conftest import HOME_MPP, bearer, submit_application


class Receiver:
    """A webhook receiver on 127.0.0.1: records every request and answers ``status`` (a list is used in order)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "http://127.0.0.1:1/internal")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def endpoint(client, token, receiver) -> dict:
    response = client.raw.post(
        "/api/v1/webhooks",
        json={
            "url": receiver.url,
            "events": ["application.submitted", "application.cancelled", "application.resubmitted"],
        },
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["secret"].startswith("whsec_")
    return body


def _deliver_all(app) -> list[webhooks.Outcome]:
    with app.app_context():
        ids = db.session.scalars(select(WebhookMessage.id).where(WebhookMessage.status == DeliveryStatus.PENDING)).all()
        return [webhooks.deliver(message_id) for message_id in ids]


def test_a_submission_is_delivered_signed_and_verifies_with_standardwebhooks(app, endpoint, receiver, citizen):
    number = submit_application(app, citizen)
    assert [o.status for o in _deliver_all(app)] == ["sent"]
    headers, body = receiver.requests[0]
    payload = Webhook(endpoint["secret"]).verify(body, headers)
    assert payload["type"] == "application.submitted" and payload["data"]["number"] == number
    assert "nik" not in body.decode().lower()  # no personal data: the agency fetches it over the API (Riwayat akses)


def test_a_tampered_or_replayed_delivery_is_rejected_by_standardwebhooks(app, endpoint, receiver, citizen):
    submit_application(app, citizen)
    _deliver_all(app)
    headers, body = receiver.requests[0]
    verifier = Webhook(endpoint["secret"])
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace(b"diajukan", b"selesai"), headers)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)), pytest.raises(WebhookVerificationError):
        verifier.verify(body, headers)  # the same bytes ten minutes later: a replay
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)


def test_during_a_rotation_both_secrets_verify(app, client, token, endpoint, receiver, citizen):
    rotated = client.raw.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=bearer(token)).get_json()
    submit_application(app, citizen)
    _deliver_all(app)
    headers, body = receiver.requests[0]
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(endpoint["secret"]).verify(body, headers)
    Webhook(rotated["secret"]).verify(body, headers)


def test_a_failing_receiver_is_retried_with_the_same_id_and_logged(app, client, token, endpoint, receiver, citizen):
    receiver.statuses = [500, 302]
    submit_application(app, citizen)
    first = _deliver_all(app)[0]
    assert first.status == "retry"
    with app.app_context():
        message_id = db.session.scalar(select(WebhookMessage.id))
        second = webhooks.deliver(message_id, now=first.next_attempt_at)
        assert second.status == "retry"  # a redirect is never followed
        third = webhooks.deliver(message_id, now=second.next_attempt_at)
        assert third.status == "sent"
    assert len({headers["webhook-id"] for headers, _body in receiver.requests}) == 1
    assert len(receiver.requests) == 3  # the redirect's target was never contacted
    log = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=bearer(token)).get_json()["data"][0]
    assert [entry["status_code"] for entry in log["log"]] == [500, 302, 200] and log["status"] == "sent"


def test_after_about_three_days_of_failure_the_endpoint_is_disabled_and_admins_emailed(
    app, client, token, endpoint, receiver, citizen, make_user
):
    admin = make_user("Admin Kendari", role=Role.MPP_ADMIN)
    with app.app_context():
        mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == HOME_MPP))
        db.session.add(StaffAssignment(user_id=admin.id, role=StaffRole.MPP_ADMIN, mpp_id=mpp_id))
        db.session.commit()
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    submit_application(app, citizen)
    started = utcnow()
    with app.app_context():
        message_id = db.session.scalar(select(WebhookMessage.id))
        now = started
        outcome = webhooks.deliver(message_id, now=now)
        while outcome.status == "retry":
            now = outcome.next_attempt_at
            outcome = webhooks.deliver(message_id, now=now)
        assert outcome.status == "failed"
        assert dt.timedelta(hours=60) < now - started < dt.timedelta(hours=84)
        assert db.session.get(WebhookEndpoint, endpoint["id"]).disabled_at is not None
        email_outbox.deliver_due()  # the job worker's part: e-mail is queued, never sent inline
    mails = list(
        (app.config["MAIL_DIR"] and __import__("pathlib").Path(app.config["MAIL_DIR"])).glob("*webhook-disabled*")
    )
    assert mails and "dinonaktifkan" in mails[-1].read_text()
    # A manual resend resets the count and switches the endpoint back on.
    receiver.statuses = []
    response = client.raw.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{message_id}/resend", headers=bearer(token)
    )
    assert response.status_code == 200 and response.get_json()["disabled_at"] is None
    with app.app_context():
        assert db.session.get(WebhookMessage, message_id).attempts == 0
        assert webhooks.deliver(message_id).status == "sent"


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(app, endpoint, receiver, citizen):
    submit_application(app, citizen)
    with app.app_context():
        message_id = db.session.scalar(select(WebhookMessage.id))
        assert webhooks.claim(message_id, now=utcnow())  # the worker took the row… and died before sending
        assert webhooks.deliver(message_id).status == "skipped"  # another worker does not take a leased row
        later = utcnow() + webhooks.LEASE + webhooks.SWEEP_GRACE + dt.timedelta(seconds=1)
        assert webhooks.due_message_ids(now=later) == [message_id]  # the sweep finds it once the lease ends
        assert webhooks.deliver(message_id, now=later).status == "sent"
        assert webhooks.deliver(message_id, now=later).status == "skipped"
    assert len(receiver.requests) == 1


def test_internal_addresses_and_bad_events_are_refused_at_registration(app, client, token):
    for url in (
        "https://10.0.0.1/hook",
        "ftp://example.go.id/x",
        "http://example.go.id/hook",
        "https://user:pw@example.go.id/",
    ):
        response = client.raw.post(
            "/api/v1/webhooks", json={"url": url, "events": ["application.submitted"]}, headers=bearer(token)
        )
        assert response.status_code == 422 and "url" in response.get_json()["errors"], url
    response = client.raw.post(
        "/api/v1/webhooks", json={"url": "https://example.go.id/", "events": ["semua"]}, headers=bearer(token)
    )
    assert response.status_code == 422 and "events" in response.get_json()["errors"]


def test_another_systems_endpoint_does_not_exist_for_this_one(client, make_token, endpoint):
    other = make_token(agency="imigrasi", name="SIMKIM")
    response = client.raw.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=bearer(other))
    assert response.status_code == 404
    assert client.get("/api/v1/webhooks", headers=bearer(other)).get_json()["data"] == []


def test_only_the_agencys_applications_at_the_tokens_mpps_are_announced(app, make_token, endpoint, receiver, citizen):
    submit_application(app, citizen, mpp="kota-batam")  # same agency, another MPP: not this token's
    assert _deliver_all(app) == []
