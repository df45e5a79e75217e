"""Admission at a release: how many booking steps per second an MPP's booking takes before asking people to wait.

When a day's slots open (06.00 local, 7 days ahead) thousands of people press "Tahan" in the same minute. Each
hold and confirmation is a short transaction on a few claim rows, but a web node has a fixed number of threads: if
every attempt is let in at once, everyone waits on everyone and the answers arrive after many seconds — even the
"slot penuh" ones. So each MPP's booking admits ``QUEUE_ADMISSION_LIMIT`` steps (default 25 per second, across all
web processes when the rate-limit storage is Redis) and answers the rest at once with 429 and ``Retry-After``: a
clear "try again in a few seconds", never a timeout or a 500. Nothing is held for a refused attempt, so waiting
costs the person nothing but the seconds; the per-account limit still stops one account from hammering.
"""

from __future__ import annotations

from flask import current_app, request

DEFAULT_LIMIT = "25 per 1 second"


def admission_limit() -> str:
    return current_app.config.get("QUEUE_ADMISSION_LIMIT") or DEFAULT_LIMIT


def admission_key() -> str:
    """One bucket per MPP: the hold form names it; a confirmation is counted in its own bucket."""
    mpp = (request.form.get("mpp") or "")[:80]
    return f"antrean-masuk:{mpp or request.endpoint}"
