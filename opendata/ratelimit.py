"""Limits of the open-data endpoints per visitor's address (core/client_ip.py), counted in the shared
cache through django-ratelimit like the proposals (PROPOSAL_RATE): exports, feeds, OAI-PMH, alert sign-ups."""

import logging

from django_ratelimit.core import get_usage

from core.client_ip import client_ip

logger = logging.getLogger(__name__)


def _address(group, request):
    return client_ip(request)


def over_limit(request, group, rate, key=_address):
    """Count this request for `group` and tell whether it goes past `rate` ("60/h"). A cache that does not
    answer lets the request through: open data matter more than a limit for a while."""
    try:
        usage = get_usage(
            request, group=f"opendata-{group}", key=key, rate=rate, method=("GET", "HEAD", "POST"), increment=True
        )
    except Exception:
        logger.exception("could not count %s requests in the cache; letting this one through", group)
        return False
    return usage is not None and usage["should_limit"]
