"""What the site proposes to type, drawn from the library itself so that every example finds something:
its most used theme, that theme with the region where it is most used, the region with most entries and the
goal with most entries ("SDG 13"). Computed once per language and library version (the search's knowledge
version moves on every publish)."""

from django.core.cache import cache
from django.db.models import Count

from practices.models import SDG, EntryTerritory, Territory, Theme
from search.query import knowledge_version

from .query import library_entries

CACHE_SECONDS = 600


def search_examples(locale):
    key = f"search-examples:{locale.language_code}:{knowledge_version()}"
    examples = cache.get(key)
    if examples is None:
        examples = _examples(locale)
        cache.set(key, examples, CACHE_SECONDS)
    return examples


def _examples(locale):
    entries = library_entries(locale).values("pk")
    theme = _most_used(Theme.objects.filter(entries__in=entries))
    region = _top_region(entries)
    goal = _most_used(SDG.objects.filter(entries__in=entries))
    examples = []
    if theme:
        themed = library_entries(locale).filter(themes=theme).values("pk")
        themed_region = _top_region(themed)
        if themed_region:
            examples.append(f"{theme.name} {themed_region.label}")
        examples.append(theme.name)
    if region:
        examples.append(region.label)
    if goal:
        examples.append(f"SDG {goal.number}")
    return list(dict.fromkeys(examples))


def _most_used(queryset):
    return queryset.annotate(n=Count("entries", distinct=True)).order_by("-n", "pk").first()


def _top_region(entry_ids):
    counted = (
        EntryTerritory.objects.filter(page__in=entry_ids)
        .exclude(territory__region_code="")
        .values("territory__region_code")
        .annotate(n=Count("page", distinct=True))
        .order_by("-n", "territory__region_code")
        .first()
    )
    return Territory.objects.filter(code=counted["territory__region_code"]).first() if counted else None
