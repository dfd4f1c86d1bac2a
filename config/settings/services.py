"""Settings of the services a production site runs on (Redis, object storage, logs), built from the
environment by plain functions: base.py calls them, and tests call them to build a configuration of their own.
Nothing here imports Django or a service's client: settings must load before any app does."""


def caches_from_environment(url, key_prefix="", socket_timeout=0.5):
    """CACHES for a Redis URL (shared by every process), or a per-process memory cache without one."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": key_prefix}}
    return {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {
                # Short: a page waits this long for each cache call when Redis hangs rather than refuses.
                "SOCKET_CONNECT_TIMEOUT": socket_timeout,
                "SOCKET_TIMEOUT": socket_timeout,
            },
        }
    }


RENDITION_CACHE_SECONDS = 365 * 24 * 3600


def object_storage_from_environment(environ):
    """(STORAGES entries, AWS_* settings) for S3-compatible object storage when S3_BUCKET is set, else
    (None, {}): the media stay on the local disk.

    Two storages with different rules (config/storage.py explains the split):
    - "default", private: original images, documents, proposal uploads. Objects are written with the private
      ACL and their URL is never signed, so the only way to a document is Wagtail's view, which checks the
      collection's restriction and streams the file.
    - "renditions", public: the resized images pages show, readable by anyone at S3_PUBLIC_URL (a CDN, the
      proxy, or the bucket itself), cached for a year: a rendition's name changes whenever its image or focal
      point does, and no name is ever overwritten.
    """
    bucket = environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return None, {}
    from botocore.config import Config  # only where object storage is configured

    endpoint = environ.get("S3_ENDPOINT_URL", "").strip() or None
    timeout = float(environ.get("S3_TIMEOUT", "5"))
    # Where and how to connect, as django-storages' global AWS_* settings rather than per-storage OPTIONS:
    # Wagtail hands a storage's OPTIONS to its file-deletion task, which stores them as JSON (with a database
    # task backend, in a table): no credentials there, and no Config object, which JSON cannot hold.
    connection = {
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": environ.get("S3_REGION", "").strip() or None,
        # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance or pod role).
        "AWS_S3_ACCESS_KEY_ID": environ.get("S3_ACCESS_KEY_ID") or None,
        "AWS_S3_SECRET_ACCESS_KEY": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "AWS_S3_CLIENT_CONFIG": Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": environ.get("S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")},
            signature_version="s3v4",
        ),
    }
    # Never replace an object: a second "foto.jpg" gets a suffix, so URLs cached for a year stay right.
    common = {"file_overwrite": False}
    public_bucket = environ.get("S3_PUBLIC_BUCKET", "").strip() or bucket
    public_acl = environ.get("S3_PUBLIC_ACL", "public-read").strip() or None
    max_age = int(environ.get("RENDITION_CACHE_SECONDS", RENDITION_CACHE_SECONDS))
    public = {
        **common,
        "bucket_name": public_bucket,
        "default_acl": public_acl,
        "querystring_auth": False,
        "object_parameters": {"CacheControl": f"public, max-age={max_age}, immutable"},
    }
    public_url = environ.get("S3_PUBLIC_URL", "").strip().rstrip("/")
    if not public_url and not endpoint:
        # AWS itself: the bucket's own virtual host, so that the URLs and the Content-Security-Policy agree.
        region = connection["AWS_S3_REGION_NAME"]
        public_url = f"https://{public_bucket}.s3.{region}.amazonaws.com" if region else ""
        public_url = public_url or f"https://{public_bucket}.s3.amazonaws.com"
    if public_url:
        scheme, _, rest = public_url.partition("//")
        public.update(custom_domain=rest, url_protocol=scheme)
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "bucket_name": bucket, "default_acl": "private", "querystring_auth": False},
        },
        "renditions": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": public},
    }
    return storages, connection


def public_media_url(storages_option, connection):
    """Where the public renditions are, for MEDIA_URL and the Content-Security-Policy."""
    public = storages_option["renditions"]["OPTIONS"]
    if public.get("custom_domain"):
        return f"{public['url_protocol']}//{public['custom_domain']}/"
    return f"{connection['AWS_S3_ENDPOINT_URL'].rstrip('/')}/{public['bucket_name']}/"


def logging_config(level="WARNING", fmt="text"):
    """LOGGING: every record to standard output, as text or (LOG_FORMAT=json, production's default) one JSON
    object a line with the request id of django-guid (also sent back as X-Request-ID), for a log collector."""
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"}
        },
        "formatters": {"default": formatters["json" if fmt == "json" else "text"]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "default"},
        },
        "root": {"handlers": ["console"], "level": level},
        # django-guid says at DEBUG/INFO how it picked each id: noise.
        "loggers": {"django_guid": {"level": "WARNING"}},
    }
