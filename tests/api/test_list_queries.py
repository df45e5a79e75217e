"""Webhook lists cost the same number of SQL statements whatever their length: the Integrasi page (tokens paged,
each with its endpoints and their newest deliveries) and the API's endpoint list and delivery log."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from sqlalchemy import select

from app.api.models import ApiToken, DeliveryStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage
from app.database import utcnow
from app.extensions import db
from app.integrations import admin as integrations

from ..statements import assert_same_statements, captured, statements_of
from .conftest import bearer
from .test_admin import URL, admin_user  # noqa: F401 (fixture)

_serial = itertools.count(1)


def add_endpoints(app, raw_token_names: list[str], *, endpoints: int, messages: int) -> list[int]:
    """For each named token: ``endpoints`` endpoints, each with ``messages`` failed messages of two attempts."""
    with app.app_context():
        ids = []
        now = utcnow()
        for token in db.session.scalars(select(ApiToken).where(ApiToken.name.in_(raw_token_names))):
            for _ in range(endpoints):
                endpoint = WebhookEndpoint(
                    token_id=token.id, url="https://siak.contoh.id/hook", events=["application.submitted"], secret="s"
                )
                db.session.add(endpoint)
                db.session.flush()
                ids.append(endpoint.id)
                for _ in range(messages):
                    n = next(_serial)
                    message = WebhookMessage(
                        message_id=f"msg_{n:08d}",
                        endpoint_id=endpoint.id,
                        event="application.submitted",
                        body="{}",
                        status=DeliveryStatus.FAILED,
                        attempts=2,
                        last_error=f"galat {n:06d}",
                        created_at=now - dt.timedelta(minutes=100_000 - n),
                    )
                    db.session.add(message)
                    db.session.flush()
                    for _ in range(2):
                        db.session.add(WebhookAttempt(message_id=message.id, status_code=500, error="500"))
        db.session.commit()
        return ids


def test_the_integrasi_page_takes_the_same_statements_for_one_or_many_tokens_endpoints_and_deliveries(
    app,
    client,
    signed_in,
    admin_user,
    make_token,  # noqa: F811
):
    signed_in(client, admin_user())
    make_token(name="Token 000")
    add_endpoints(app, ["Token 000"], endpoints=1, messages=2)
    few = statements_of(app, client, URL)
    assert few.html.count("galat ") == 2
    names = [f"Token {i:03d}" for i in range(1, integrations.TOKENS_PAGE_SIZE + 3)]
    for name in names:
        make_token(name=name)
    add_endpoints(app, names, endpoints=3, messages=12)
    many = statements_of(app, client, URL)
    assert_same_statements(few, many, URL)
    page = client.get_page(URL)
    cards = page.select(".integration-token-card")
    assert len(cards) == integrations.TOKENS_PAGE_SIZE
    newest = cards[0]
    assert newest.get_text().count("galat ") == 3 * 10  # each endpoint: its 10 newest deliveries
    shown = [int(n) for n in re.findall(r"galat (\d+)", newest.get_text())]
    for endpoint_log in (shown[0:10], shown[10:20], shown[20:30]):  # each endpoint's log: newest first
        assert endpoint_log == sorted(endpoint_log, reverse=True)
    assert page.select_one('a[rel="next"]')["href"] == f"{URL}?halaman=2#token"
    second = client.get_page(f"{URL}?halaman=2")
    assert len(second.select(".integration-token-card")) == 3  # 13 tokens: 10 + 3
    assert second.select_one('a[rel="next"]') is None


def test_the_api_lists_endpoints_and_deliveries_in_the_same_statements_for_any_number(app, client, make_token):
    raw = make_token(name="SIAK")
    endpoint_id = add_endpoints(app, ["SIAK"], endpoints=1, messages=2)[0]
    url = f"/api/v1/webhooks/{endpoint_id}/deliveries"

    def counted(path):
        with captured(app) as seen:
            response = client.get(path, headers=bearer(raw))
        assert response.status_code == 200, response.get_data(as_text=True)
        return len(seen), response.get_json()

    counted(url)  # the token's first use of the day is written down (tokens.authenticate): not part of a list
    few_log, body = counted(url)
    assert len(body["data"]) == 2 and all(len(item["log"]) == 2 for item in body["data"])
    few_list, _ = counted("/api/v1/webhooks")
    add_endpoints(app, ["SIAK"], endpoints=5, messages=1)
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        now = utcnow()
        for i in range(60):
            n = next(_serial)
            message = WebhookMessage(
                message_id=f"msg_{n:08d}",
                endpoint_id=endpoint.id,
                event="application.submitted",
                body="{}",
                status=DeliveryStatus.FAILED,
                attempts=1,
                created_at=now + dt.timedelta(minutes=i),
            )
            db.session.add(message)
            db.session.flush()
            db.session.add(WebhookAttempt(message_id=message.id, status_code=500, error="500"))
        db.session.commit()
    many_log, body = counted(url)
    assert many_log == few_log
    assert len(body["data"]) == 50 and body["data"][0]["created_at"] > body["data"][-1]["created_at"]
    many_list, listed = counted("/api/v1/webhooks")
    assert many_list == few_list and len(listed["data"]) == 6


def test_the_delivery_log_pages_through_every_message_once_with_a_cursor(app, client, make_token):
    raw = make_token(name="SIAK")
    endpoint_id = add_endpoints(app, ["SIAK"], endpoints=1, messages=23)[0]
    url = f"/api/v1/webhooks/{endpoint_id}/deliveries?limit=10"
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=bearer(raw))
        assert response.status_code == 200
        body = response.get_json()
        seen += [item["webhook_id"] for item in body["data"]]
        pages += 1
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        cursor = body["next_cursor"]
    assert pages == 3 and len(seen) == 23 == len(set(seen)) and seen == sorted(seen, reverse=True)
    bad = client.get(url + "&cursor=abc", headers=bearer(raw))
    assert bad.status_code in (400, 422) and "cursor" in bad.get_data(as_text=True)
