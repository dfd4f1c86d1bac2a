"""Text as the library compares it: folded (lower case, no accents), cut into words, cleaned of what breaks
the search backends. One definition, so that the search, the suggestions, the territory matcher, the import
and the admin filters agree on what "the same word" is."""

import re
import unicodedata

# Characters dropped from what a visitor types: the backends raise on a lone double quote (see DESIGN, traps),
# and an echoed query handed on from the suggestions to the search page must stay inert. Apostrophes stay:
# "dell'anziano" is Italian, and words_of() splits on them anyway.
DROPPED = frozenset('"`«»“”\\')
NON_WORD = re.compile(r"[\W_]+")


def fold(text):
    """Lower-case and strip accents, so that "Forli" finds "Forlì" in ORM look-ups."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def clean_query(raw, limit):
    """What a visitor typed, safe for every backend: no NUL, control or unprintable characters and no double
    quotes, single spaces, at most `limit` characters. Cut early too, so 10,000 characters cost nothing."""
    text = (raw or "")[: limit * 4]
    text = "".join(" " if char in DROPPED or not char.isprintable() else char for char in text)
    return " ".join(text.split())[:limit].strip()


def words_of(text):
    """Folded words of letters and digits only, so nothing reaching a backend can be query syntax."""
    return [word for word in NON_WORD.split(fold(text)) if word]


def paragraphs(text):
    """Paragraphs separated by blank lines, each with its whitespace collapsed."""
    parts = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "")]
    return [part for part in parts if part]
