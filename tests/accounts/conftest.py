"""Fixtures for the accounts tests. The shared ones (make_user, citizen, signed_in, …) live in fixtures.py and are
imported by tests/conftest.py so every capability has them."""

from __future__ import annotations

import logging

import pytest

from .authenticator import SoftAuthenticator
from .flows import Flows


@pytest.fixture
def authenticator(app) -> SoftAuthenticator:
    return SoftAuthenticator(origin=app.config["PUBLIC_ORIGIN"])


@pytest.fixture
def flows(app, client) -> Flows:
    return Flows(app, client)


@pytest.fixture(autouse=True)
def _account_logs_enabled(app):
    """Alembic's fileConfig (run by the migrated `app` fixture) disables loggers that existed before it; the
    refusal tests read our log lines, so switch the accounts loggers back on."""
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("app.") and isinstance(logger, logging.Logger):
            logger.disabled = False
