"""The in-process worker of the embedded default: real huey consumer threads deliver what an officer's action
committed, with nobody calling the queue by hand."""

from __future__ import annotations

import time

import pytest

from app.notifications import worker
from app.notifications.models import OutboxStatus

from .conftest import outbox_rows
from .test_delivery import act


@pytest.fixture
def live_worker(app, queue):
    consumer = worker.start_inprocess(app)
    assert worker.start_inprocess(app) is consumer, "started once per process"
    yield consumer
    worker.stop_inprocess(app)


def test_the_in_process_worker_delivers_a_status_change_without_any_extra_command(
    app, client, officer, signed_in, citizen, application_number, push_device, push_service, live_worker
):
    phone = push_device(citizen)
    signed_in(client, officer)
    act(app, client, application_number, "verifikasi")
    deadline = time.monotonic() + 15
    while not push_service.messages_for(phone):
        assert time.monotonic() < deadline, "the worker threads did not deliver the notice"
        time.sleep(0.05)
    assert push_service.messages_for(phone)[0].payload["url"] == f"/permohonan/{application_number}"
    while outbox_rows(app)[0].status != OutboxStatus.SENT:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_tests_and_cli_commands_do_not_start_a_worker_by_themselves(app):
    assert worker.jobs(app).consumer is None
