"""Serve anonymous GETs from the page cache; store the anonymous 200s that may be shared.

Placed right after SecurityMiddleware (and WhiteNoise) and after Django's ConditionalGetMiddleware, so a
cached page is answered before sessions, authentication, CSRF and the view run, and an ``If-None-Match``
that matches its ``ETag`` gets a 304. What it stores went through every middleware below it, so a hit
carries the same headers as the page it was rendered as (Content-Security-Policy, Permissions-Policy,
X-Frame-Options, Vary, Content-Language), with a fresh CSP nonce in the policy and the body.

Keys are Django's cache middleware keys (``django.utils.cache``): the full URL with host and scheme, the
language (from the path, or the cookie and Accept-Language where the path has none, as LocaleMiddleware
decides), the values of the request headers the response varied on, and the generation as key prefix.

Why not ``wagtail-cache``: 3.0.0, its latest release, requires ``wagtail<8.0``, and it invalidates by
clearing the whole cache backend or a keyring of URLs, which cannot tell which listings a publish touches."""

import base64
import logging
import os
import re

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_REPORT_ONLY_HEADER
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils import translation
from django.utils.cache import (
    get_cache_key,
    has_vary_header,
    learn_cache_key,
    patch_cache_control,
    set_response_etag,
)

from . import front, generation

logger = logging.getLogger(__name__)

HEADER = "X-Page-Cache"  # hit, miss (rendered and stored), skip (rendered, not storable)
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def request_language(request):
    """The language LocaleMiddleware will activate for this request, decided the same way, before it runs."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
    language = translation.get_language_from_request(request, check_path=i18n_patterns_used)
    if (
        not translation.get_language_from_path(request.path_info)
        and i18n_patterns_used
        and not prefixed_default_language
    ):
        language = settings.LANGUAGE_CODE
    return language


def is_anonymous_read(request):
    """A GET or HEAD that carries nothing personal: no session (so no logged-in user, no passed page
    password), no pending messages, no credentials, outside the admin and the documents. Not Wagtail's
    previews either: they run the middleware with a made-up request (``is_dummy``) for the page's own URL,
    and must show the draft rather than the cached live page."""
    if request.method not in ("GET", "HEAD") or getattr(request, "is_dummy", False):
        return False
    if request.path_info.startswith(tuple(getattr(settings, "PAGE_CACHE_EXCLUDED_PREFIXES", ()))):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def is_storable(request, response):
    """A response anyone may get: a plain 200 to a GET, setting no cookie (so no CSRF form, no message, no
    session), with no Cache-Control of its own (never_cache forms, restricted pages and previews set one),
    rendered for nobody in particular."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Cache-Control") or has_vary_header(response, "*"):
        return False
    if getattr(request, "is_preview", False):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def renew_nonce(response):
    """Give a cached page a nonce of its own, in its policy and in its body alike, as django-csp gives every
    rendered page: a nonce that every visitor of a cached page could read in advance would let markup
    injected anywhere else run. Its length never changes (16 random bytes, base64), nor does Content-Length.
    A browser revalidating its copy gets a 304 without a policy and keeps its copy's own."""
    policy = response.get(CSP_HEADER, "")
    found = NONCE.search(policy)
    if not found:
        return
    old, new = found.group(1), base64.b64encode(os.urandom(16)).decode("ascii")
    response[CSP_HEADER] = policy.replace(old, new)
    if response.has_header(CSP_REPORT_ONLY_HEADER):
        response[CSP_REPORT_ONLY_HEADER] = response[CSP_REPORT_ONLY_HEADER].replace(old, new)
    response.content = response.content.replace(old.encode("ascii"), new.encode("ascii"))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and not request.path_info.startswith(
                tuple(getattr(settings, "PAGE_CACHE_EXCLUDED_PREFIXES", ()))
            ):
                # A page rendered for a session or a logged-in user: no shared cache may keep it.
                if not response.has_header("Cache-Control"):
                    patch_cache_control(response, private=True)
                response[HEADER] = "skip"
            return response

        cache = generation.page_cache()
        try:
            prefix = f"pages.{generation.current()}"
            request.LANGUAGE_CODE = request_language(request)  # LocaleMiddleware sets the same value again
            key = get_cache_key(request, prefix, "GET", cache=cache)
            cached = cache.get(key) if key else None
        except Exception:
            logger.exception("The page cache did not answer")
            return self.get_response(request)
        if cached is not None:
            renew_nonce(cached)
            cached[HEADER] = "hit"
            return cached

        response = self.get_response(request)
        if not is_storable(request, response):
            response[HEADER] = "skip"
            return response
        timeout = settings.PAGE_CACHE_SECONDS
        patch_cache_control(response, public=True, max_age=0, s_maxage=getattr(settings, "PAGE_CACHE_PROXY_SECONDS", 0))
        if not response.has_header("ETag"):
            # Weak: every hit carries a fresh CSP nonce, so copies differ in those bytes and nothing else.
            set_response_etag(response)
            response["ETag"] = "W/" + response["ETag"]
        try:
            cache.set(learn_cache_key(request, response, timeout, prefix, cache=cache), response, timeout)
            if front.remembers():
                front.remember(cache, request.build_absolute_uri())
        except Exception:
            logger.exception("The page cache did not store %s", request.path)
        response[HEADER] = "miss"
        return response
