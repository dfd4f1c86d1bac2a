"""Whole-page cache of anonymous GET requests, never stale.

Every cached page is stored under a *generation*: one number in the shared cache (``generation.py``). Any
change the public pages could show (publishing, unpublishing, moving, deleting or translating a page, a
taxonomy, an organisation, a setting, an image or document, a view restriction) moves the number
(``signals.py``), so every page cached before is unreachable at once and the next visitor of each page
renders it again. There is no list of "pages affected by this change" to get wrong: a publish invalidates
the home, the library, its landing pages, the search and the API together.

The middleware (``middleware.py``) keeps Django's cache middleware semantics (``django.utils.cache``:
keys by full URL, language and the request headers the response ``Vary``s on) and serves a stored page
before sessions, authentication and the views run. It never stores a response to a request carrying a
session or messages cookie or credentials, nor one that sets a cookie (a CSRF form), sets its own
``Cache-Control`` (restricted pages, forms, previews), or is not a plain 200. A front proxy gets
``Cache-Control: public, max-age=0, s-maxage=PAGE_CACHE_PROXY_SECONDS`` and an ``ETag``; with
``FRONTEND_CACHE_PURGE_URL`` set, Wagtail's frontend cache purges it at every new generation."""
