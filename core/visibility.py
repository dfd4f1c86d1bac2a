"""What the public may see. Every public query of pages goes through here: live, outside every section
with a view restriction (password, login, groups), and in the language asked for. A listing built on
`Model.objects.live()` alone would show a restricted practice's title and summary to anyone; a test
(tests/test_private_pages.py) fails when public code queries pages any other way.

The restriction test is one SQL subquery, not Wagtail's `PageQuerySet.public()`: that one reads every
restriction first (one more query per listing, per call) and expands them into a list of path prefixes."""

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef
from wagtail.models import Locale, Page, PageViewRestriction

ACTIVE = object()  # the language being served (translation.get_language()), the default of public_pages


def _restricted(within=None):
    """True for a page inside (or at) any page carrying a view restriction: its path starts with theirs.
    Restrictions on `within` and its ancestors do not count: the visitor reading `within` has passed them."""
    restrictions = PageViewRestriction.objects.all()
    if within is not None:
        steps = range(within.steplen, len(within.path) + 1, within.steplen)
        restrictions = restrictions.exclude(page__path__in=[within.path[:end] for end in steps])
    return Exists(
        restrictions.alias(outer_path=ExpressionWrapper(OuterRef("path"), output_field=CharField())).filter(
            outer_path__startswith=F("page__path")
        )
    )


def visible(queryset, within=None):
    """`queryset` narrowed to what an anonymous visitor may read: live pages outside restricted sections.
    Inside a restricted section, listings of the page being read pass `within=page` (see _restricted)."""
    return queryset.live().filter(~_restricted(within))


def public_pages(model=Page, locale=ACTIVE, within=None):
    """Public pages of `model` in `locale` (a Locale, the active one by default, or None for every language)."""
    pages = visible(model.objects.all(), within)
    if locale is ACTIVE:
        locale = Locale.get_active()
    return pages if locale is None else pages.filter(locale=locale)


def is_public(page):
    """Whether an anonymous visitor may read `page` (one query)."""
    return visible(Page.objects.filter(pk=page.pk)).exists()
