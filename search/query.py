"""What a visitor typed, turned into a search the backends can run, and the ranked ids it finds.

The one place for query handling, used by the search page, the library's `q` and the API's `search=`:
- `normalise_query`: the backends raise on NUL bytes and lone quotes, and a query has a length cap;
- `parse`: words without Italian/English function words, each widened with its Italian inflections
  ("anziano" also finds "anziani": the Snowball stemmer stems the two differently), the library's thesaurus
  (abbreviations such as CSV, IT/EN equivalents, theme and goal names in the other language) and, for a
  word the library never uses, the closest word it does use (a typo);
- a place name in the query ("welfare Lombardia") is recognised, so the search page can offer it as a
  territory filter;
- `matching_ids`: every word must match first; when that finds less than a page, entries matching most of
  the words follow (a librarian's "at least two thirds of what you asked"), so long phrases and questions
  still find something without letting one stray word through.
"""

import difflib
import itertools
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from modelsearch.query import And, Or, Phrase, PlainText

from core.text import clean_query, words_of
from core.visibility import public_pages
from practices.models import LibraryEntry, NetworkPage, Organisation
from practices.models.taxonomy import SDG, Territory, Theme
from practices.places import place_names

MAX_QUERY_LENGTH = 200
MAX_SEARCH_RESULTS = 1000
# Below this many results for all the words, entries matching most of them are added after.
RELAX_BELOW = 10
# Words beyond this many are matched strictly only: the relaxed query grows combinatorially.
MAX_RELAXED_WORDS = 6
KNOWLEDGE_CACHE_KEY = "search:knowledge-version"
KNOWLEDGE_TTL = 600
THESAURUS_FILE = Path(__file__).resolve().parent / "data" / "thesaurus.txt"

STOPWORDS = frozenset(
    """a ad al allo alla ai agli alle all anche che chi ci con col coi come da dal dallo dalla dai dagli dalle
    dall di del dello della dei degli delle dell e ed gli i il in l la le lo ne nel nello nella nei negli nelle
    nell non o od per piu quale quali se si su sul sullo sulla sui sugli sulle sull tra fra tutti tutte un una
    uno un' cosa come dove quando perche verso senza sotto sopra presso
    an and are as at be by for from how in into is it its of on or the their to what where which who with""".split()
)


def normalise_query(raw):
    """q as every backend can take it (see core.text.clean_query), at most MAX_QUERY_LENGTH characters."""
    return clean_query(raw, MAX_QUERY_LENGTH)


def inflections(word):
    """The Italian forms of a word that differ by its last vowel: singular and plural, masculine and feminine
    ("anziano" → anziani, anziana, anziane), with the -co/-chi and -io/-i spellings. The parser keeps those
    the library uses."""
    if len(word) < 4 or not word.isalpha() or word[-1] not in "aeio":
        return []
    stem = word[:-1]
    forms = {stem + vowel for vowel in "aeio"}
    if stem.endswith(("c", "g")):
        forms |= {stem + "hi", stem + "he"}
    if stem.endswith(("ch", "gh")):
        forms |= {stem[:-1] + "o", stem[:-1] + "a"}
    if stem.endswith("i"):  # servizio/servizi, farmacia/farmacie
        forms.add(stem)
    forms.discard(word)
    return sorted(forms)


@dataclass
class Term:
    """One thing the visitor asked for: a word (or a thesaurus expression), with what else may match it."""

    words: list  # as typed, folded: all must match
    alternatives: list = field(default_factory=list)  # lists of words, any of which may match instead
    correction: str = ""  # the library's word for a word it never uses (also among the alternatives)
    phrase: bool = False  # the words must be adjacent ("SDG 13")

    def expression(self):
        if self.phrase:
            return Phrase(" ".join(self.words))
        options = [PlainText(" ".join(words), operator="and") for words in [self.words, *self.alternatives]]
        return options[0] if len(options) == 1 else Or(options)

    @property
    def text(self):
        return " ".join(self.words)


