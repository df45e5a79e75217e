"""Prometheus metrics with prometheus_client (the maintained reference library).

Request latency is a histogram per Flask endpoint name (never the raw path: one series per route, not per
tracking number). Outbox depth, the age of the oldest undelivered row and given-up deliveries are read from the
database at scrape time, so every web node reports the same truth however many processes wrote the rows.
Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR: the histogram is then merged across workers.
"""

from __future__ import annotations

import os
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from ..database import utcnow
from ..extensions import db

REQUEST_LATENCY = Histogram(
    "mpp_request_duration_seconds",
    "Time to answer a request, per Flask endpoint.",
    ["endpoint", "method", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


@cache  # one series per (endpoint, method, status class): a handful per route, looked up once each
def _series(endpoint: str, method: str, status_class: str):
    return REQUEST_LATENCY.labels(endpoint=endpoint, method=method, status_class=status_class)


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    _series(endpoint, method, f"{status // 100}xx").observe(seconds)


class OutboxCollector:
    """Push and e-mail outboxes: pending rows, the oldest one's age, and rows given up after every retry."""

    def collect(self):
        from ..notifications.models import EmailOutbox, OutboxMessage, OutboxStatus

        depth = GaugeMetricFamily("mpp_outbox_pending", "Messages waiting to be delivered.", labels=["channel"])
        age = GaugeMetricFamily(
            "mpp_outbox_oldest_pending_age_seconds", "Age of the oldest undelivered message.", labels=["channel"]
        )
        failed = GaugeMetricFamily(
            "mpp_outbox_failed", "Messages given up after every retry (delivery failures).", labels=["channel"]
        )
        retrying = GaugeMetricFamily(
            "mpp_outbox_retrying", "Pending messages whose last attempt failed.", labels=["channel"]
        )
        now = utcnow()
        for channel, model in (("push", OutboxMessage), ("email", EmailOutbox)):
            pending, oldest = db.session.execute(
                select(func.count(model.id), func.min(model.created_at)).where(model.status == OutboxStatus.PENDING)
            ).one()
            depth.add_metric([channel], pending)
            age.add_metric([channel], (now - oldest).total_seconds() if oldest else 0.0)
            failed.add_metric(
                [channel], db.session.scalar(select(func.count(model.id)).where(model.status == OutboxStatus.FAILED))
            )
            retrying.add_metric(
                [channel],
                db.session.scalar(
                    select(func.count(model.id)).where(model.status == OutboxStatus.PENDING, model.attempts > 0)
                ),
            )
        db.session.rollback()  # a read-only look; end the transaction
        yield from (depth, age, failed, retrying)


def exposition() -> bytes:
    """The text exposition: this process's (or every worker's) request metrics, then the database's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    database_registry = CollectorRegistry(auto_describe=False)
    database_registry.register(OutboxCollector())
    return generate_latest(process_registry) + generate_latest(database_registry)
