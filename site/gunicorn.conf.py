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
