"""The front cache (the nginx of site/nginx.conf.example, or a CDN) in step with the page cache.

At every new generation the front cache must drop every page it keeps, through Wagtail's frontend cache
(WAGTAILFRONTENDCACHE). Two ways, chosen by PAGE_CACHE_PURGE_PATHS:

- ``[]`` (the default): the addresses of the pages the application handed out as public since the last
  purge are remembered (a set in Redis) and each is purged by its exact address. This is what Debian 12's
  nginx cache-purge module (2.3) can do: it knows no wildcard.
- ``["/*"]``: one wildcard purge per site, for front caches that take one (ngx_cache_purge 2.4+ with partial
  keys, CloudFront invalidations); nothing is remembered.

A page a worker was still rendering from the old rows while the purge went out may reach the front cache
afterwards; it stays there until the next purge or PAGE_CACHE_PROXY_SECONDS (s-maxage) at most."""

import logging

from django.conf import settings
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

KEY = "pagecache:front-urls"
_local = set()  # without Redis: this process's own pages (development, tests)


def configured():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def remembers():
    return (
        configured()
        and getattr(settings, "PAGE_CACHE_PROXY_SECONDS", 0) > 0
        and not getattr(settings, "PAGE_CACHE_PURGE_PATHS", [])
    )


def _redis(cache):
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True), cache.make_key(KEY)
    return None, None


def remember(cache, url):
    """`url` was handed out as public with an s-maxage: the front cache may keep it until the next purge."""
    client, key = _redis(cache)
    if client is None:
        _local.add(url)
    else:
        client.sadd(key, url)


def _take_remembered(cache):
    client, key = _redis(cache)
    if client is None:
        urls = set(_local)
        _local.clear()
        return urls
    pipeline = client.pipeline(transaction=True)
    pipeline.smembers(key)
    pipeline.delete(key)
    members, _deleted = pipeline.execute()
    return {member.decode() if isinstance(member, bytes) else member for member in members}


def purge(cache):
    """Drop every page the front cache may keep. Nothing when no front cache is configured."""
    if not configured():
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
    from wagtail.models import Site

    try:
        paths = getattr(settings, "PAGE_CACHE_PURGE_PATHS", [])
        if paths:
            urls = {site.root_url + path for site in Site.objects.all() for path in paths}
        else:
            urls = _take_remembered(cache)
        purge_urls_from_cache(sorted(urls))
    except Exception:
        logger.exception("The front cache could not be purged")
