"""The in-process worker of the embedded default: real huey consumer threads deliver what an officer's action
committed, with nobody calling the queue by hand."""

from __future__ import annotations

import threading

import pytest
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

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
    huey = worker.jobs(app).huey
    delivered, failures = threading.Event(), []

    # The consumer threads tell when a job ends (huey's signals): the test waits for the condition "a delivery job
    # finished and the push service holds the notice", not for a clock.
    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def job_ended(signal, task, *args):
        if signal == SIGNAL_ERROR:
            failures.append(args)
        if task.name.startswith("notifications.deliver") and push_service.messages_for(phone):
            delivered.set()

    try:
        signed_in(client, officer)
        act(app, client, application_number, "verifikasi")
        assert delivered.wait(timeout=60), f"the worker threads did not deliver the notice (errors: {failures})"
    finally:
        huey.disconnect_signal(job_ended)
    assert push_service.messages_for(phone)[0].payload["url"] == f"/permohonan/{application_number}"
    assert outbox_rows(app)[0].status == OutboxStatus.SENT  # written by the job before it ended
    assert not failures


def test_tests_and_cli_commands_do_not_start_a_worker_by_themselves(app):
    assert worker.jobs(app).consumer is None
