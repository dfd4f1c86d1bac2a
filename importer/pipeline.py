"""The import of library entries from JSON Lines (the format of DESIGN.md): plan, then write, all or nothing.

`LibraryImport.plan()` decodes and validates every line (`parse_line`: the line's type, slug and locale here,
its fields in the type's codec, `importer/codecs.py`), then compares each valid line with the stored entry of
the same slug and language to decide whether it creates, updates or leaves it unchanged, and collects every
problem with its line and field. Nothing is written unless no line has a problem; `write()` then writes
everything in one transaction: new entries in bulk (`importer/bulk.py`), changed ones one by one with a new
revision, as the admin saves them.

Memory stays flat in the number of lines: lines are read in batches, and what the plan keeps of a line is
its key and action; `write()` reads the lines again (the command hands over a file, not a list).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from jsonschema import Draft202012Validator
from wagtail.models import Locale

from core.publishing import publish
from home.site_tree import ensure_site_tree
from practices.models import SDG, GoodPracticePage, NetworkPage, Organisation, Theme, TrainingProgrammePage
from search.query import knowledge_changed

from .bulk import create_published
from .checks import SLUG_RE, Checks, LineError, LineErrors, find_invalid_text, text_field, without_invalid_text
from .codecs import CODECS, COMMON, INDEX_PAGES
from .indexing import index_written, indexes_deferred
from .vocabulary import Vocabulary

# The import format is described by a JSON Schema (import.schema.json, published with docs/data.md): the field
# names come from it, and a line it refuses is refused (schema_problems). The codecs' checks say what is wrong
# in the editors' words and check what a schema cannot know (that an SDG, a territory, a practice exists).
SCHEMA = json.loads((Path(__file__).resolve().parent / "import.schema.json").read_text(encoding="utf-8"))
SCHEMA_VALIDATOR = Draft202012Validator(SCHEMA)
COMMON_FIELDS = set(SCHEMA["properties"])
TYPE_FIELDS = {
    branch["if"]["properties"]["type"]["const"]: set(branch["then"]["properties"]) for branch in SCHEMA["allOf"]
}
ALL_SCHEMA_FIELDS = COMMON_FIELDS.union(*TYPE_FIELDS.values())


def schema_problems(data):
    """(field, message) for each way `data` breaks the import's JSON Schema. The line's own checks report
    first, in plainer words; these are the backstop that keeps the importer and the schema in agreement."""
    for error in sorted(SCHEMA_VALIDATOR.iter_errors(data), key=lambda error: [str(p) for p in error.absolute_path]):
        path = list(error.absolute_path)
        yield (str(path[0]) if path else "(line)"), f"does not match the import schema: {error.message[:200]}"


# The entry type that the others link to ("practices" of case studies, modules and residencies).
PRACTICE = GoodPracticePage.entry_type_key
# Lines read, compared with the library, or written at a time.
EXISTING_BATCH = 500
WRITE_BATCH = 500
# The order of a line's problems: its own fields, a duplicate slug, then what the library says of it.
PARSE, DUPLICATE, PARENT, LINKS, STORED = range(5)


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}, field {self.field}: {self.message}"


@dataclass(slots=True)
class Record:
    """What the plan keeps of a valid line: its key, what it will do, the stored page it updates."""

    line: int
    type: str
    locale: str
    slug: str
    action: str = ""  # create, update or unchanged, decided by the plan
    page_id: int | None = None
    links: tuple = ()  # slugs of the practices it links to

    @property
    def codec(self):
        return CODECS[self.type]


@dataclass
class ImportReport:
    problems: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_themes: list = field(default_factory=list)
    new_networks: list = field(default_factory=list)
    new_organisations: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def parse_line(data, vocabulary, locales):
    """Validate one decoded line and return (type, locale, slug, desired state). Raises LineErrors with every
    problem of the line: each field is checked even when another one is wrong."""
    if not isinstance(data, dict):
        raise LineErrors([LineError("(line)", "must be a JSON object")])
    check = Checks()
    for name, value in data.items():
        if find_invalid_text(name) or find_invalid_text(value):
            check.add(
                name if not find_invalid_text(name) else "(line)",
                "contains a NUL character or a broken surrogate, which cannot be stored",
            )
    if check.errors:
        data = without_invalid_text(data)
    entry_type = check(text_field, data, "type", required=True, default="")
    codec = CODECS.get(entry_type)
    if entry_type and codec is None:
        check.add("type", f'must be one of {", ".join(CODECS)}, not "{entry_type}"')
    allowed = COMMON_FIELDS | TYPE_FIELDS[entry_type] if codec else ALL_SCHEMA_FIELDS
    for name in sorted(set(data) - allowed):
        check.add(name, f"is not a field of {entry_type}" if codec else "is not a field of any entry type")
    slug = check(text_field, data, "slug", required=True, max_length=255, default="")
    if slug and not SLUG_RE.match(slug):
        check.add("slug", f'"{slug}" must be lower-case letters, digits and single hyphens')
        slug = ""
    locale_code = check(text_field, data, "locale", default="") or "it"
    if locale_code not in locales:
        check.add("locale", f'must be one of {", ".join(sorted(locales))}, not "{locale_code}"')
    locale_id = locales.get(locale_code)
    state = (codec or COMMON).parse(data, vocabulary, locale_id, check)
    if not check.errors:
        for field_name, message in schema_problems(data):
            check.add(field_name, message)
    if check.errors:
        key = (locale_code, slug) if slug and locale_id is not None else None
        raise LineErrors(check.errors, key)
    return entry_type, locale_code, slug, state


def load_existing(slugs_by_locale):
    """Existing entries by (locale code, slug), with what existing_state reads prefetched per type, and the
    keys that name more than one entry."""
    found, duplicates = {}, set()
    for locale_code, slugs in slugs_by_locale.items():
        slugs = sorted(slugs)
        # In batches: SQLite refuses the prefetch queries of thousands of pages at once.
        batches = [slugs[start : start + EXISTING_BATCH] for start in range(0, len(slugs), EXISTING_BATCH)]
        for codec in CODECS.values():
            for batch in batches:
                queryset = codec.model.objects.filter(
                    locale__language_code=locale_code, slug__in=batch
                ).prefetch_related(*codec.prefetch)
                for page in queryset:
                    if (locale_code, page.slug) in found:
                        duplicates.add((locale_code, page.slug))
                    found[(locale_code, page.slug)] = page
    return found, duplicates


def batched(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Tree:
    """The site tree's index pages in each language, looked up once."""

    def __init__(self, tree):
        self.tree = tree
        self.translated = {}

    def index(self, name, locale):
        page = getattr(self.tree, name)
        if page.locale_id == locale.pk:
            return page
        if (name, locale.pk) not in self.translated:
            self.translated[(name, locale.pk)] = page.get_translation(locale)
        return self.translated[(name, locale.pk)]


