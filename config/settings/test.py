import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One media folder per pytest-xdist worker (PYTEST_XDIST_WORKER is gw0, gw1, …): a worker empties its own at the
# end of its session while the others still read theirs.
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", BASE_DIR / "var" / "test-media"))  # noqa: F405
MEDIA_ROOT /= os.environ.get("PYTEST_XDIST_WORKER", "")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The suite searches the database backend whatever the shell says: an ELASTICSEARCH_URL left set would make
# every test write into a real index. tests/test_elasticsearch.py builds its own configuration.
WAGTAILSEARCH_BACKENDS = search_backends(DATABASES["default"]["ENGINE"])  # noqa: F405
# The page cache is off for the suite: tests write and read in one transaction that never commits, and one
# test's cached pages must not reach the next. tests/test_page_cache.py turns it on where it is tested;
# PAGE_CACHE_SECONDS=3600 runs any other module with it.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))
