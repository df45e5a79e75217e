"""Webhook deliveries per second against a local receiver, against a plain baseline in the same run.

    .venv/bin/python bench/webhooks.py --count 500

A receiver on 127.0.0.1 answers 204. The app (SQLite in a temporary folder, or MPP_BENCH_DATABASE_URL) records N
webhook messages for one endpoint and delivers them one by one with ``webhooks.deliver`` — claim, sign, checked
session (DNS check, no redirects), attempt row, commit. The baseline POSTs the same bodies with a plain
``requests.Session`` and nothing else. Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver = f"http://127.0.0.1:{server.server_address[1]}/hook"

    from flask_migrate import upgrade

    from app import create_app
    from app.api import tokens, webhooks
    from app.api.models import Permission, WebhookEndpoint, WebhookMessage
    from app.catalog.demo_data import load_demo_data
    from app.catalog.models import Agency, Mpp
    from app.extensions import db

    url = os.environ.get("MPP_BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tempfile.mkdtemp(), "SECRET_KEY": "bench"})
    body = json.dumps({"type": "application.submitted", "data": {"number": "7471-26-XXXX-XXX", "status": "diajukan"}})
    with app.app_context():
        upgrade()
        load_demo_data()
        token, _raw = tokens.create_token(
            name="Bench",
            agency=db.session.scalar(sa.select(Agency).where(Agency.slug == "disdukcapil")),
            mpps=[db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-kendari"))],
            permissions=[Permission.WEBHOOKS],
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            created_by=None,
        )
        endpoint = WebhookEndpoint(
            token_id=token.id, url=receiver, events=["application.submitted"], secret=webhooks.new_secret()
        )
        db.session.add(endpoint)
        db.session.flush()
        for n in range(args.count):
            db.session.add(
                WebhookMessage(
                    message_id=f"msg_bench_{n}", endpoint_id=endpoint.id, event="application.submitted", body=body
                )
            )
        db.session.commit()
        ids = list(db.session.scalars(sa.select(WebhookMessage.id).order_by(WebhookMessage.id)))

        session = requests.Session()
        started = time.perf_counter()
        for _ in ids:
            session.post(receiver, data=body.encode(), headers={"content-type": "application/json"}, timeout=15)
        baseline = len(ids) / (time.perf_counter() - started)

        started = time.perf_counter()
        outcomes = [webhooks.deliver(message_id).status for message_id in ids]
        delivered = len(ids) / (time.perf_counter() - started)
    server.shutdown()
    print(f"plain POST baseline : {baseline:8.0f} requests/s")
    print(
        f"webhook deliveries  : {delivered:8.0f} deliveries/s ({100 * delivered / baseline:.1f} % of baseline; "
        f"{outcomes.count('sent')} sent)"
    )


if __name__ == "__main__":
    main()
