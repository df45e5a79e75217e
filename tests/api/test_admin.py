"""The MPP admin makes, sees and revokes agency-system tokens, and resends a failed webhook message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.api.models import ApiToken
from app.backoffice.models import AuditAction, AuditEntry, StaffAssignment, StaffRole
from app.catalog.models import Agency, Mpp
from app.extensions import db

from .conftest import HOME_MPP, OTHER_MPP, bearer

URL = f"/admin/integrasi/mpp/{HOME_MPP}"


@pytest.fixture
def admin_user(app, make_user, demo):
    def factory(mpp: str = HOME_MPP):
        user = make_user(f"Admin {mpp}", role=Role.MPP_ADMIN)
        with app.app_context():
            mpp_id = db.session.scalar(select(Mpp.id).where(Mpp.slug == mpp))
            db.session.add(StaffAssignment(user_id=user.id, role=StaffRole.MPP_ADMIN, mpp_id=mpp_id))
            db.session.commit()
        return user

    return factory


def _agency_id(app, slug="disdukcapil") -> str:
    with app.app_context():
        return str(db.session.scalar(select(Agency.id).where(Agency.slug == slug)))


def test_an_admin_creates_a_token_that_is_shown_once_and_works(app, client, signed_in, admin_user):
    signed_in(client, admin_user())
    page = client.post_page(
        URL,
        data={"nama": "SIAK Disdukcapil", "instansi": _agency_id(app), "izin-applications:read": "1", "masa": "90"},
    )
    raw = page.select_one(".integration-token").get_text(strip=True)
    assert raw.startswith("mppd_")
    assert client.get("/api/v1/applications", headers=bearer(raw)).status_code == 200
    again = client.get_page(URL)
    assert raw not in str(again) and "SIAK Disdukcapil" in again.get_text()
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.API_TOKEN_CREATED))


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(app, client, signed_in, admin_user):
    signed_in(client, admin_user())
    page = client.post_page(URL, data={"nama": "Sistem Saya", "instansi": "999999", "masa": "7"}, expected_status=422)
    assert page.select_one("#f-nama")["value"] == "Sistem Saya"
    assert (
        page.select_one("#f-instansi-error") and page.select_one("#f-izin-error") and page.select_one("#f-masa-error")
    )
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_revoking_stops_the_token_at_once(app, client, signed_in, admin_user, make_token):
    raw = make_token()
    signed_in(client, admin_user())
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/admin/integrasi/token/{token_id}/cabut")
    assert response.status_code == 303
    assert client.get("/api/v1/applications", headers=bearer(raw)).get_json()["code"] == "token-dicabut"


def test_another_mpps_admin_and_citizens_cannot_see_or_revoke(app, client, signed_in, admin_user, make_token, citizen):
    make_token()
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    signed_in(client, admin_user(OTHER_MPP))
    assert client.get(URL).status_code == 404
    assert client.post(f"/admin/integrasi/token/{token_id}/cabut").status_code == 404
    signed_in(client, citizen)
    assert client.get(URL).status_code == 404


# --- webhooks registered from the admin page ----------------------------------------------------------------------


def _token_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ApiToken.id))


def test_an_admin_registers_a_webhook_whose_secret_is_shown_once_and_verifies(
    app, client, signed_in, admin_user, make_token, citizen
):
    from standardwebhooks import Webhook

    from .conftest import submit_application
    from .test_webhooks import Receiver, _deliver_all

    receiver = Receiver()
    try:
        make_token()
        token_id = _token_id(app)
        signed_in(client, admin_user())
        page = client.post_page(
            f"/admin/integrasi/token/{token_id}/webhook",
            data={f"url-{token_id}": receiver.url, f"peristiwa-application.submitted-{token_id}": "1"},
        )
        secret = page.select_one(".integration-token").get_text(strip=True)
        assert secret.startswith("whsec_")
        again = client.get_page(URL)
        assert secret not in str(again) and receiver.url in again.get_text()
        assert "Permohonan diajukan" in again.get_text() or "application.submitted" in again.get_text()
        number = submit_application(app, citizen)
        assert [outcome.status for outcome in _deliver_all(app)] == ["sent"]
        headers, body = receiver.requests[0]
        assert Webhook(secret).verify(body, headers)["data"]["number"] == number
    finally:
        receiver.server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/webhook",  # a private address
        "https://169.254.169.254/latest/meta-data",  # the cloud metadata address
        "http://siak.example.go.id/webhook",  # plain http to another host
        "ftp://siak.example.go.id/",
        "",
    ],
)
def test_an_internal_or_plain_address_is_refused_next_to_the_field_and_kept(
    app, client, signed_in, admin_user, make_token, url
):
    from app.api.models import WebhookEndpoint

    make_token()
    token_id = _token_id(app)
    signed_in(client, admin_user())
    page = client.post_page(
        f"/admin/integrasi/token/{token_id}/webhook",
        data={f"url-{token_id}": url, f"peristiwa-application.submitted-{token_id}": "1"},
        expected_status=422,
    )
    error = page.select_one(f"#f-url-{token_id}-error")
    assert error is not None and "https" in error.get_text()
    assert page.select_one(f"#f-url-{token_id}")["value"] == url
    assert page.select_one(f"#f-peristiwa-application\\.submitted-{token_id}").has_attr("checked")
    assert page.select_one("details.integration-new-webhook").has_attr("open")
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_no_event_chosen_is_said_next_to_the_events(app, client, signed_in, admin_user, make_token):
    make_token()
    token_id = _token_id(app)
    signed_in(client, admin_user())
    page = client.post_page(
        f"/admin/integrasi/token/{token_id}/webhook",
        data={f"url-{token_id}": "https://siak.example.go.id/webhook"},
        expected_status=422,
    )
    assert page.select_one(f"#f-peristiwa-{token_id}-error") is not None
    assert page.select_one(f"#f-url-{token_id}")["value"] == "https://siak.example.go.id/webhook"


def test_another_mpps_admin_cannot_register_a_webhook_and_a_revoked_token_gets_no_form(
    app, client, signed_in, admin_user, make_token
):
    make_token()
    token_id = _token_id(app)
    signed_in(client, admin_user(OTHER_MPP))
    data = {f"url-{token_id}": "https://siak.example.go.id/webhook", f"peristiwa-application.submitted-{token_id}": "1"}
    assert client.post(f"/admin/integrasi/token/{token_id}/webhook", data=data).status_code == 404
    signed_in(client, admin_user())
    client.post(f"/admin/integrasi/token/{token_id}/cabut")
    assert client.get_page(URL).select_one("details.integration-new-webhook") is None
    refused = client.post(f"/admin/integrasi/token/{token_id}/webhook", data=data)  # from a page opened before
    assert refused.status_code == 303
    assert "token" in client.get_page(URL).select_one(".notice.error").get_text().lower()


def test_the_admin_sees_when_a_token_was_last_used(app, client, signed_in, admin_user, make_token):
    raw = make_token()
    signed_in(client, admin_user())

    def last_used() -> str:
        row = next(r for r in client.get_page(URL).select(".summary-row") if "Terakhir dipakai" in r.get_text())
        return row.dd.get_text(strip=True)

    assert last_used() == "Belum pernah"
    assert client.get("/api/v1/applications", headers=bearer(raw)).status_code == 200
    assert last_used() != "Belum pernah" and "WITA" in last_used()  # in the MPP's own zone
