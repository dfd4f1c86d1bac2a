"""Library entries as plain data: one record per entry, with its taxonomy by stable keys (goal numbers, ISTAT
codes, theme slugs, network slugs), labels in the reader's language with the fallback marked, related entries
as ids with URLs, images as rendition URLs and documents only through Wagtail's view, never a /media/ path.

The API (config/api.py through practices/api_fields.py), the exports, the feeds and OAI-PMH all read these
records, so they say the same thing. `build_records` loads a whole batch of entries in a fixed number of
queries whatever its size: the API's query count is flat in the page size, and an export streams in chunks.
"""

from collections import defaultdict

from django.db.models import Prefetch, Q
from django.utils import translation
from wagtail.api.rich_text import APIRichText
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction, Page

from core.visibility import public_pages, visible
from practices.models import (
    ENTRY_TYPES,
    CaseStudyPractice,
    EntryOrganisation,
    EntryTerritory,
    GoodPracticePage,
    LibraryEntry,
    ModulePractice,
    ResidencyPage,
    ResidencyPractice,
    TrainingModulePage,
)

# Renditions offered for an entry's hero image (the sizes the site itself makes) and for images in its body.
HERO_RENDITIONS = {"large": "fill-1200x630", "small": "fill-400x210"}
BODY_RENDITION = "width-960"


def entry_prefetches():
    """What a batch prefetches for the common part of a record: one query per relation, the places with
    their territories and the promoters with theirs joined in."""
    return (
        "sdgs",
        "themes",
        "networks",
        Prefetch("territory_links", queryset=EntryTerritory.objects.select_related("territory")),
        Prefetch("organisation_links", queryset=EntryOrganisation.objects.select_related("organisation__territory")),
    )


# Links from an entry to the good practices it documents, teaches or visits, by the entry type they belong to.
FORWARD_LINKS = {"case_study": CaseStudyPractice, "training_module": ModulePractice, "residency": ResidencyPractice}
# The same links read backwards from a practice: the key in `related` they fill.
REVERSE_LINKS = {"case_studies": CaseStudyPractice, "modules": ModulePractice, "residencies": ResidencyPractice}


def entries_for_records(queryset):
    """`queryset` with what every record needs selected or prefetched (for exports streamed by chunks)."""
    # The body and attachments are not exported: only key figures, a small StreamField, are read.
    # defer(None) first: a listing's queryset defers every StreamField, key figures included.
    return (
        queryset.defer(None)
        .defer("body", "resources")
        .select_related("locale", "content_type")
        .prefetch_related(None)  # a listing's own (its cards') are among these
        .prefetch_related(*entry_prefetches())
    )


def _hero_prefetch():
    return Prefetch("hero_image", queryset=get_image_model().objects.prefetch_renditions(*HERO_RENDITIONS.values()))


def label(obj, field, language):
    """(text, language of the text): the English label when asked for and filled in, else the Italian one."""
    if language == "en":
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english, "en"
    return getattr(obj, f"{field}_it"), "it"


def _labelled(text, text_language, language):
    """The language a label is in, and whether it is a fallback (the reader's language had no label)."""
    return {"language": text_language, "fallback": text_language != language}


def restricted_collection_ids():
    """Collections the public may not read (any view restriction, on them or an ancestor): their documents
    are left out of every record. Two queries, once per batch."""
    from wagtail.models import Collection

    paths = list(
        Collection.objects.filter(pk__in=CollectionViewRestriction.objects.values("collection_id")).values_list(
            "path", flat=True
        )
    )
    if not paths:
        return set()
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    return set(Collection.objects.filter(inside).values_list("pk", flat=True))


