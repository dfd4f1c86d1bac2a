"""Parts that many pages show and that depend on nothing but the published site (the main menu, the footer's
settings, a page's ancestors and their translations), kept in the cache under the page cache's generation:
every change that public pages may show moves it (pagecache/signals.py), so a part is never staler than a
cached page, and a page rendered because it was not cached (a new facet combination, a page cache turned
off) still spares those queries. Only what anonymous visitors see belongs here: the parts are shared by
everyone who reads the same generation."""

from django.conf import settings

from .generation import current, page_cache

_MISSING = object()
# How long a part may stay, at most, when nothing moves the generation (as long as a cached page, or an hour
# with the page cache off).
DEFAULT_SECONDS = 3600


def remembered(name, compute):
    """The value `compute()` gives for the part `name` in the current generation, computed once per
    generation for all workers sharing the cache. A cache that does not answer computes it every time."""
    cache = page_cache()
    key = f"pagecache:part:{current()}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, getattr(settings, "PAGE_CACHE_SECONDS", 0) or DEFAULT_SECONDS)
    return value
