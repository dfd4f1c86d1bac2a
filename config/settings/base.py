"""Settings shared by every environment. Anything that differs between machines is read from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from .services import caches_from_environment, logging_config, object_storage_from_environment, public_media_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    # The project's apps, from the bottom layer up (docs/architecture.md).
    "core",
    # The page cache knows no model of the project (PAGE_CACHE_MODELS below names them): beside core.
    "pagecache",
    "practices",
    "search",
    "library",
    "pictures",
    "home",
    "editorial",
    "proposals",
    "contact",
    "bootstrap",
    "importer",
    "opendata",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    # No django.contrib.admin: the Wagtail admin is the only login page (see config/urls.py).
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    # django-csp: its system checks and the {% csp %} template tags.
    "csp",
    # django-axes: failed logins, lockouts (config/throttling.py).
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ETag and 304 for every GET, cached pages included: outside the page cache, which answers a hit from here,
    # and outside the CSP middleware, so that a 304 carries no new policy (a browser would merge it with the
    # kept page, whose nonce is another).
    "django.middleware.http.ConditionalGetMiddleware",
    # Anonymous pages from the cache (pagecache/): before sessions, authentication and the views.
    "pagecache.middleware.PageCacheMiddleware",
    # Right after security, so that every response below (errors included) gets the two headers.
    "config.security.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's docs place LocaleMiddleware after sessions and before CommonMiddleware. Django's own, except that
    # a 404 of the API or documents is not redirected to an HTML page under /it/ (config/locale.py).
    "config.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite by default so that a newcomer needs nothing; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Imports and demo loading write thousands of rows: WAL keeps readers unblocked meanwhile. A transaction
    # takes the write lock when it begins (IMMEDIATE) and waits up to 20 s for it: concurrent writers queue
    # instead of failing with "database is locked" when a reader turns writer mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Service: Redis (config/cache.py) ------------------------------------------------------------------------
# CACHE_URL or REDIS_URL selects Redis, shared by every worker and machine, failing open (a Redis that does not
# answer is a cache miss and a warning in the log, never a 500); otherwise each process keeps its own memory.
_cache_url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
CACHES = caches_from_environment(
    _cache_url,
    key_prefix=os.environ.get("CACHE_KEY_PREFIX", ""),
    socket_timeout=float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5")),
)
if _cache_url:
    # Sessions (editors, page passwords) read from Redis, written to both: the database stays the truth, so a
    # Redis restart logs nobody out. Only with a shared cache: a per-process one would keep a logged-out session
    # alive in the other processes.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A rate limit the cache cannot count lets the request through (django-ratelimit would refuse everything).
RATELIMIT_FAIL_OPEN = True
# --- end Redis ------------------------------------------------------------------------------------------------

# Whole-page cache of anonymous GETs (pagecache/), in the cache above: shared by every worker with Redis, per
# process otherwise. A page stays cached PAGE_CACHE_SECONDS at most (0 turns the cache off); any change the
# public pages may show makes every cached page stale at once (pagecache/signals.py).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_EXCLUDED_PREFIXES = ("/admin/", "/documents/")
# Saving or deleting any of these moves the cache's generation (pages, their parts and settings models are
# found by pagecache itself).
PAGE_CACHE_MODELS = [
    "practices.SDG",
    "practices.Territory",
    "practices.Theme",
    "practices.Organisation",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
]
# A front cache (site/nginx.conf.example, or a CDN) keeps pages PAGE_CACHE_PROXY_SECONDS (s-maxage) only when
# the application can purge it: FRONTEND_CACHE_PURGE_URL is where nginx takes PURGE requests, and every new
# generation purges, through Wagtail's frontend cache, every page handed out since the last purge by its
# address, or PAGE_CACHE_PURGE_PATHS of each site ("/*") for a front cache that takes wildcards
# (pagecache/front.py). Without it, s-maxage is 0 and proxies keep nothing.
_purge_url = os.environ.get("FRONTEND_CACHE_PURGE_URL", "").strip()
if _purge_url:
    WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": _purge_url}
    }
# Exact addresses are purged as they are, not once per language.
WAGTAILFRONTENDCACHE_LANGUAGES = []
PAGE_CACHE_PROXY_SECONDS = int(os.environ.get("PAGE_CACHE_PROXY_SECONDS", "300" if _purge_url else "0"))
PAGE_CACHE_PURGE_PATHS = env_list("PAGE_CACHE_PURGE_PATHS")

# Visitors' addresses (config/client_ip.py, for rate limits and login lockouts): the number of reverse proxies
# in front of the application that append to X-Forwarded-For (1 with site/nginx.conf.example). 0: the header
# is ignored and REMOTE_ADDR is the visitor.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "core.client_ip.client_ip"
# Public proposals per address (practices/proposals.py), counted in the cache above: it must be shared by
# every worker and machine (Redis) for the limit to hold; the per-process memory cache is for development.
PROPOSAL_RATE = os.environ.get("PROPOSAL_RATE", "5/h")
# Visitors' messages to an entry's promoters per address (contact/views.py), counted the same way.
CONTACT_RATE = os.environ.get("CONTACT_RATE", "5/h")

# Open data (opendata/): the licence that goes with every export, feed and OAI-PMH record, and the limits per
# address of the open endpoints, counted in the same shared cache as the proposals.
OPEN_DATA_LICENCE_NAME = os.environ.get("OPEN_DATA_LICENCE_NAME", "CC BY 4.0")
OPEN_DATA_LICENCE_URL = os.environ.get("OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
EXPORT_RATE = os.environ.get("EXPORT_RATE", "60/h")  # CSV, JSON and GeoJSON downloads
FEED_RATE = os.environ.get("FEED_RATE", "300/h")  # RSS and Atom
ALERT_RATE = os.environ.get("ALERT_RATE", "5/h")  # alert sign-ups (each sends a confirmation e-mail)
# OAI-PMH (/oai/): a harvest of 10,000 entries is 100 requests of OAI_PAGE_SIZE records.
OAI_RATE = os.environ.get("OAI_RATE", "600/h")
OAI_PAGE_SIZE = int(os.environ.get("OAI_PAGE_SIZE", "100"))
OAI_REPOSITORY_IDENTIFIER = os.environ.get("OAI_REPOSITORY_IDENTIFIER", "")  # the site's host name if empty
OAI_ADMIN_EMAILS = env_list("OAI_ADMIN_EMAILS")  # DEFAULT_FROM_EMAIL's address if empty

# Login throttling. Axes checks first and refuses a locked-out username from the address that failed, only there:
# an attacker elsewhere cannot lock an editor out. The page and collection passwords (not Django logins) are
# limited per address in config/throttling.py, through the shared cache.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "config.throttling.axes_lockout"
AXES_VERBOSE = False
VIEW_RESTRICTION_PASSWORD_RATE = os.environ.get("VIEW_RESTRICTION_PASSWORD_RATE", "10/15m")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Italian first, English second.
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")

# --- Service: media storage (config/storage.py) ----------------------------------------------------------------
# Local disk by default (MEDIA_ROOT, of which only images/ is public); S3-compatible object storage when S3_BUCKET
# is set: originals, documents and proposal uploads private, renditions public with a year's cache lifetime.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "renditions": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
_object_storage, _object_storage_connection = object_storage_from_environment(os.environ)
if _object_storage:
    STORAGES.update(_object_storage)
    # django-storages' AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_S3_ACCESS_KEY_ID, AWS_S3_SECRET_ACCESS_KEY and
    # AWS_S3_CLIENT_CONFIG (timeouts, addressing): settings of their own, see config/settings/services.py.
    globals().update(_object_storage_connection)
    # Where renditions are: the Content-Security-Policy below allows that origin.
    MEDIA_URL = public_media_url(_object_storage, _object_storage_connection)
WAGTAILIMAGES_RENDITION_STORAGE = "config.storage.the_rendition_storage"
# --- end media storage ----------------------------------------------------------------------------------------

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Libreria delle Buone Pratiche"
# The admin speaks the two languages of the content; each editor picks one in their account settings.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents are served only by Wagtail's view (/documents/<id>/<name>), which checks collection restrictions;
# their files under MEDIA_ROOT/documents/ are never at a public URL (config/urls.py, site/nginx.conf.example).
# "direct" would link the file itself and bypass every restriction.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Every document downloads as an attachment (with nosniff, set by the view): none is shown inline, where a
# crafted PDF or text file would run in the site's origin.
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
# Thumbnailing decodes every pixel: a 6,240 x 6,240 PNG of 148 KB peaks at ~340 MB, 6000 x 4000 at ~220 MB.
# 25 megapixels keeps camera photos and refuses bombs, in the admin (Wagtail's check) and in proposals.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 25_000_000
# Editors' avatars are not fetched from Gravatar: that would send a hash of each editor's e-mail to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the dashboard ask releases.wagtail.org for the latest version: each editor's browser would tell it.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Content-Security-Policy (django-csp 4, through config.security). The public site loads everything from its
# own origin; its templates carry no inline script or style attribute, and the few inline elements they need
# (JSON-LD, the goals' colours) carry the request's nonce. MEDIA_URL may point at another host.
_media = urlsplit(MEDIA_URL)
_media_origin = [f"{_media.scheme}://{_media.netloc}" if _media.scheme else _media.netloc] if _media.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *_media_origin],
        "media-src": [SELF, *_media_origin],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# The Wagtail admin (its preview included) under its own, looser policy: see config/security.py for why.
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ("/admin/",)
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *_media_origin],
    }
}
# Powerful browser features nobody here uses, refused for the site and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}

# Full-text search. How Elasticsearch analyses text: Italian is the index default, because modelsearch gives
# its text fields no analyzer and the content is Italian first; search/backends.py adds English copies of the
# catch-all fields, analysed with "english_content", and searches them when the active language is English.
# Filters are Elasticsearch's own reimplementation of its built-in "italian" and "english" analyzers, with
# asciifolding added so that "citta" finds "città". Stop words are removed before accents are folded: the
# Italian list is accented ("è", "più", "perché"). The light Italian stemmer only trims the last vowel,
# so "cooperativa" and "cooperative" meet without the Snowball stemmer's over-reach.
ELASTICSEARCH_INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "filter": {
                "italian_elision": {
                    "type": "elision",
                    "articles_case": True,
                    # The articles of Elasticsearch's built-in italian analyzer: l', dell', un', ...
                    "articles": [
                        "c",
                        "l",
                        "all",
                        "dall",
                        "dell",
                        "nell",
                        "sull",
                        "coll",
                        "pell",
                        "gl",
                        "agl",
                        "dagl",
                        "degl",
                        "negl",
                        "sugl",
                        "un",
                        "m",
                        "t",
                        "s",
                        "v",
                        "d",
                    ],
                },
                "italian_stop": {"type": "stop", "stopwords": "_italian_"},
                "italian_stemmer": {"type": "stemmer", "language": "light_italian"},
                "english_possessive": {"type": "stemmer", "language": "possessive_english"},
                "english_stop": {"type": "stop", "stopwords": "_english_"},
                "english_stemmer": {"type": "stemmer", "language": "english"},
            },
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["italian_elision", "lowercase", "italian_stop", "asciifolding", "italian_stemmer"],
                },
                "english_content": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["english_possessive", "lowercase", "english_stop", "asciifolding", "english_stemmer"],
                },
                # modelsearch's autocomplete analyzer, with Italian elision: "amb" suggests "dell'ambiente".
                "edgengram_analyzer": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["italian_elision", "lowercase", "asciifolding", "edgengram"],
                },
                # What a visitor types into autocomplete, folded the same way as the indexed prefixes.
                "autocomplete_search": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["italian_elision", "lowercase", "asciifolding"],
                },
            },
        }
    }
}


def search_backends(
    database_engine, elasticsearch_url="", index="libreria", timeout=5.0, connect_timeout=1.0, cooldown=30.0
):
    """WAGTAILSEARCH_BACKENDS for a database engine and, when a URL is given, an Elasticsearch 9 cluster.
    A function so that tests can build the Elasticsearch configuration without re-importing settings."""
    database = {"BACKEND": "wagtail.search.backends.database"}
    if database_engine == "django.db.backends.postgresql":
        # Italian stemming with accents folded (search/migrations/0001) for Italian content, and the English
        # twin (0002) for English content: search/postgres.py picks one by language.
        database = {"BACKEND": "search.postgres", "SEARCH_CONFIG": "italian_unaccent"}
    if not elasticsearch_url:
        return {"default": database}
    return {
        # The database backend stays configured, so every save keeps it indexed: it answers when the cluster
        # does not. It comes first because update_index rebuilds backends in this order and stops at the
        # first error: a dead cluster then cannot leave the database index unbuilt.
        "database": database,
        "default": {
            "BACKEND": "search.backends",
            "URLS": [elasticsearch_url],
            # modelsearch keeps one index per root model: libreria_wagtailcore_page, libreria_wagtailimages_image...
            "INDEX_PREFIX": f"{index}_",
            # Short, because a search waits for it when the cluster hangs; one quick retry for a dropped
            # keep-alive connection, none after a timeout (that would double the wait). Opening a connection
            # to a cluster on the same network takes milliseconds: a second means it is not there.
            "TIMEOUT": timeout,
            "CONNECT_TIMEOUT": connect_timeout,
            # After the cluster failed, searches answer from the database and index updates wait this long
            # before the cluster is asked again (the circuit breaker of search/backends.py).
            "COOLDOWN": cooldown,
            "OPTIONS": {"max_retries": 1, "retry_on_timeout": False},
            "INDEX_SETTINGS": ELASTICSEARCH_INDEX_SETTINGS,
            "FALLBACK": "database",
        },
    }


WAGTAILSEARCH_BACKENDS = search_backends(
    DATABASES["default"]["ENGINE"],
    os.environ.get("ELASTICSEARCH_URL", "").strip(),
    index=os.environ.get("ELASTICSEARCH_INDEX", "libreria"),
    timeout=float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5")),
    connect_timeout=float(os.environ.get("ELASTICSEARCH_CONNECT_TIMEOUT", "1")),
    cooldown=float(os.environ.get("ELASTICSEARCH_COOLDOWN", "30")),
)

# --- Background work (django-tasks), Elasticsearch at scale ---------------------------------------------------
# Wagtail and modelsearch (search index, reference index, file deletion), search/tasks.py (Elasticsearch
# updates), e-mail (background/mail.py), wagtail-localize jobs and background imports run as django-tasks
# tasks. TASKS_BACKEND (background/settings.py): "immediate" by default (each task runs where it is enqueued:
# `make run` needs nothing more), "database" (the default in production: the queue is a table, `manage.py
# worker` runs it) or "rq" (Redis). Read the README's "Background work".
from background.settings import tasks_settings  # noqa: E402

INSTALLED_APPS += ["background", "django_tasks", "django_tasks_db", "django_tasks_rq", "django_rq"]
TASKS, RQ_QUEUES = tasks_settings()
WAGTAILLOCALIZE_JOBS = {"BACKEND": "background.localize.TaskJobBackend"}

# Elasticsearch at scale (site/elasticsearch.md): primary shards and replicas of the indexes update_index
# creates; Elasticsearch's defaults (1 and 1) when unset. Replicas can also be changed on a live index.
_index_shape = {
    key: int(os.environ[name])
    for name, key in (("ELASTICSEARCH_SHARDS", "number_of_shards"), ("ELASTICSEARCH_REPLICAS", "number_of_replicas"))
    if os.environ.get(name, "").strip()
}
if _index_shape and "INDEX_SETTINGS" in WAGTAILSEARCH_BACKENDS["default"]:
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_SETTINGS"] = {
        "settings": {**ELASTICSEARCH_INDEX_SETTINGS["settings"], "index": _index_shape}
    }
# --- end of background work and Elasticsearch at scale --------------------------------------------------------

# Editors may type an email-address placeholder; the real backend is set per environment.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Libreria delle Buone Pratiche <noreply@localhost>")

# --- Service: logs, request ids, health, metrics (config/health.py, config/metrics.py) ------------------------
# Text by default, JSON lines with LOG_FORMAT=json (production's default), each with the request's id.
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "WARNING"), os.environ.get("LOG_FORMAT", "text"))
INSTALLED_APPS += ["django_guid", "django_prometheus"]
# django-guid: the id of each request, taken from the proxy's X-Request-ID when it is a valid UUID (nginx's
# $request_id is), otherwise new, and sent back in the response's X-Request-ID.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True, "EXPOSE_HEADER": False}
MIDDLEWARE = [
    # /healthz and /readyz, before the host check and the HTTPS redirect: load balancers ask by address.
    "config.health.HealthCheckMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",
    *MIDDLEWARE,
    "config.metrics.QueryCountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
READYZ_TIMEOUT = float(os.environ.get("READYZ_TIMEOUT", "2"))
# /metrics: with METRICS_TOKEN only for "Authorization: Bearer <token>", without it only from the loopback and
# private networks (config/metrics.py).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# The waiting tasks per queue of the configured backend (background/queues.py); another callable may replace it.
METRICS_TASK_QUEUE_DEPTH = os.environ.get("METRICS_TASK_QUEUE_DEPTH", "background.queues.queue_depth")
# --- end logs, health, metrics --------------------------------------------------------------------------------
