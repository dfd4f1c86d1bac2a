"""Suggestions while the visitor types in the header search box: entry titles, territories, themes and goals,
each with the address to go to. Served as JSON to static/js/suggest.js; the search form works without it.

Everything is matched on accent-folded words (`fold()`), the same way on SQLite and PostgreSQL:
- territories on their `name_folded` column (an already folded copy of the names, in the ORM);
- themes and goals in Python: they are small vocabularies (17 goals, tens of themes), one query each;
- titles with an ORM regex that treats every letter as "any accented form of it" (Django gives SQLite a
  REGEXP function; PostgreSQL has `~`), as a bounded pre-filter, then checked and ranked in Python on the
  folded title. The search backend's autocomplete is not used: on PostgreSQL it runs on the `simple`
  configuration, where "citta" does not find "città" (see DESIGN, traps), and pages have no folded title
  column to match on instead.
"""

import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Locale

from core.text import clean_query, fold, words_of
from core.visibility import public_pages
from practices import places
from practices.models import SDG, EntryTerritory, LibraryEntry, Territory, Theme
from practices.models.taxonomy import localized
from search.query import GOAL_WORDS, knowledge_version

from .pages import LibraryIndexPage
from .query import library_entries

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
# More words than this add nothing to a suggestion and only lengthen the SQL.
MAX_WORDS = 6
MAX_SUGGESTIONS = 8
# How many of each kind are fetched before the eight places are shared out between the kinds.
PER_KIND = {"title": 5, "territory": 5, "theme": 3, "sdg": 3}
# Titles fetched by the SQL pre-filter and then checked on their folded words in Python.
TITLE_CANDIDATES = 40
CACHE_SECONDS = 60

WORD = re.compile(r"\w+")


def _accented_forms():
    """Every Latin letter that folds to a given ASCII letter ("a" → "aàáâä…ÀÁ…"), both cases."""
    forms = {}
    for codepoint in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(codepoint)
        folded = fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            forms.setdefault(folded, set()).add(char)
    return {letter: "".join(sorted(chars)) for letter, chars in forms.items()}


ACCENTED_FORMS = _accented_forms()


def matches_words(words, text_words):
    """True when every query word starts some word of the text: "forli ces" matches "forli cesena"."""
    return all(any(candidate.startswith(word) for candidate in text_words) for word in words)


def letters_regex(word):
    """A regex, valid for Python (SQLite) and PostgreSQL alike, for `word` in any accented form and either
    case. Case is spelled out rather than left to `~*`, whose handling of non-ASCII letters depends on the
    database's ctype."""
    parts = []
    for char in word:
        forms = ACCENTED_FORMS.get(char)
        if forms:
            parts.append(f"[{forms}]")
        elif char.isalnum():
            upper = char.upper()
            parts.append(f"[{char}{upper}]" if len(upper) == 1 and upper != char else char)
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _suggestion(label, kind, url, detail=""):
    kind_labels = {
        "title": _("Scheda"),
        "territory": _("Territorio"),
        "theme": _("Tema"),
        "sdg": _("Obiettivo"),
    }
    return {"label": label, "kind": kind, "kind_label": kind_labels[kind], "detail": detail, "url": url}


