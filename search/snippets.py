"""Result snippets with the words that matched marked, as the search page shows them. The database backends
return no highlights, so the words are found here, on the text the card shows."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.text import fold

TOKEN = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 40


def _matches(token, words):
    """A word of the text matches a query word, or one of its inflections: same word, or the same stem
    (all but the last two letters of a word of six letters or more: "cooperativa" marks "cooperative")."""
    folded = fold(token)
    for word in words:
        if folded == word or (len(word) >= 6 and len(folded) >= len(word) - 2 and folded[: len(word) - 2] == word[:-2]):
            return True
    return False


def highlight(text, words, limit=None):
    """`text` escaped, with matching words in <mark>; when `limit` words are kept, the window starts a few
    words before the first match, so the match is visible."""
    tokens = list(TOKEN.finditer(text or ""))
    if not tokens:
        return escape(text or "")
    marked = [_matches(match.group(), words) for match in tokens]
    start, end, prefix, suffix = 0, len(text), "", ""
    if limit and len(tokens) > limit:
        first = marked.index(True) if any(marked) else 0
        begin = max(0, first - 8)
        stop = min(len(tokens), begin + limit)
        begin = max(0, stop - limit)
        start = tokens[begin].start() if begin else 0
        end = tokens[stop - 1].end() if stop < len(tokens) else len(text)
        prefix, suffix = ("… " if begin else ""), (" …" if stop < len(tokens) else "")
    out, position = [prefix], start
    for match, hit in zip(tokens, marked, strict=True):
        if match.start() < start or match.end() > end:
            continue
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>" if hit else escape(match.group()))
        position = match.end()
    out.append(escape(text[position:end]))
    out.append(suffix)
    return mark_safe("".join(out))


def annotate(entries, words):
    """Set `title_marked` and `snippet` on each entry of a results page."""
    for entry in entries:
        entry.title_marked = highlight(entry.title, words)
        entry.snippet = highlight(entry.summary, words, limit=SNIPPET_WORDS)
    return entries
