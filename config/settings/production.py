import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False


def required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True


def env_flag(name, default):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


# HTTPS only, on by default: the proxy in front must set X-Forwarded-Proto (site/nginx.conf.example).
# SECURE_SSL_REDIRECT=false and SECURE_HSTS_SECONDS=0 turn them off, e.g. for a plain-HTTP test behind no proxy.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", "true")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
# "preload" only lets the domain be submitted to the browsers' built-in HTTPS lists (by hand, at
# hstspreload.org, and slow to undo); check --deploy asks for it. SECURE_HSTS_PRELOAD=false leaves it out.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", "true")
# Paths answered over plain HTTP too (regular expressions without the leading slash), e.g. a health check.
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT")  # noqa: F405

# Documents: once Wagtail's view has checked the collection's restriction, nginx sends the file from its
# internal /media/documents/ location (X-Accel-Redirect, config/sendfile_nginx.py, site/nginx.conf.example)
# instead of a worker streaming it. Off by default, so a server without that location still streams correctly.
if env_flag("DOCUMENTS_X_ACCEL_REDIRECT", "false"):
    SENDFILE_BACKEND = "config.sendfile_nginx"
    SENDFILE_ROOT = MEDIA_ROOT / "documents"  # noqa: F405
    SENDFILE_URL = "/media/documents/"

# WhiteNoise serves the collected static files right after the security middleware.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405

# EMAIL_URL such as smtp://user:password@host:587?tls=1; the console otherwise, so nothing is silently lost.
_email_url = os.environ.get("EMAIL_URL")
if _email_url:
    from urllib.parse import parse_qs, unquote, urlparse

    _parts = urlparse(_email_url)
    _query = parse_qs(_parts.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _parts.hostname or "localhost"
    EMAIL_PORT = _parts.port or 25
    EMAIL_HOST_USER = unquote(_parts.username or "")
    EMAIL_HOST_PASSWORD = unquote(_parts.password or "")
    EMAIL_USE_TLS = _query.get("tls", ["0"])[0] in ("1", "true")
    EMAIL_USE_SSL = _parts.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Service: JSON logs, health checks over plain HTTP, connection timeouts --------------------------------------
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))  # noqa: F405
# A PostgreSQL that does not answer fails a request (and /readyz) in seconds instead of hanging it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(  # noqa: F405
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
# --- end service ------------------------------------------------------------------------------------------------
# Background work (background/settings.py): the database queue unless TASKS_BACKEND says otherwise, and e-mail
# through it (background/mail.py): a request never waits for the mail server.
TASKS, RQ_QUEUES = tasks_settings(os.environ.get("TASKS_BACKEND", "database"))  # noqa: F405
EMAIL_DELIVERY_BACKEND = EMAIL_BACKEND
EMAIL_BACKEND = "background.mail.QueuedEmailBackend"
