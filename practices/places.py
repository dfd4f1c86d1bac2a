"""Finding territories by what people type: one matcher for the admin's territory chooser and practice
filter, the proposal form, the search suggestions and the search's query parser, so that "forli", "Forlì",
"Forlì-Cesena" and "Bolzano" find the same places everywhere.

Names are compared folded (core.text.fold: lower case, no accents) on Territory.name_folded, a folded copy of
the Italian, English and second-language names kept by Territory.save(), so every look-up is one query."""

import re

from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from core.text import fold, words_of

from .models.taxonomy import Territory

# More words than this add nothing to a place name and only lengthen the SQL.
MAX_WORDS = 6
# "Como (CO)", "Como (provincia)", "Lombardia (regione)": the qualifier a typed name may end with.
QUALIFIED = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)$")
LEVEL_WORDS = {
    "comune": Territory.Level.MUNICIPALITY,
    "municipality": Territory.Level.MUNICIPALITY,
    "provincia": Territory.Level.PROVINCE,
    "province": Territory.Level.PROVINCE,
    "regione": Territory.Level.REGION,
    "region": Territory.Level.REGION,
    "ripartizione": Territory.Level.MACROAREA,
    "macroarea": Territory.Level.MACROAREA,
}
LEVEL_QUALIFIERS = {
    Territory.Level.PROVINCE: _("provincia"),
    Territory.Level.REGION: _("regione"),
    Territory.Level.MACROAREA: _("ripartizione"),
}
LEVEL_RANK = Case(
    *(When(level=level, then=Value(rank)) for level, rank in Territory.LEVEL_RANK.items()),
    default=Value(9),
    output_field=IntegerField(),
)


def names_of(territory):
    """Every folded name a territory answers to: Italian, English, the second official language, and each
    half of a bilingual name ("Bolzano/Bozen")."""
    names = {territory.name, territory.name_en, territory.name_other, *territory.name.split("/")}
    return {" ".join(fold(name).split()) for name in names if name and name.strip()}


def label(territory):
    """A label that names one territory only: the comune with its province's sigla, the other levels with
    their level ("Molise" is a region and a comune)."""
    if territory.level == Territory.Level.MUNICIPALITY:
        return f"{territory.name} ({territory.sigla})" if territory.sigla else territory.name
    return f"{territory.name} ({LEVEL_QUALIFIERS[territory.level]})"


def ranked(territories, phrase=""):
    """Best first: the name typed exactly, then names starting with it, then the larger levels (regions
    before comuni), the most populous, the name."""
    return territories.annotate(
        match_rank=Case(
            When(name_folded=phrase, then=Value(0)),
            When(name_folded__startswith=phrase, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        level_rank=LEVEL_RANK,
    ).order_by("match_rank", "level_rank", F("population").desc(nulls_last=True), "name")


def matching(text, territories=None):
    """Territories (a QuerySet, ranked) each of whose typed words starts one of their name's words: "emilia"
    finds "Reggio nell'Emilia", "forli ces" finds "Forlì-Cesena". None of them for text without words."""
    territories = Territory.objects.all() if territories is None else territories
    words = words_of(text)[:MAX_WORDS]
    if not words:
        return territories.none()
    for word in words:
        # A word starts at the beginning or after a non-letter. The plain LIKE first spares SQLite a Python
        # regex call on most of the 8,000 rows.
        territories = territories.filter(name_folded__contains=word).filter(
            name_folded__regex=r"(^|[^a-z0-9])" + re.escape(word)
        )
    return ranked(territories, " ".join(words))


def named(text):
    """The territories named exactly `text` (accents and case ignored), narrowed by a "(CO)" or "(provincia)"
    qualifier, best first."""
    typed = " ".join(fold(text).split())
    name, qualifier = typed, ""
    match = QUALIFIED.match(typed)
    if match:
        name, qualifier = match["name"].strip(), match["qualifier"].strip()
    if not name:
        return []
    candidates = ranked(Territory.objects.filter(name_folded__contains=name), name)
    exact = [territory for territory in candidates if name in names_of(territory)]
    if qualifier:
        level = LEVEL_WORDS.get(qualifier)
        exact = [
            territory
            for territory in exact
            if (level and territory.level == level)
            or (territory.level == Territory.Level.MUNICIPALITY and fold(territory.sigla) == qualifier)
        ]
    return exact


def place_names():
    """{folded name: (code, level)} of every territory, for finding place names inside a longer text: regions
    before provinces before comuni, then the most populous, so "Bologna" is the province (which holds the
    city) and a name shared by two comuni is the larger."""
    rank = Territory.LEVEL_RANK
    places = {}
    rows = Territory.objects.values_list("code", "level", "name", "name_en", "name_other", "population")
    for code, level, *names, _population in sorted(rows, key=lambda row: (rank[row[1]], -(row[5] or 0))):
        for name in names:
            if name:
                places.setdefault(" ".join(words_of(name)), (code, level))
    return places