@dataclass
class ParsedQuery:
    text: str
    terms: list
    units: list = field(default_factory=list)  # the terms word by word, for the relaxed query
    place: Territory | None = None
    place_text: str = ""  # the words of the query that named the place, as typed
    respelled: dict = field(default_factory=dict)  # typed word: the library's, inside thesaurus expressions

    @property
    def corrected(self):
        """The query with the library's words in place of the typos, or "" when nothing was corrected."""
        corrections = {term.text: term.correction for term in self.terms if term.correction} | self.respelled
        if not corrections:
            return ""
        return " ".join(corrections.get(" ".join(words_of(token)), token) for token in self.text.split())

    @property
    def without_place(self):
        """The query without the place's words: what to search once the place is a territory filter."""
        if not self.place_text:
            return self.text
        return " ".join(re.sub(re.escape(self.place_text), " ", self.text, count=1, flags=re.IGNORECASE).split())

    def highlight_words(self):
        """Every folded word a result may show for this query, for snippets."""
        found = set()
        for term in self.terms:
            for words in [term.words, *term.alternatives, [term.correction] if term.correction else []]:
                found.update(words)
        return found

    def strict(self):
        return And([term.expression() for term in self.terms]) if len(self.terms) > 1 else self.terms[0].expression()

    def relaxed(self):
        """Entries matching at least two thirds of the words (rounded up; numbers do not count): none with two
        words or fewer, where one word alone would be too loose."""
        units = self.units[:MAX_RELAXED_WORDS]
        if len(units) < 3:
            return None
        needed = len(units) - len(units) // 3
        return Or([And([unit.expression() for unit in subset]) for subset in itertools.combinations(units, needed)])


def parse(text, correct=True):
    """The normalised text as terms: a goal by number ("SDG 13", "obiettivo 4"), else the longest thesaurus
    expression at each point, else one word. `correct=False` searches a word the library never uses as typed,
    without its nearest known word (the visitor's "search exactly what I wrote")."""
    text = normalise_query(text)
    words = words_of(text)
    knowledge = load_knowledge()
    thesaurus, vocabulary = knowledge.thesaurus, knowledge.vocabulary_for(translation.get_language())
    terms, units, position = [], [], 0
    spellings = [_known_spellings(word, vocabulary, thesaurus) if correct else [word] for word in words]
    respelled = {}
    while position < len(words):
        if _is_goal_number(words, position):
            # Entries carry "SDG n obiettivo n goal n" for their goals: the pair is a phrase, not two words.
            terms.append(Term(words=["sdg", words[position + 1]], phrase=True))
            units.append(terms[-1])
            position += 2
            continue
        size, key = next(
            (
                (n, candidate)
                for n in range(min(7, len(words) - position), 1, -1)
                for candidate in _spellings(spellings[position : position + n])
                if candidate in thesaurus
            ),
            (1, content(words[position : position + 1])),
        )
        typed = content(words[position : position + size])
        if (
            size > 1 and key != typed and len(key) == len(typed)
        ):  # a thesaurus expression with a typo in it: "cooperatva di comunità"
            respelled.update({word: known for word, known in zip(typed, key, strict=True) if word != known})
        position += size
        if not key:
            continue
        term = Term(words=list(key), alternatives=[list(other) for other in thesaurus.get(key, [])])
        if size == 1:
            term.alternatives += _word_forms(key[0], vocabulary, corrected=correct and key not in thesaurus, term=term)
            units.append(term)
        else:
            units += [Term([word], _word_forms(word, vocabulary)) for word in key]
        terms.append(term)
    if not terms:  # only function words ("di", "the"): search them as typed rather than nothing
        terms = [Term(words=[w]) for w in words[:MAX_RELAXED_WORDS]]
    parsed = ParsedQuery(
        text=text, terms=terms, units=[unit for unit in units if not unit.text.isdigit()], respelled=respelled
    )
    parsed.place, parsed.place_text = recognise_place(text)
    return parsed


# Words that only say "a goal" ("SDG 13", "obiettivo 13", "Agenda 2030"): before a number they name the goal,
# and they are not names to match (the suggestions drop them too).
GOAL_WORDS = frozenset({"sdg", "sdgs", "obiettivo", "obiettivi", "goal", "goals", "target", "agenda", "2030"})


def _is_goal_number(words, position):
    if words[position] not in GOAL_WORDS or position + 1 >= len(words):
        return False
    number = words[position + 1]
    return number.isdigit() and 1 <= int(number) <= 17


def _word_forms(word, vocabulary, corrected=True, term=None):
    """A word's inflections that the library uses; for a word it never uses, its nearest word (a typo) and
    that word's inflections, noted on `term` so the page can say "did you mean"."""
    forms = [form for form in inflections(word) if form in vocabulary]
    if forms or word in vocabulary or not corrected:
        return [[form] for form in forms]
    correction = closest_word(word, vocabulary)
    if not correction:
        return []
    if term is not None:
        term.correction = correction
    return [[correction]] + [[form] for form in inflections(correction) if form in vocabulary]


