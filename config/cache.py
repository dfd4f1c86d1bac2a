"""The shared cache: Redis through django-redis, failing open.

Why django-redis rather than Django's own RedisCache: Django's backend raises on every call while Redis is away,
so every page would be a 500; django-redis has IGNORE_EXCEPTIONS (a failed call is a miss, a failed write is a
no-op), socket timeouts, and is what django-ratelimit supports officially. The backend is django-prometheus's
subclass of it, which counts hits and misses for the metrics (config/metrics.py).

One thing is ours: django-redis logs every ignored exception at ERROR with a traceback, which during an outage
is one traceback per cache call per request. `FailOpenRedisCache` logs one WARNING per process every
`OUTAGE_LOG_SECONDS` instead, naming the server (without its password) and the error.

What lives in the cache (all of it shared by every worker and machine when REDIS_URL is set): rate limits
(proposals, page passwords: django-ratelimit), the search's knowledge version and suggestions, the Elasticsearch
circuit breaker, the goals' palette, cached sessions (SESSION_ENGINE cached_db: the database stays the truth).
Login lockouts (django-axes) are in the database, shared as well.
"""

import logging
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django_prometheus.cache.backends.redis import RedisCache

logger = logging.getLogger("config.cache")

OUTAGE_LOG_SECONDS = 30.0


def redacted(url):
    """The Redis URL without its password, for the logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class OutageLog:
    """Stands in for django-redis's logger: at most one warning per interval per process."""

    def __init__(self, server, interval=OUTAGE_LOG_SECONDS):
        self.server = redacted(server if isinstance(server, str) else ",".join(server))
        self.interval = interval
        self.last = None
        self.lock = threading.Lock()

    def _warn(self, message, *args, **kwargs):
        error = sys.exc_info()[1]
        cause = getattr(error, "__cause__", None) or error
        now = time.monotonic()
        with self.lock:
            if self.last is not None and now - self.last < self.interval:
                return
            self.last = now
        logger.warning(
            "Redis at %s does not answer (%s): the site goes on without its cache (misses, limits not counted)",
            self.server,
            cause or message,
        )

    exception = error = warning = _warn


class FailOpenRedisCache(RedisCache):
    """django-redis (with django-prometheus's hit and miss counters) that never raises a connection error."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._ignore_exceptions = True
        self._log_ignored_exceptions = True
        self.logger = OutageLog(server)
