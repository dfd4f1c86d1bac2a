"""The licence and attribution that go with every export, feed and OAI-PMH record. The content's licence is
the operator's choice (OPEN_DATA_LICENCE_NAME, OPEN_DATA_LICENCE_URL); the reference data's are fixed by
their sources."""

from django.conf import settings
from django.utils.translation import gettext as _


def licence():
    return {
        "name": getattr(settings, "OPEN_DATA_LICENCE_NAME", "CC BY 4.0"),
        "url": getattr(settings, "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    }


def attribution(source_url=""):
    """One line: where the data come from, under which licence, and the sources of the reference data."""
    terms = licence()
    line = _(
        "Fonte: %(site)s%(url)s. Contenuti: licenza %(licence)s (%(licence_url)s). Territori: ISTAT e Openpolis "
        "(CC BY 4.0). Obiettivi di sviluppo sostenibile: Nazioni Unite, traduzione UNRIC Italia."
    ) % {
        "site": settings.WAGTAIL_SITE_NAME,
        "url": f", {source_url}" if source_url else "",
        "licence": terms["name"],
        "licence_url": terms["url"],
    }
    return line