def suggest_titles(request, words, phrase, locale):
    entries = public_pages(LibraryEntry, locale).defer_streamfields()
    for word in words:
        entries = entries.filter(title__regex=r"(^|\W)" + letters_regex(word))
    # Titles that start with the first word come first, so the bounded candidate set keeps the best ones.
    entries = entries.annotate(
        starts=Case(
            When(title__regex="^" + letters_regex(words[0]), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("starts", "title")[:TITLE_CANDIDATES]
    ranked = []
    for entry in entries:
        folded = fold(entry.title)
        title_words = WORD.findall(folded)
        if not matches_words(words, title_words):
            continue
        rank = 0 if folded.startswith(phrase) else 1 if title_words and title_words[0].startswith(words[0]) else 2
        ranked.append((rank, folded, entry))
    ranked.sort(key=lambda item: item[:2])
    located = [(entry, entry.get_url(request)) for _rank, _folded, entry in ranked[: PER_KIND["title"]]]
    return [
        _suggestion(
            entry.title,
            "title",
            url,
            detail=str(entry.specific_class._meta.verbose_name).capitalize(),
        )
        for entry, url in located
        # A page outside every site has no address to offer.
        if url
    ]


def holding_entries(entries):
    """Territories that hold one of `entries`, themselves or inside them: a suggestion never leads to an
    empty list. As subqueries, whatever the number of places tagged."""
    tagged = EntryTerritory.objects.filter(page__in=entries.values("pk"))
    inside = Q()
    for column in ("macroarea_code", "region_code", "province_code", "code"):
        inside |= Q(code__in=tagged.values(f"territory__{column}"))
    return Territory.objects.filter(inside)


def suggest_territories(words, phrase, library_url, entries):
    territories = places.matching(" ".join(words), holding_entries(entries))
    return [
        _suggestion(
            # "Como (CO)" tells a comune from its province; the level beside the label says "Provincia".
            str(territory) if territory.level == Territory.Level.MUNICIPALITY else territory.label,
            "territory",
            _filtered(library_url, "territory", territory.code),
            territory.get_level_display(),
        )
        for territory in territories[: PER_KIND["territory"]]
    ]


def suggest_themes(words, phrase, library_url, entries):
    ranked = []
    used = Theme.objects.filter(entries__in=entries.values("pk")).distinct()
    for theme in used.only("slug", "name_it", "name_en"):
        name = theme.name
        folded = fold(name)
        if matches_words(words, WORD.findall(folded)):
            ranked.append((0 if folded.startswith(phrase) else 1, folded, theme.slug, name))
    ranked.sort()
    return [
        _suggestion(name, "theme", _filtered(library_url, "theme", slug))
        for _rank, _folded, slug, name in ranked[: PER_KIND["theme"]]
    ]


def suggest_goals(words, library_url, entries):
    names = [word for word in words if word not in GOAL_WORDS]
    numbers = {int(word) for word in names if word.isdigit()}
    texts = [word for word in names if not word.isdigit()]
    if not names:
        return []
    ranked = []
    for goal in SDG.objects.filter(entries__in=entries.values("pk")).distinct():
        if numbers:
            # A number picks the goal; words beside it ("13 clima") need not be repeated in its name.
            rank = 0 if goal.number in numbers else None
        elif matches_words(texts, words_of(localized(goal, "short"))):
            rank = 1
        elif matches_words(texts, words_of(localized(goal, "title"))):
            rank = 2
        else:
            rank = None
        if rank is not None:
            ranked.append((rank, goal.number, goal))
    ranked.sort(key=lambda item: item[:2])
    return [
        _suggestion(str(goal), "sdg", _filtered(library_url, "sdg", goal.number))
        for _rank, _number, goal in ranked[: PER_KIND["sdg"]]
    ]


def _filtered(library_url, key, value):
    return f"{library_url}?{urlencode({key: value})}"


def library_url(request, locale):
    """The library of the active language, or the Italian one while no translation exists. There is one
    library per language tree, so fetching them all costs one short query and no extra Locale look-up."""
    libraries = list(public_pages(LibraryIndexPage, None).select_related("locale"))
    library = next((page for page in libraries if page.locale_id == locale.pk), None) or next(
        (page for page in libraries if page.locale.language_code == settings.LANGUAGE_CODE), None
    )
    return library.get_url(request) if library else None


def share_out(groups):
    """At most MAX_SUGGESTIONS in all, taken in turns so every kind that matched keeps a place, then
    listed kind by kind (grouped)."""
    kept = dict.fromkeys(groups, 0)
    total = 0
    while total < MAX_SUGGESTIONS:
        progressed = False
        for kind, items in groups.items():
            if kept[kind] < len(items) and total < MAX_SUGGESTIONS:
                kept[kind] += 1
                total += 1
                progressed = True
        if not progressed:
            break
    return [item for kind, items in groups.items() for item in items[: kept[kind]]]


def build_suggestions(request, query):
    words = words_of(query)[:MAX_WORDS]
    if not words:
        return []
    phrase = " ".join(words)
    locale = Locale.get_active()
    library = library_url(request, locale)
    groups = {"title": suggest_titles(request, words, phrase, locale)}
    if library:
        # Built once for the three kinds: library_entries() looks the default locale up on every call.
        entries = library_entries(locale)
        groups["territory"] = suggest_territories(words, phrase, library, entries)
        groups["theme"] = suggest_themes(words, phrase, library, entries)
        groups["sdg"] = suggest_goals(words, library, entries)
    return share_out(groups)


@require_safe
def suggest(request):
    """GET ?q=… → {"query": normalised q, "suggestions": [{label, kind, kind_label, detail, url}, …]}."""
    query = clean_query(request.GET.get("q"), MAX_QUERY_LENGTH)
    if len(query) < MIN_QUERY_LENGTH:
        suggestions = []
    else:
        # Hashed: the key stays short and safe for memcached/Redis whatever the visitor typed. The knowledge
        # version moves on publish, unpublish and view restriction: a page made private stops being suggested.
        digest = hashlib.sha256(f"{request.get_host()}\n{knowledge_version()}\n{query}".encode()).hexdigest()
        key = f"search-suggest:{get_language()}:{digest}"
        suggestions = cache.get(key)
        if suggestions is None:
            suggestions = build_suggestions(request, query)
            cache.set(key, suggestions, CACHE_SECONDS)
    response = JsonResponse({"query": query, "suggestions": suggestions})
    response["Cache-Control"] = f"max-age={CACHE_SECONDS}"
    # Suggestions are a typing aid, not pages for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response
