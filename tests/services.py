"""Servers the suite talks to for real. Missing: the test skips, except with CI=true, where it fails."""

import os

import pytest


def redis_url(purpose):
    """A Redis to test against: TEST_REDIS_URL, REDIS_URL or 127.0.0.1:6379/0 (TEST_REDIS_URL points the tests at
    a database of their own without making REDIS_URL the suite's cache). `purpose` says what cannot be tested
    without it. Keys are prefixed per test and nothing is flushed, so parallel workers can share a database."""
    import redis

    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis at {url} does not answer ({error}): {purpose} cannot be tested"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url
