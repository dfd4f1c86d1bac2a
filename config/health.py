"""Health endpoints for load balancers and orchestrators, answered by a middleware placed first, before the host
check, the HTTPS redirect, sessions and locale (a load balancer asks by IP address, over plain HTTP):

- `/healthz`: the process is up and answers. Touches nothing else: a database outage must not make every web
  process look dead and get restarted.
- `/readyz`: can this process serve? The database, the cache, the media storage and the search backends are
  asked at once, each in a thread of its own with a short timeout (READYZ_TIMEOUT, 2 s), so the answer comes
  within seconds whatever hangs. JSON with each check's outcome and latency; 503 when any fails. Nothing is
  kept between calls beyond the clients' own pools, so it turns healthy again as soon as the service returns.

The answer names which service failed and the error's type, never an address or a credential.
"""

import os
import threading
import time

from django.conf import settings
from django.http import JsonResponse

PATHS = {"/healthz": "healthz", "/readyz": "readyz"}


def _timeout():
    return float(getattr(settings, "READYZ_TIMEOUT", 2.0))


def check_database():
    from django.db import connections

    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # the check runs in a thread of its own: leave no connection behind
    return connection.vendor


def check_cache():
    from django.core.cache import caches

    cache = caches["default"]
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return "local memory"  # per process, always there
    # The raw Redis client: the site's cache fails open and would hide the outage.
    client.get_client(write=True).ping()
    return "redis"


_s3_clients = {}


def _s3_client(storage):
    """A client with the site's endpoint and credentials but a timeout of the check's own and no retries."""
    import boto3
    from botocore.config import Config

    key = (storage.bucket_name, _timeout())
    if key not in _s3_clients:
        _s3_clients[key] = boto3.client(
            "s3",
            endpoint_url=storage.endpoint_url,
            region_name=storage.region_name,
            aws_access_key_id=storage.access_key,
            aws_secret_access_key=storage.secret_key,
            config=Config(connect_timeout=_timeout(), read_timeout=_timeout(), retries={"total_max_attempts": 1}),
        )
    return _s3_clients[key]


def check_storage():
    from django.core.files.storage import storages

    kinds = set()
    for name in ("default", "renditions"):
        storage = storages[name]
        if hasattr(storage, "bucket_name"):
            _s3_client(storage).head_bucket(Bucket=storage.bucket_name)
            kinds.add("s3")
        else:
            # The folder is created at the first upload: until then its nearest existing parent must be writable.
            root = os.path.abspath(storage.location)
            while not os.path.isdir(root) and os.path.dirname(root) != root:
                root = os.path.dirname(root)
            if not os.access(root, os.W_OK):
                raise PermissionError("the media folder is not writable")
            kinds.add("local")
    return ", ".join(sorted(kinds))


def check_search():
    from wagtail.search.backends import get_search_backend

    kinds = []
    for name in settings.WAGTAILSEARCH_BACKENDS:
        backend = get_search_backend(name)
        client = getattr(backend, "es", None)
        if client is None:
            kinds.append("database")  # the database backend: reachable when the database is
            continue
        if not client.options(request_timeout=_timeout(), max_retries=0).ping():
            raise ConnectionError("Elasticsearch does not answer")
        kinds.append("elasticsearch")
    return ", ".join(kinds)


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage, "search": check_search}


def run_checks(checks=None):
    """{name: {"ok", "latency_ms", "backend" | "error"}}, every check at once, none waited for past the timeout."""
    checks = checks or CHECKS
    results = {}

    def run(name, check):
        started = time.perf_counter()
        try:
            outcome = {"ok": True, "backend": check()}
        except Exception as error:  # any failure is the answer
            outcome = {"ok": False, "error": type(error).__name__}
        outcome["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = outcome

    threads = {name: threading.Thread(target=run, args=(name, check), daemon=True) for name, check in checks.items()}
    deadline = time.monotonic() + _timeout() + 0.5
    for thread in threads.values():
        thread.start()
    for name, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if name not in results:
            results[name] = {"ok": False, "error": "timeout", "latency_ms": round(_timeout() * 1000 + 500, 1)}
    return dict(sorted(results.items()))


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = run_checks()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the two paths before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PATHS.get(request.path_info)
        if view is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = healthz(request) if view == "healthz" else readyz(request)
        response["Cache-Control"] = "no-store"
        return response
