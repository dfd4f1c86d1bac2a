import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", BASE_DIR / "var" / "test-media"))  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The suite searches the database backend whatever the shell says: an ELASTICSEARCH_URL left set would make
# every test write into a real index. tests/test_elasticsearch.py builds its own configuration.
WAGTAILSEARCH_BACKENDS = search_backends(DATABASES["default"]["ENGINE"])  # noqa: F405
