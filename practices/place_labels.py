"""How an entry's places read to a visitor: "Tutta Italia" for national scope rather than the five
macro-areas one by one, and each place with the address of its landing page."""

from django.utils.translation import gettext_lazy as _

MACROAREAS = frozenset({"M1", "M2", "M3", "M4", "M5"})
REGIONS = 20
ALL_ITALY = _("Tutta Italia")


def is_national(territories):
    """Whether the territories cover the whole country: every macro-area, or every region."""
    codes = {territory.code for territory in territories}
    if MACROAREAS <= codes:
        return True
    regions = {territory.code for territory in territories if territory.level == "region"}
    return len(regions) >= REGIONS


def places_label(territories):
    """ "Tutta Italia", or the places' names joined by commas."""
    territories = list(territories)
    if is_national(territories):
        return str(ALL_ITALY)
    return ", ".join(str(territory.label) for territory in territories)


def place_links(territories, library=None):
    """[(label, url)] for the places of an entry: "Tutta Italia", to the whole library, when the scope is
    national, else each place to its landing page. Without a library the urls are None."""
    territories = list(territories)
    if is_national(territories):
        return [(str(ALL_ITALY), library.url if library else None)]
    return [
        (str(territory), library.landing_url("territory", territory.code) if library else None)
        for territory in territories
    ]