def _known_spellings(word, vocabulary, thesaurus):
    """The word, and for one the library never uses, the nearest words it does use after it: for finding
    thesaurus expressions typed with a typo ("contrato di fiume" is "contratto di fiume", not "contatto di
    fiume"). The word as typed comes first: an English expression is no typo of an Italian one."""
    if word in vocabulary or word in STOPWORDS or (word,) in thesaurus or not word.isalpha():
        return [word]
    return [word, *closest_words(word, vocabulary, 3)]


def _spellings(options, limit=27):
    """The thesaurus keys a run of words may be, each word taken as typed or as one of its known spellings."""
    return [content(combination) for combination in itertools.islice(itertools.product(*options), limit)]


def content(words):
    """The words that carry meaning, as a thesaurus key."""
    return tuple(w for w in words if w not in STOPWORDS)


def closest_word(word, vocabulary):
    """The library's word nearest to one it never uses ("cooperatva" → "cooperativa"), or "". Only words of
    five letters or more, of nearly the same length and first letter: a short or distant guess is noise."""
    matches = closest_words(word, vocabulary, 1)
    return matches[0] if matches else ""


def closest_words(word, vocabulary, n):
    """Up to `n` of the library's words nearest to `word`, best first (see closest_word)."""
    if len(word) < 5 or not word.isalpha():
        return []
    candidates = [w for w in vocabulary.by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
    return difflib.get_close_matches(word, candidates, n=n, cutoff=0.8)


def matching_ids(entries, query, limit=MAX_SEARCH_RESULTS, languages=None):
    """Ids of `entries` matching the query, best first: every word first, then (when that finds less than a
    page) most of the words. Ids, so the ORM can filter, count and prefetch them like any other set.

    A set in several languages (the English library holds the Italian entries not translated yet) is searched
    language by language, each with its own analysis (English or Italian stemming), the reader's first.
    `languages`, the language codes of `entries`, spares the query that finds them when the caller knows."""
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    if not parsed.terms:
        return []
    if languages is None:
        languages = list(entries.order_by().values_list("locale__language_code", flat=True).distinct())
    if len(languages) <= 1:
        return _ranked_ids(entries, parsed, limit)
    active = translation.get_language()
    ids = []
    for language in sorted(languages, key=lambda code: code != active):
        with translation.override(language):
            ids += _ranked_ids(entries.filter(locale__language_code=language), parsed, limit - len(ids))
    return ids


def _ranked_ids(entries, parsed, limit):
    if limit <= 0:
        return []
    # The backends translate only simple filters into their own; any selection (such as the English library's
    # "translated, or Italian without a translation") reaches them as a set of ids.
    entries = entries.model.objects.filter(pk__in=entries.values("pk")).only("pk")
    ids = _ids(entries.search(parsed.strict())[:limit])
    relaxed = parsed.relaxed() if len(ids) < RELAX_BELOW else None
    if relaxed is not None:
        seen = set(ids)
        ids += [pk for pk in _ids(entries.search(relaxed)[:limit]) if pk not in seen][: limit - len(ids)]
    return ids


def _ids(results):
    """The pks of search results, best first. modelsearch's database backends (PostgreSQL, SQLite, MySQL, the
    fallback) build their results as one ordered queryset, `get_queryset()`, and list its model instances:
    only its ids are read here, since making a page instance of each of up to 1,000 matches took 35 ms of a
    search's 60 at 10,000 entries on PostgreSQL. Elasticsearch's results have no such queryset: iterated."""
    get_queryset = getattr(results, "get_queryset", None)
    if get_queryset is not None:
        return list(get_queryset().values_list("pk", flat=True))
    return [entry.pk for entry in results]


# --- what the parser knows: the thesaurus, the library's words, the places ----------------------------------


class KnownWords(set):
    """The folded words of the library's titles, summaries and labels, grouped by first letter for typo
    look-ups."""

    def __init__(self, words):
        super().__init__(words)
        self.by_initial = {}
        for word in self:
            self.by_initial.setdefault(word[0], []).append(word)


@dataclass
class Knowledge:
    vocabularies: dict  # {language code: KnownWords}, what a reader of that language may find
    thesaurus: dict  # {content words: [equivalent content words, ...]}
    version: int = 0
    built: float = 0.0

    def vocabulary_for(self, language):
        """The words a search in `language` can find: a typo is corrected to a word that gives results there
        ("cooperatva" to the Italian "cooperativa", not to the English "cooperative" of a translation)."""
        code = (language or settings.LANGUAGE_CODE)[:2]
        return self.vocabularies.get(code) or self.vocabularies.get(settings.LANGUAGE_CODE) or KnownWords(())


_knowledge = Knowledge({}, {}, version=-1)


def load_knowledge():
    """Built once per process, and again when an entry is published or unpublished or a theme changes (the
    version in the shared cache moves, see practices/signals.py, so every worker notices) or after
    KNOWLEDGE_TTL seconds."""
    global _knowledge
    version = knowledge_version()
    if _knowledge.version != version or time.monotonic() - _knowledge.built > KNOWLEDGE_TTL:
        _knowledge = Knowledge(_build_vocabularies(), _build_thesaurus(), version, time.monotonic())
    return _knowledge


def forget_knowledge():
    """This process rebuilds what it knows at the next search (tests, whose database rolls back under it)."""
    _knowledge.version = -1


def knowledge_version():
    """Moves whenever what the public may find changes: publishing, unpublishing, restricting a page."""
    return cache.get(KNOWLEDGE_CACHE_KEY, 0)


def knowledge_changed():
    try:
        cache.incr(KNOWLEDGE_CACHE_KEY)
    except ValueError:
        cache.set(KNOWLEDGE_CACHE_KEY, 1, None)


def _build_vocabularies():
    """{language: the folded words of what its readers may find}: titles and summaries of the entries they
    read (the English library holds the Italian entries not translated yet, so English readers get both),
    the labels of goals and themes in both languages (the index carries both), places, networks and
    promoters (indexed with every entry)."""
    shared = [f"{theme.name_it} {theme.name_en}" for theme in Theme.objects.all()]
    shared += [f"{sdg.short_it} {sdg.short_en}" for sdg in SDG.objects.all()]
    for name, name_en in Territory.objects.exclude(level="municipality").values_list("name", "name_en"):
        shared += [name, name_en]
    shared += Organisation.objects.values_list("name", flat=True)
    shared += public_pages(NetworkPage, None).values_list("title", flat=True)
    by_language = {}
    rows = public_pages(LibraryEntry, None).values_list("locale__language_code", "title", "summary")
    for language, title, summary in rows.iterator(chunk_size=2000):
        by_language.setdefault(language, []).extend((title, summary))
    default = settings.LANGUAGE_CODE
    vocabularies = {}
    for code, _name in settings.LANGUAGES:
        texts = shared + by_language.get(code, []) + (by_language.get(default, []) if code != default else [])
        vocabularies[code] = KnownWords(w for text in texts for w in words_of(text) if len(w) >= 3 and w.isalpha())
    return vocabularies


@lru_cache(maxsize=1)
def _thesaurus_file():
    """Groups of equivalent expressions, one group per line, separated by `|` (data/thesaurus.txt)."""
    lines = THESAURUS_FILE.read_text(encoding="utf-8").splitlines()
    return [
        [cell.strip() for cell in line.split("|") if cell.strip()]
        for line in lines
        if line.strip() and not line.startswith("#")
    ]


def _build_thesaurus():
    """The thesaurus file and the taxonomies' labels in both languages (a theme found by its English name,
    a goal by either)."""
    groups = _thesaurus_file() + [[theme.name_it, theme.name_en] for theme in Theme.objects.exclude(name_en="")]
    groups += [[sdg.short_it, sdg.short_en] for sdg in SDG.objects.all()]
    thesaurus = {}
    for group in groups:
        keys = [content(words_of(expression)) for expression in group]
        for key in filter(None, keys):
            known = thesaurus.setdefault(key, [])
            known += [other for other in keys if other and other != key and other not in known]
    return thesaurus


@lru_cache(maxsize=1)
def _place_names():
    return place_names()


def recognise_place(text):
    """The longest run of words naming a territory, as (Territory, the words as typed). Regions whatever the
    case; macro-areas, provinces and comuni only when capitalised, so "centro", "sale" or "prato" typed as
    words are not taken for the places of those names."""
    places = _place_names()
    typed = [token for token in re.split(r"[\s,;:/()]+", text) if token]
    for size in range(min(4, len(typed)), 0, -1):
        for start in range(len(typed) - size + 1):
            chunk = typed[start : start + size]
            key = " ".join(words_of(" ".join(chunk)))
            if key not in places or key in STOPWORDS:
                continue
            code, level = places[key]
            if level != "region" and not chunk[0][:1].isupper():
                continue
            return Territory.objects.get(code=code), " ".join(chunk)
    return None, ""