class RecordBuilder:
    """Builds the records of a batch of entries. `language` is the reader's ("it", "en"); None means each
    entry's own. `request` makes URLs absolute (the site's base URL otherwise). `content=True` adds what only
    the API serves: the body, the good-practice sections, the type-specific fields, attachments and related
    entries."""

    def __init__(self, request=None, language=None, content=False, images=True):
        self.request = request
        self.language = language
        self.content = content
        # Exports leave images out: a rendition missing for 10,000 entries would be made during the download.
        self.images = images

    # --- helpers -----------------------------------------------------------------------------------------

    def absolute(self, url):
        if not url:
            return url
        if url.startswith(("http://", "https://")):
            return url
        if self.request is not None:
            return self.request.build_absolute_uri(url)
        from django.conf import settings

        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url

    def page_url(self, page):
        return self.absolute(page.get_url(self.request))

    def api_url(self, page):
        return self.absolute(f"/api/v2/pages/{page.pk}/")

    def reader_language(self, entry):
        return self.language or entry.locale.language_code

    # --- batch loading -----------------------------------------------------------------------------------

    def build(self, entries):
        """{entry pk: record} for `entries` (LibraryEntry instances, specific or not)."""
        entries = list(entries)
        if not entries:
            return {}
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(
            entries, "locale", "content_type", *entry_prefetches(), *([_hero_prefetch()] if self.images else [])
        )
        from wagtail.models import Locale

        self.locale_codes = dict(Locale.objects.values_list("pk", "language_code"))
        self.locale_pks = {code: pk for pk, code in self.locale_codes.items()}
        networks = self._networks_in_language(entries)
        records = {}
        for entry in entries:
            with translation.override(self.reader_language(entry)):
                records[entry.pk] = self._common(entry, networks)
        if self.content:
            self._add_content(entries, records)
        return records

    def _networks_in_language(self, entries):
        """{(network pk, reader language): shown item} for every public network the entries link to: one query
        per reader language. Entries link to the networks' Italian pages (wagtail-localize copies page links)."""
        by_language = defaultdict(dict)
        for entry in entries:
            for network in entry.networks.all():
                by_language[self.reader_language(entry)][network.pk] = network
        resolved = {}
        for language, networks in by_language.items():
            for pk, page in zip(networks, self.in_language(list(networks.values()), language), strict=True):
                if page is not None:
                    resolved[(pk, language)] = page
        return resolved

    def in_language(self, pages, language):
        """Each of `pages` in `language` when it has a public translation there, else itself when public (its
        `language` then tells the fallback), else None. One query for the whole list."""
        if not pages:
            return []
        locale_pk = self.locale_pks.get(language)
        keys = {page.translation_key for page in pages}
        shown = visible(Page.objects.filter(translation_key__in=keys)).filter(
            Q(locale_id=locale_pk) | Q(pk__in=[page.pk for page in pages])
        )
        translations, public_ids = {}, set()
        for candidate in shown:
            public_ids.add(candidate.pk)
            if candidate.locale_id == locale_pk:
                translations[candidate.translation_key] = candidate
        result = []
        for page in pages:
            if page.locale_id == locale_pk:
                result.append(page if page.pk in public_ids else None)
            elif page.translation_key in translations:
                result.append(translations[page.translation_key])
            else:
                result.append(page if page.pk in public_ids else None)
        return result

    def page_item(self, page, language):
        """A linked page as the records show it: id, title, addresses, and the language it is shown in."""
        shown_language = self.locale_codes.get(page.locale_id, "")
        return {
            "id": page.pk,
            "title": page.title,
            "url": self.page_url(page),
            "api_url": self.api_url(page),
            "language": shown_language,
            "fallback": shown_language != language,
        }

    # --- the common part ---------------------------------------------------------------------------------

    def _common(self, entry, networks):
        language = self.reader_language(entry)
        entry_type = entry.specific_class.entry_type_key
        record = {
            "id": entry.pk,
            "type": entry_type,
            "type_label": str(entry.specific_class._meta.verbose_name),
            "title": entry.title,
            "summary": entry.summary,
            "language": entry.locale.language_code,
            "in_other_language": entry.locale.language_code != language,
            "url": self.page_url(entry),
            "api_url": self.api_url(entry),
            "first_published_at": entry.first_published_at,
            "last_published_at": entry.last_published_at,
            "year": entry.year,
            "end_year": entry.end_year,
            "status": entry.status,
            "status_label": str(entry.get_status_display()) if entry.status else "",
        }
        sdgs = []
        for sdg in entry.sdgs.all():
            name, name_language = label(sdg, "short", language)
            title, _title_language = label(sdg, "title", language)
            sdgs.append(
                {"number": sdg.number, "name": name, "title": title, "colour": sdg.colour}
                | _labelled(name, name_language, language)
            )
        record["sdgs"] = sorted(sdgs, key=lambda item: item["number"])
        record["territories"] = [self._territory(link.territory, language) for link in entry.territory_links.all()]
        themes = []
        for theme in entry.themes.all():
            name, name_language = label(theme, "name", language)
            themes.append({"slug": theme.slug, "name": name} | _labelled(name, name_language, language))
        record["themes"] = sorted(themes, key=lambda item: item["slug"])
        record["networks"] = [
            {"slug": network.slug} | self.page_item(networks[(network.pk, language)], language)
            for network in entry.networks.all()
            if (network.pk, language) in networks  # a draft or restricted network is not announced
        ]
        record["organisations"] = [
            {
                "name": link.organisation.name,
                "type": link.organisation.type,
                "type_label": str(link.organisation.get_type_display()),
                "role": link.role,
                "website": link.organisation.website,
                "territory": link.organisation.territory.code if link.organisation.territory else None,
            }
            for link in entry.organisation_links.all()
        ]
        record["key_figures"] = [
            {"value": item["value"].get("value", ""), "label": item["value"].get("label", "")}
            for item in _raw(entry, "key_figures")
        ]
        # The referent's address is published only with their consent (contact_email_public), as on the page;
        # otherwise visitors write through the contact form and the address stays the editors'.
        email = entry.contact_email if entry.contact_email_public else ""
        record["contact"] = {"name": entry.contact_name, "email": email, "url": entry.contact_url}
        if self.images:
            record["hero_image"] = self._hero(entry.hero_image) if entry.hero_image_id and entry.hero_image else None
        return record

    def _territory(self, territory, language):
        english = language == "en" and bool(territory.name_en)
        return {
            "code": territory.code,
            "level": territory.level,
            "name": territory.name_en if english else territory.name,
            "name_other": territory.name_other,
            "language": "en" if english else "it",
            "fallback": language == "en" and not territory.name_en,
            "macroarea_code": territory.macroarea_code,
            "region_code": territory.region_code,
            "province_code": territory.province_code,
            "latitude": territory.latitude,
            "longitude": territory.longitude,
        }

    def _hero(self, image):
        renditions = {}
        for name, spec in HERO_RENDITIONS.items():
            rendition = image.get_rendition(spec)
            renditions[name] = {
                "url": self.absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
            }
        return {"id": image.pk, "title": image.title, "renditions": renditions}

    # --- content: body, sections, type-specific fields, attachments, related entries -------------------------

    def _add_content(self, entries, records):
        specific = self._specific(entries)
        images = self._body_images(specific.values())
        documents = self._documents(specific.values())
        related = self._related(specific.values())
        for entry in entries:
            page = specific[entry.pk]
            language = self.reader_language(entry)
            record = records[entry.pk]
            with translation.override(language):
                record["body"] = [self._block(block, images) for block in _raw(page, "body")]
                record["resources"] = [
                    item for item in (self._resource(block, documents) for block in _raw(page, "resources")) if item
                ]
                record.update(self._type_fields(page, language))
            record["related"] = related.get(entry.pk, {})

    def _specific(self, entries):
        """{pk: specific instance}, reusing the entries that already are; one query per other type."""
        specific = {entry.pk: entry for entry in entries if type(entry) is not LibraryEntry}
        missing = defaultdict(list)
        for entry in entries:
            if entry.pk not in specific:
                missing[entry.specific_class].append(entry.pk)
        for model, ids in missing.items():
            queryset = model.objects.filter(pk__in=ids)
            if model is ResidencyPage:
                queryset = queryset.select_related("city", "host_network")
            for page in queryset:
                specific[page.pk] = page
        for entry in entries:
            page = specific[entry.pk]
            if page is not entry:  # share what the batch prefetched and resolved
                page.locale = entry.locale
        residencies = [page for page in specific.values() if isinstance(page, ResidencyPage)]
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(residencies, "city", "host_network")
        modules = [page for page in specific.values() if isinstance(page, TrainingModulePage)]
        parent_paths = {module.path[: -module.steplen] for module in modules}
        self.programmes = (
            {page.path: page for page in public_pages(Page, None).filter(path__in=parent_paths)} if modules else {}
        )
        return specific

    def _body_images(self, pages):
        ids = {
            block["value"].get("image")
            for page in pages
            for block in _raw(page, "body")
            if block["type"] == "image" and isinstance(block.get("value"), dict)
        } - {None}
        if not ids:
            return {}
        images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions(BODY_RENDITION)
        result = {}
        for image in images:
            rendition = image.get_rendition(BODY_RENDITION)
            result[image.pk] = {
                "id": image.pk,
                "title": image.title,
                "url": self.absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
            }
        return result

    def _documents(self, pages):
        ids = {
            block["value"].get("document")
            for page in pages
            for block in _raw(page, "resources")
            if block["type"] == "document" and isinstance(block.get("value"), dict)
        } - {None}
        if not ids:
            return {}
        documents = get_document_model().objects.filter(pk__in=ids).exclude(collection__in=restricted_collection_ids())
        # doc.url is Wagtail's serve view (WAGTAILDOCS_SERVE_METHOD = "serve_view"), which checks the
        # collection's restriction again at download time: never the file's /media/ address.
        return {doc.pk: doc for doc in documents}

    def _block(self, block, images):
        kind, value = block["type"], block.get("value")
        if kind == "paragraph":
            rich_text_format = self.request.GET.get("rich_text_format") if self.request is not None else None
            try:
                value = APIRichText.serialize(value or "", format=APIRichText.resolve_format(rich_text_format))
            except Exception:  # an unknown format: the API view answers 400 before serializing
                value = value or ""
        elif kind == "image" and isinstance(value, dict):
            value = {
                "image": images.get(value.get("image")),
                "caption": value.get("caption", ""),
                "alt_text": value.get("alt_text", ""),
            }
        return {"type": kind, "value": value}

    def _resource(self, block, documents):
        value = block.get("value") or {}
        if block["type"] == "document":
            document = documents.get(value.get("document"))
            if document is None:
                return None  # a restricted (or deleted) document is not announced
            return {
                "type": "document",
                "title": value.get("title") or document.title,
                "url": self.absolute(document.url),
                "file_extension": document.file_extension,
            }
        if block["type"] == "link":
            return {"type": "link", "title": value.get("title", ""), "url": value.get("url", "")}
        return None

    def _type_fields(self, page, language):
        if isinstance(page, GoodPracticePage):
            return {"sections": {name: getattr(page, name) for name, _label in GoodPracticePage.SECTIONS}}
        if isinstance(page, TrainingModulePage):
            programme = self.programmes.get(page.path[: -page.steplen])
            return {
                "number": page.number,
                "macro_action": page.macro_action,
                "hub": page.hub,
                "format": page.format,
                "duration": page.duration,
                "objectives": page.objective_list(),
                "sessions": [
                    {
                        "date": item["value"].get("date"),
                        "title": item["value"].get("title", ""),
                        "place": item["value"].get("place", ""),
                    }
                    for item in _raw(page, "sessions")
                ],
                "programme": {"id": programme.pk, "title": programme.title, "url": self.page_url(programme)}
                if programme
                else None,
            }
        if isinstance(page, ResidencyPage):
            host = None
            if page.host_network_id and page.host_network:
                host = {"slug": page.host_network.slug, "title": page.host_network.title}
            return {
                "city": self._territory(page.city, language) if page.city_id else None,
                "start_date": page.start_date,
                "end_date": page.end_date,
                "host_network": host,
                "programme": [
                    {
                        "date": item["value"].get("date"),
                        "title": item["value"].get("title", ""),
                        "description": item["value"].get("description", ""),
                    }
                    for item in _raw(page, "programme")
                ],
                "participants": page.participants,
                "participants_count": page.participants_count,
            }
        return {}

    def _related(self, pages):
        """{entry pk: {"practices": [...], "case_studies": [...], "modules": [...], "residencies": [...]}}, each
        item an entry in the reader's language when translated (else the original, marked), public only."""
        related = defaultdict(lambda: defaultdict(list))
        pages = list(pages)
        by_language = defaultdict(list)
        # Forward: what a case study documents, a module teaches, a residency visits.
        for key, model in FORWARD_LINKS.items():
            sources = [page for page in pages if page.specific_class.entry_type_key == key]
            if not sources:
                continue
            links = (
                model.objects.filter(page__in=[page.pk for page in sources])
                .select_related("practice")
                .order_by("page_id", "sort_order")
            )
            language_of = {page.pk: self.reader_language(page) for page in sources}
            for link in links:
                by_language[language_of[link.page_id]].append((link.page_id, "practices", link.practice, link.note))
        # Backward: the case studies, modules and residencies that point at a practice, from any language.
        practices = [page for page in pages if isinstance(page, GoodPracticePage)]
        if practices:
            keyed = defaultdict(list)
            for practice in practices:
                keyed[practice.translation_key].append(practice)
            public_ids = public_pages(Page, None).values("pk")
            for key, model in REVERSE_LINKS.items():
                links = (
                    model.objects.filter(practice__translation_key__in=list(keyed), page__in=public_ids)
                    .select_related("page", "practice")
                    .order_by("page__title", "pk")
                )
                for practice in practices:
                    language = self.reader_language(practice)
                    chosen = {}
                    for link in links:
                        if link.practice.translation_key != practice.translation_key:
                            continue
                        linking = link.page.translation_key
                        if linking not in chosen or link.page.locale_id == practice.locale_id:
                            chosen[linking] = link
                    for link in chosen.values():
                        by_language[language].append((practice.pk, key, link.page, ""))
        for language, items in by_language.items():
            shown = self.in_language([page for _pk, _key, page, _note in items], language)
            for (pk, key, _page, note), page in zip(items, shown, strict=True):
                if page is None:
                    continue
                item = {"type": getattr(page.specific_class, "entry_type_key", None)} | self.page_item(page, language)
                if note:
                    item["note"] = note
                related[pk][key].append(item)
        return {pk: dict(groups) for pk, groups in related.items()}


def _raw(page, field):
    """The stored blocks of a StreamField, without loading the objects they point at (images, documents):
    those are loaded for the whole batch at once. Deferred StreamFields are read with one query per entry,
    so callers that need them pass entries whose StreamFields were not deferred."""
    value = getattr(page, field)
    return list(value.raw_data) if value is not None else []


def build_records(entries, request=None, language=None, content=False):
    return RecordBuilder(request=request, language=language, content=content).build(entries)


def entry_types():
    return list(ENTRY_TYPES)
