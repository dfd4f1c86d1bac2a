"""The generation of the page cache: one integer in the shared cache, part of every cached page's key.

``changed()`` is what signal handlers and bulk writers call. It moves the generation at once, and once more
when the transaction commits: a page rendered by another worker between the write and the commit (from the
old rows) is stored under the generation that the commit then leaves behind. A reader takes the generation
when its request starts and stores what it rendered under that one, so a page rendered from rows older
than a change is never stored under a generation that follows it.

The number starts from the clock (milliseconds) rather than from 0: if the key is ever lost (Redis restarted
or evicted it), the new count is past every generation used before and no old page comes back."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

KEY = "pagecache:generation"


def page_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _fresh_start():
    return int(time.time() * 1000)


def current():
    """The generation pages are stored and looked up under now."""
    cache = page_cache()
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, _fresh_start(), None)
        value = cache.get(KEY)
    return value


def bump():
    cache = page_cache()
    try:
        try:
            cache.incr(KEY)
        except ValueError:  # no generation yet, or it was lost
            cache.add(KEY, _fresh_start(), None)
    except Exception:
        # A cache that does not answer serves no page either; logged, because pages cached before the
        # outage may come back with it until PAGE_CACHE_SECONDS passes.
        logger.exception("The page cache generation could not be moved")


def _committed():
    bump()
    purge_front_cache()


def _pending(connection):
    """Whether this transaction already has its commit-time bump (the first write registered it; a rolled
    back savepoint takes it away again, and then the next write registers another)."""
    return any(entry[1] is _committed for entry in connection.run_on_commit)


def changed(using=None):
    """Something public pages may show has changed: every page cached so far is stale."""
    bump()
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        purge_front_cache()
    elif not _pending(connection):
        transaction.on_commit(_committed, using=using)


def purge_front_cache():
    from . import front

    front.purge(page_cache())
