"""Redis for the national-profile tests: database 13 of the local server (never 0), emptied before and after.

Without Redis the tests that need it are skipped with a loud reason on a developer's machine; where CI runs
(MPP_REQUIRE_BROWSER=1 or CI=true: Redis is started by .ci/run) a missing Redis is a failure, never a skip.
"""

from __future__ import annotations

import os

import pytest
import redis

REDIS_TEST_URL = os.environ.get("MPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
REQUIRE_REDIS = os.environ.get("MPP_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


def _empty_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        pytest.fail("the tests must not use Redis database 0: set MPP_TEST_REDIS_URL to another database")
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"REDIS NOT AVAILABLE at {REDIS_TEST_URL} ({error}): the national-profile tests did not run"
        if REQUIRE_REDIS:
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    return client


@pytest.fixture
def redis_url() -> str:
    """Redis db 13, empty for this test."""
    client = _empty_redis()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def module_redis_url() -> str:
    """Redis db 13, emptied once for a module whose tests share long-running processes."""
    client = _empty_redis()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
