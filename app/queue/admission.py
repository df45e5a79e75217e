"""Admission at a release: how many booking steps an MPP's booking takes before asking people to wait.

When a day's slots open (06.00 local, 7 days ahead) thousands of people press "Tahan" in the same minute. Each
hold and confirmation is a short transaction on a few claim rows, but a web node has a fixed number of threads and
cores: if every attempt is let in at once, everyone waits on everyone and the answers arrive after many seconds —
even the "slot penuh" ones. Two gates, both answered at once with 429 and ``Retry-After`` (a clear "try again in a
few seconds", never a timeout or a 500; nothing is held for a refused attempt):

- a rate per MPP, ``QUEUE_ADMISSION_LIMIT`` (default 25 per second; across all web processes when the rate-limit
  storage is Redis) — the release's budget, whatever the number of nodes;
- a number of booking steps in progress at once per web process, ``QUEUE_ADMISSION_CONCURRENCY`` (default 2) —
  self-tuning: a slower machine simply admits fewer per second, so those admitted still get their answer quickly,
  and the process keeps threads for everyone else's pages.

The per-account limit in routes.py still stops one account from hammering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

DEFAULT_LIMIT = "25 per 1 second"
CROWDED_RETRY_SECONDS = 2

_gates: dict[int, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


class Crowded(TooManyRequests):
    """Refused at the door: every booking step of this process is busy."""

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


def admission_limit() -> str:
    return current_app.config.get("QUEUE_ADMISSION_LIMIT") or DEFAULT_LIMIT


def admission_key() -> str:
    """One bucket per MPP: the hold form names it; a confirmation is counted in its own bucket."""
    mpp = (request.form.get("mpp") or "")[:80]
    return f"antrean-masuk:{mpp or request.endpoint}"


def _gate() -> threading.BoundedSemaphore:
    size = int(current_app.config.get("QUEUE_ADMISSION_CONCURRENCY") or 2)
    with _gates_lock:
        return _gates.setdefault(size, threading.BoundedSemaphore(size))


def admitted(view: Callable) -> Callable:
    """Run the booking step only if one of this process's places is free right now; otherwise 429 at once."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        gate = _gate()
        if not gate.acquire(blocking=False):
            raise Crowded(CROWDED_RETRY_SECONDS)
        try:
            return view(*args, **kwargs)
        finally:
            gate.release()

    return wrapper
