"""An agency system's whole day, end to end over HTTP and the real job queue: a citizen submits → the webhook arrives
and verifies (standardwebhooks) → the agency fetches the application and its exact documents → posts "diverifikasi",
"diproses", then completes with its PDF → the citizen's phone gets the pushes and the application page shows the
result with its verification code. (The citizen's submission is made through the apply use case, not a browser.)"""

from __future__ import annotations

import hashlib

from standardwebhooks import Webhook

from ..backoffice.conftest import pdf_bytes
from ..notifications.conftest import _fresh_push_service, push_device, push_service, queue  # noqa: F401
from .conftest import bearer, submit_application
from .test_webhooks import Receiver


def test_an_agency_system_works_an_application_from_webhook_to_result(
    app,
    client,
    token,
    citizen,
    signed_in,
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
        number = submit_application(app, citizen)
        queue.run()

        headers, body = receiver.requests[0]
        event = Webhook(hook["secret"]).verify(body, headers)
        assert event["data"]["number"] == number

        detail = client.get(event["data"]["url"], headers=bearer(token)).get_json()
        for document in (d for d in detail["documents"] if d["url"]):
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
        signed_in(client, citizen)
        page = client.get_page(f"/permohonan/{number}")
        assert "Selesai" in page.get_text() and code in page.get_text()
    finally:
        receiver.server.shutdown()
