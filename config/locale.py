from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, except that a 404 answered by a language-neutral address (the API, documents,
    the admin) stays that 404.

    Django turns a 404 of an address without a language prefix into a redirect to the same address under /it/,
    in case the prefix was forgotten; Wagtail's catch-all page route makes every /it/… address look valid, so
    /api/v2/pages/999999/ answered a redirect to an HTML "page not found" instead of its JSON 404. A view that
    the address resolved to (request.resolver_match is set only then) has had its say; an address that matched
    nothing ("/biblioteca/") still gets the redirect to its language."""

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is not None
            and not translation.get_language_from_path(request.path_info)
        ):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)
