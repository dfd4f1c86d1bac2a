"""The visitor's address, for rate limits and login lockouts.

Behind TRUSTED_PROXY_COUNT reverse proxies (0: Django faces the visitors) each proxy appends the address it
saw to X-Forwarded-For, so the visitor is the TRUSTED_PROXY_COUNT-th entry from the right; whatever a visitor
writes into the header themselves stays to the left of it and is never read. With no trusted proxy the header
is ignored altogether."""

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer entries than proxies: the request skipped a proxy; the leftmost entry is the farthest one seen.
    return hops[-proxies] if len(hops) >= proxies else hops[0]
