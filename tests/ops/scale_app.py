"""The app as one web process of the national profile, for tests that start real server processes (gunicorn
``tests.ops.scale_app:create()``): ``MPP_*`` settings from the environment as in production, plus the few test-only
overrides (a low API rate limit…) passed as JSON in ``MPP_TEST_APP_CONFIG``."""

from __future__ import annotations

import json
import os

from app import create_app


def create():
    return create_app(json.loads(os.environ.get("MPP_TEST_APP_CONFIG") or "{}"))
