"""What a detail page suggests next to its entry, chosen in the library's catalogue (library/catalogue.py)."""

from django.contrib.contenttypes.models import ContentType

from core.visibility import public_pages
from practices.models import GoodPracticePage

from .catalogue import catalogue_for


def similar_practices(practice, limit=4):
    """Up to `limit` public good practices in `practice`'s language that share a goal with it: those placed in
    one of its regions first, then those sharing more of its goals, then by title. Ranked on the catalogue's
    bitsets (in SQL, grouping thousands of candidates took 30-40 ms at 10,000 entries); only the practices
    shown are read (their page prefetches what their cards show, with its other cards). Reads the practice's
    goals and places, prefetched by its page (LibraryEntry.prefetch_taxonomies), so that a preview of a
    draft gets suggestions too. The page asks for them through a Wagtail hook (library/wagtail_hooks.py)."""
    goals = [sdg.number for sdg in practice.sdgs.all()]
    if not goals:
        return []
    catalogue = catalogue_for(practice.locale)
    candidates = (
        catalogue.any_of("sdg", goals)
        & catalogue.bits("type", ContentType.objects.get_for_model(GoodPracticePage).pk)
        & catalogue.bits("language", practice.locale.language_code)
    )
    itself = catalogue.index.get(practice.pk)
    if itself is not None:
        candidates &= ~(1 << itself)
    nearby = catalogue.any_of("region", {territory.region_code for territory in practice.territories} - {""})
    # sharing[n]: the candidates holding at least n of the goals, built goal by goal.
    sharing = [candidates] + [0] * (len(goals) + 1)
    for goal in goals:
        holding = catalogue.bits("sdg", goal)
        for n in range(len(goals), 0, -1):
            sharing[n] |= sharing[n - 1] & holding
    chosen = []
    for place in (nearby, ~nearby):
        for n in range(len(goals), 0, -1):
            group = sharing[n] & ~sharing[n + 1] & place
            chosen += catalogue.ordered(group, "title")[: limit - len(chosen)]
    found = public_pages(GoodPracticePage, practice.locale).filter(pk__in=chosen).defer_streamfields().in_bulk()
    return [found[pk] for pk in chosen if pk in found]
