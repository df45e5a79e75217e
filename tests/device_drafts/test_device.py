"""The server side of offline drafts: the opaque account key, the CSRF refresh and the offline form page."""

from __future__ import annotations

from app.device_drafts.device import account_key


def test_the_account_key_is_stable_opaque_and_different_per_account(citizen, other_citizen):
    key = account_key(citizen.webauthn_handle)
    assert key == account_key(citizen.webauthn_handle)
    assert key != account_key(other_citizen.webauthn_handle)
    assert citizen.email.split("@")[0] not in key and len(key) == 32


def test_apply_pages_tell_the_script_who_is_signed_in_and_the_token_endpoint_agrees(app, client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.get("/luring/token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json["account"] == account_key(citizen.webauthn_handle)
    assert response.json["csrf_token"]


def test_a_fresh_token_lets_a_device_sync_after_its_page_token_went_stale(app, client, citizen, signed_in):
    signed_in(client, citizen)
    token = client.get("/luring/token").json["csrf_token"]
    response = client.raw.put(
        "/permohonan/draf/00000000-0000-0000-0000-000000000000",
        json={"revision": 1, "answers": {}, "step": ""},
        headers={"X-CSRFToken": token, "Origin": "http://localhost"},
    )
    assert response.status_code == 404  # past CSRF: the (unknown) draft is simply not found
    stale = client.raw.put(
        "/permohonan/draf/00000000-0000-0000-0000-000000000000",
        json={"revision": 1, "answers": {}, "step": ""},
        headers={"X-CSRFToken": "stale-token", "Origin": "http://localhost"},
    )
    assert stale.status_code == 400


def test_the_offline_form_page_holds_no_personal_data_and_may_be_kept_offline(client, citizen, signed_in):
    signed_in(client, citizen)
    response = client.get("/luring/formulir")
    assert response.headers["X-MPP-Offline"] == "public"
    html = response.get_data(as_text=True)
    assert 'name="mpp-account"' not in html
    assert citizen.display_name not in html and citizen.email not in html
    soup = client.get_page("/luring/formulir")
    assert soup.find(attrs={"data-draft-shell-root": True}) is not None
