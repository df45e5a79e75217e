"""An agency system's whole day, end to end over HTTP, the real job queue and a real browser: a citizen applies in
Chromium at 360 px → the webhook arrives and verifies (the independent standardwebhooks package) → the agency
fetches the application and its exact documents over the API → posts "diverifikasi", "diproses", then completes with
its PDF → the citizen's phone gets the pushes and the application page in the browser shows the result with its
verification code."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.accounts.fixtures import sign_in_test_client

from ..applications.conftest import PERSON, SERVICE, add_document
from ..backoffice.conftest import pdf_bytes
from ..helpers import assert_no_axe_violations, shot, wait_for_arrival
from ..notifications.conftest import _fresh_push_service, push_device, push_service, queue  # noqa: F401
from .conftest import bearer
from .test_webhooks import Receiver


def _next(page) -> None:
    current = page.url
    page.get_by_role("button", name="Simpan dan lanjutkan").click()
    page.wait_for_url(lambda url: url != current)


def apply_in_the_browser(app, page, base_url, citizen) -> str:
    """The citizen, signed in, applies for a KTP-el replacement at MPP Kota Kendari; returns the tracking number."""
    client = app.test_client()
    sign_in_test_client(app, client, citizen)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    add_document(app, citizen)  # a KK scan in Dokumen Saya, offered on the documents step
    page.goto(f"{base_url}/layanan/{SERVICE}/ajukan")
    page.get_by_role("button", name="Mulai permohonan").click()
    page.wait_for_url("**/pemohon")
    for name, value in PERSON.items():
        if name != "jenis_kelamin":
            page.fill(f"#f-{name}", value)
    page.check("#f-jenis_kelamin-2")
    _next(page)
    page.fill("#f-alamat-street", "Jl. Ahmad Yani No. 12")
    for part, value in (("rt", "003"), ("rw", "004"), ("village", "Bende"), ("district", "Kadia")):
        page.fill(f"#f-alamat-{part}", value)
    page.fill("#f-alamat-city", "Kota Kendari")
    page.fill("#f-alamat-province", "Sulawesi Tenggara")
    page.fill("#f-no_hp", "081234567890")
    _next(page)
    page.check("#f-alasan")  # hilang
    page.fill("#f-tanggal_kejadian", "2026-01-05")
    _next(page)
    page.fill("#f-nomor_laporan", "SKTLK/123/I/2026")
    _next(page)
    if page.url.endswith("/lokasi"):
        page.get_by_label("MPP Kota Kendari").check()  # where the agency system's token works
        _next(page)
    assert page.url.endswith("/dokumen")
    page.locator("form[data-draft-id] input[type=radio]").first.check()
    _next(page)
    page.wait_for_selector("#f-pernyataan")
    page.check("#f-pernyataan")
    page.get_by_role("button", name="Ajukan permohonan").click()
    wait_for_arrival(page, re.compile(r".*/permohonan/[^/?]+\?terkirim=1"))
    return page.url.rsplit("/", 1)[1].split("?")[0]


def test_an_agency_system_works_an_application_from_webhook_to_result(
    app,
    page,
    base_url,
    client,
    token,
    citizen,
    demo_data,
    push_device,  # noqa: F811
    push_service,  # noqa: F811
    queue,  # noqa: F811
):
    receiver = Receiver()
    try:
        hook = client.raw.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["application.submitted"]}, headers=bearer(token)
        ).get_json()
        phone = push_device(citizen)
        number = apply_in_the_browser(app, page, base_url, citizen)
        queue.run()

        assert len(receiver.requests) == 1
        headers, body = receiver.requests[0]
        event = Webhook(hook["secret"]).verify(body, headers)
        assert event["type"] == "application.submitted" and event["data"]["number"] == number

        detail = client.get(event["data"]["url"], headers=bearer(token)).get_json()
        assert detail["answers"]["nik"] == PERSON["nik"]
        documents = [d for d in detail["documents"] if d["url"]]
        assert documents, "the KK chosen in the browser travels with the application"
        for document in documents:
            data = client.get(document["url"]).get_data()
            assert hashlib.sha256(data).hexdigest() == document["sha256"]

        version = detail["version"]
        for step, target in enumerate(("diverifikasi", "diproses")):
            moved = client.raw.post(
                f"/api/v1/applications/{number}/transitions",
                json={"to": target, "expected_version": version},
                headers={**bearer(token), "Idempotency-Key": f"langkah-{step}-{number}"},
            )
            assert moved.status_code == 200, moved.get_data(as_text=True)
            version = moved.get_json()["version"]
        done = client.raw.post(
            f"/api/v1/applications/{number}/result?expected_version={version}&note=Ambil+di+loket+3",
            data=pdf_bytes(),
            content_type="application/pdf",
            headers={**bearer(token), "Idempotency-Key": f"hasil-{number}"},
        )
        assert done.status_code == 200, done.get_data(as_text=True)
        code = done.get_json()["result"]["verification_code"]
        queue.run()

        titles = [message.payload["title"] for message in push_service.messages_for(phone)]
        assert any("selesai" in title for title in titles), titles
        page.goto(f"{base_url}/permohonan/{number}")
        expect(page.locator("main")).to_contain_text("Selesai")
        expect(page.locator("main")).to_contain_text(code)
        assert_no_axe_violations(page)
        shot(page, "api-journey-result")
    finally:
        receiver.server.shutdown()
