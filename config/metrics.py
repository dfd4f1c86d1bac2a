"""Prometheus metrics through django-prometheus, at /metrics, which is not public.

What is measured:
- request latency, counts and status by view and method (django-prometheus's middlewares, first and last);
- SQL queries per request, by view (`libreria_db_queries_per_request`, a histogram, `QueryCountMiddleware`);
- cache gets, hits and misses (`django_cache_get_*`, by the cache backend of config/cache.py);
- the depth of the background task queues (`libreria_task_queue_depth{queue}`), read at each scrape from
  the callable named by METRICS_TASK_QUEUE_DEPTH (a dotted path returning {queue name: waiting tasks}); the
  default, background/queues.py, asks the configured task backend; nothing is reported with an empty setting.

Who may read them: a request with `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set, otherwise
a client on the loopback or a private network (the address of core/client_ip.py, so a visitor behind the
proxy is never taken for an internal one). Everyone else gets a 404, as if there were nothing there.

With several gunicorn workers each has its own counters: set PROMETHEUS_MULTIPROC_DIR to an empty folder and
site/gunicorn.conf.py, prometheus_client's multiprocess mode, adds them up across the workers.
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from core.client_ip import client_ip

# "Internal": the loopback and the private ranges of RFC 1918 and RFC 4193. Not ipaddress's is_private, which
# also counts the documentation ranges and others that are not anybody's internal network.
INTERNAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
]

QUERIES = Histogram(
    "libreria_db_queries_per_request",
    "SQL queries run by one request, by view",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 15, 20, 30, 50, 100, 200),
)


class TaskQueueDepth:
    """A collector asking METRICS_TASK_QUEUE_DEPTH at scrape time."""

    def collect(self):
        path = getattr(settings, "METRICS_TASK_QUEUE_DEPTH", "")
        family = GaugeMetricFamily("libreria_task_queue_depth", "Background tasks waiting, by queue", labels=["queue"])
        if path:
            for queue, depth in import_string(path)().items():
                family.add_metric([str(queue)], float(depth))
        yield family


_task_queue_depth = TaskQueueDepth()
REGISTRY.register(_task_queue_depth)


class QueryCountMiddleware:
    """Counts the SQL queries of each request (all database aliases) into QUERIES, labelled by the view's name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        match = getattr(request, "resolver_match", None)
        QUERIES.labels(view=(match.view_name or match.func.__name__) if match else "<unresolved>").observe(count)
        return response


def allowed(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in INTERNAL_NETWORKS)


def metrics(request):
    if not allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_task_queue_depth)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
