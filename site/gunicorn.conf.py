# gunicorn -c site/gunicorn.conf.py config.wsgi
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Behind a proxy. gunicorn binds to the loopback only, so visitors reach it through the proxy alone (or set
# BIND to a private address the proxy alone can reach). forwarded_allow_ips: the peers whose X-Forwarded-Proto
# gunicorn believes. gunicorn leaves REMOTE_ADDR alone (the proxy's address): the visitor's address, for the
# rate limits and login lockouts, is read by the application from X-Forwarded-For, trusting exactly
# TRUSTED_PROXY_COUNT proxies (config/client_ip.py): 1 with site/nginx.conf.example, 0 with no proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# --- Service: JSON logs, metrics across workers ------------------------------------------------------------------
# LOG_FORMAT=json (the default here, as in config.settings.production): gunicorn's own records and the access log
# as JSON lines; each access line carries the request id the application sent back (X-Request-ID), so a request
# can be followed from nginx ($request_id) through gunicorn into the application's records.
if os.environ.get("LOG_FORMAT", "json") == "json":
    access_log_format = "%(m)s %(U)s %(s)s"
    _fields = {"asctime": "time", "levelname": "level", "name": "logger"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": _fields,
            },
            "access": {
                "()": "config.logging.GunicornAccessJsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": _fields,
            },
        },
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        # gunicorn's defaults name a "console" handler for the root logger: replaced here.
        "root": {"handlers": ["error"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }

# Prometheus: with several workers, each counts on its own. PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied
# here at start) makes prometheus_client share the counts through files that /metrics adds up (config/metrics.py).
_multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    if _multiprocess_dir:
        import shutil

        shutil.rmtree(_multiprocess_dir, ignore_errors=True)
        os.makedirs(_multiprocess_dir, exist_ok=True)


def child_exit(server, worker):
    if _multiprocess_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