class LibraryImport:
    def __init__(self, lines, progress=None):
        """`lines`: bytes or str, one JSON object each: a list, or an object that gives them again each time
        it is iterated (a file: see `LinesFile`). `progress(done, total)` is optional."""
        self.raw_lines = lines if iter(lines) is not lines else list(lines)
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport()
        self.records = []
        self._problems = []  # (line, rank, Problem)

    def _problem(self, line, rank, field_name, message):
        self._problems.append((line, rank, Problem(line, field_name, message)))

    def _decoded(self, only=None, report=True):
        """(line number, decoded JSON) of every non-blank line, or of the line numbers in `only`."""
        for number, raw in enumerate(self.raw_lines, start=1):
            if only is not None and number not in only:
                continue
            try:
                text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            except UnicodeDecodeError:
                if report:
                    self._problem(number, PARSE, "(line)", "is not valid UTF-8")
                continue
            text = text.lstrip("\ufeff").strip()
            if not text:
                continue
            try:
                yield number, json.loads(text)
            except (ValueError, RecursionError) as error:
                if not report:
                    continue
                if not isinstance(error, json.JSONDecodeError):  # too deep, or a number too long to convert
                    self._problem(number, PARSE, "(line)", "is not valid JSON: too deeply nested or a number too long")
                else:
                    self._problem(number, PARSE, "(line)", f"is not valid JSON: {error.msg} at column {error.colno}")

    # --- the plan ---------------------------------------------------------------------------------------

    def plan(self):
        """Validate every line and decide what each one will do; writes nothing."""
        self.locales = dict(Locale.objects.values_list("language_code", "id"))
        self.vocabulary = Vocabulary()
        self.translated_parents = {}
        first_line = {}
        for decoded in batched(self._decoded(), EXISTING_BATCH):
            self.vocabulary.load_territories(data for _number, data in decoded)
            parsed = []
            for number, data in decoded:
                key, errors = None, []
                try:
                    entry_type, locale_code, slug, state = parse_line(data, self.vocabulary, self.locales)
                    key = (locale_code, slug)
                except RecursionError:
                    self._problem(number, PARSE, "(line)", "is too deeply nested")
                    continue
                except LineErrors as error:
                    key, errors = error.key, error.errors
                for error in errors:
                    self._problem(number, PARSE, error.field, error.message)
                if key in first_line:
                    self._problem(number, DUPLICATE, "slug", f'"{key[1]}" already appears on line {first_line[key]}')
                    continue
                if key is not None:
                    first_line[key] = number
                if not errors:
                    record = Record(number, entry_type, locale_code, slug)
                    record.links = tuple(record.codec.linked_practices(state))
                    self.records.append(record)
                    parsed.append((record, state))
            self._compare(parsed)
        self._check_links()
        self.report.new_themes = sorted(self.vocabulary.new_themes.values())
        self.report.new_networks = sorted(self.vocabulary.new_networks.values())
        self.report.new_organisations = sorted(self.vocabulary.new_organisations.values())
        self._problems.sort(key=lambda item: item[:2])
        self.report.problems = [problem for _line, _rank, problem in self._problems]
        return self.report

    def _compare(self, parsed):
        """Decide the action of a batch of valid lines against the library."""
        slugs_by_locale = {}
        for record, _state in parsed:
            slugs_by_locale.setdefault(record.locale, set()).add(record.slug)
        existing, ambiguous = load_existing(slugs_by_locale)
        for record, state in parsed:
            missing = self._missing_parent(record, state)
            if missing:
                self._problem(
                    record.line,
                    PARENT,
                    "locale",
                    f'there is no "{record.locale}" translation of the {missing} '
                    "index page yet: translate it in the admin first",
                )
            for field_name, message in self._problems_with_the_library(record, state, existing, ambiguous):
                self._problem(record.line, STORED, field_name, message)

    def _translated_indexes(self, locale_code):
        """Which index pages exist in a non-default language: entries in English go under the English
        translation of the library, which the import does not invent (the default tree it creates)."""
        if locale_code not in self.translated_parents:
            default = Locale.get_default()
            available = None
            if locale_code != default.language_code:
                locale = Locale.objects.get(language_code=locale_code)
                available = {}
                for name, model in INDEX_PAGES.items():
                    original = model.objects.filter(locale=default).first()
                    available[name] = bool(original and original.get_translation_or_none(locale))
            self.translated_parents[locale_code] = available
        return self.translated_parents[locale_code]

    def _missing_parent(self, record, state):
        available = self._translated_indexes(record.locale)
        if available is None:
            return None
        return next((name for name in record.codec.index_pages_needed(state) if not available[name]), None)

    def _problems_with_the_library(self, record, state, existing, ambiguous):
        """Decide the record's action; return every (field, message) that stops it, not only the first."""
        key = (record.locale, record.slug)
        if key in ambiguous:
            return [("slug", f'"{record.slug}" names several entries; rename one of them in the admin')]
        page = existing.get(key)
        if page is None:
            record.action = "create"
            return []
        if page.entry_type_key != record.type:
            # The stored state of another type cannot be compared with this line.
            return [("type", f'"{record.slug}" is already a {page.entry_type_key}, not a {record.type}')]
        problems = list(record.codec.problems_with_stored(page, state))
        record.page_id = page.pk
        record.action = "unchanged" if record.codec.existing_state(page) == state else "update"
        if record.action == "update" and page.has_unpublished_changes and page.live:
            # The import writes on the published page; an editor's pending draft would be lost.
            problems.append(
                (
                    "slug",
                    f'"{record.slug}" has a draft not yet published in the admin: '
                    "publish or discard it before importing",
                )
            )
        return problems

    def _check_links(self):
        """Every linked slug names a good practice of the file or of the library, in the line's language."""
        in_file = {(record.locale, record.slug) for record in self.records if record.type == PRACTICE}
        wanted = {}
        for record in self.records:
            for slug in record.links:
                if (record.locale, slug) not in in_file:
                    wanted.setdefault(record.locale, set()).add(slug)
        stored = set()
        for locale_code, slugs in wanted.items():
            for batch in batched(sorted(slugs), EXISTING_BATCH):
                found = GoodPracticePage.objects.filter(locale__language_code=locale_code, slug__in=batch)
                stored.update((locale_code, slug) for slug in found.values_list("slug", flat=True))
        for record in self.records:
            for slug in record.links:
                if (record.locale, slug) not in in_file and (record.locale, slug) not in stored:
                    self._problem(
                        record.line, LINKS, "practices", f'"{slug}" is not a good practice in this file or the library'
                    )

    # --- writing ----------------------------------------------------------------------------------------

    @transaction.atomic
    def write(self):
        """Write a valid plan in one transaction. Call plan() first."""
        assert self.report.ok, "write() needs a plan without problems"
        tree = Tree(ensure_site_tree())
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        self._create_vocabulary(tree, locales)
        linked = {(self.locales[record.locale], slug) for record in self.records for slug in record.links}
        refs = {
            "sdgs": {s.number: s for s in SDG.objects.all()},
            "themes": {t.slug: t for t in Theme.objects.all()},
            "networks": {(n.locale_id, n.slug): n for n in NetworkPage.objects.all()},
            "organisations": {o.name: o for o in Organisation.objects.all()},
            "territories": self.vocabulary.territories,
            "programmes": {(p.locale_id, p.slug): p for p in TrainingProgrammePage.objects.all()},
            "practices": {},  # (locale id, slug) -> id of the linked practices
        }
        for batch in batched(sorted({slug for _locale, slug in linked}), EXISTING_BATCH):
            for locale_id, slug, pk in GoodPracticePage.objects.filter(slug__in=batch).values_list(
                "locale_id", "slug", "pk"
            ):
                refs["practices"][(locale_id, slug)] = pk
        to_write = {record.line: record for record in self.records if record.action != "unchanged"}
        self.report.unchanged = done = len(self.records) - len(to_write)
        total = len(self.records)
        with indexes_deferred():
            # The types others link to first, so that a case study, module or residency can link a practice
            # of a later line.
            for written_first in (True, False):
                lines = {number for number, record in to_write.items() if record.codec.written_first == written_first}
                for decoded in batched(self._decoded(only=lines, report=False), WRITE_BATCH):
                    pages = self._write_batch(decoded, to_write, tree, locales, refs)
                    for page in pages:
                        if page.entry_type_key == PRACTICE and (page.locale_id, page.slug) in linked:
                            refs["practices"][(page.locale_id, page.slug)] = page.pk
                    index_written(pages)
                    done += len(decoded)
                    self.progress(done, total)
        knowledge_changed()  # the words the search knows (typo correction) include the new entries
        return self.report

    def _write_batch(self, decoded, to_write, tree, locales, refs):
        """Write a batch of lines: updates one by one, new entries in bulk under each parent."""
        states = {}
        for number, data in decoded:
            _type, _locale, _slug, states[number] = parse_line(data, self.vocabulary, self.locales)
        records = [to_write[number] for number, _data in decoded]
        stored, updates = {}, {}
        for record in records:
            if record.action == "update":
                updates.setdefault(record.codec, []).append(record.page_id)
        for codec, ids in updates.items():
            pages = codec.model.objects.filter(pk__in=ids).prefetch_related(*codec.prefetch)
            stored.update((page.pk, page) for page in pages)
        written, new_pages = [], {}
        for record in records:
            codec, state, locale = record.codec, states[record.line], locales[record.locale]
            if record.action == "create":
                page = codec.model(slug=record.slug, locale=locale)
                codec.write(page, state, refs)
                parent = codec.parent(tree, state, locale, refs)
                new_pages.setdefault((type(page), parent.pk), (parent, []))[1].append(page)
                self.report.created += 1
            else:
                page = stored[record.page_id]
                codec.write(page, state, refs)
                if page.live:
                    publish(page)
                else:
                    # Unpublished by an editor: update it, keep it offline (as the admin does, row and revision).
                    page.save()
                    page.save_revision(log_action=True)
                written.append(page)
                self.report.updated += 1
        for parent, pages in new_pages.values():
            create_published(parent, pages)
            written.extend(pages)
        return written

    def _create_vocabulary(self, tree, locales):
        Theme.objects.bulk_create([Theme(slug=slug, name_it=name) for slug, name in self.vocabulary.new_themes.items()])
        for name in self.vocabulary.new_organisations.values():
            Organisation.objects.create(name=name)  # one by one: save signals index them for the admin
        languages = {locale.pk: locale for locale in locales.values()}
        for (locale_id, slug), title in self.vocabulary.new_networks.items():
            network = NetworkPage(title=title, slug=slug, locale_id=locale_id)
            tree.index("networks", languages[locale_id]).add_child(instance=network)
            publish(network)


class LinesFile:
    """The lines of a seekable binary file, read again from the start each time they are iterated, so that
    an import of 100,000 lines never holds them all."""

    def __init__(self, handle):
        self.handle = handle

    def __iter__(self):
        self.handle.seek(0)
        return iter(self.handle)
