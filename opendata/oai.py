"""OAI-PMH 2.0 at /oai/, for digital-library aggregators: the six verbs, Dublin Core (oai_dc) for every public
entry of every language, sets per entry type, goal and region, resumption tokens, deleted records (see
tracking.py) and the protocol's error codes. http://www.openarchives.org/OAI/openarchivesprotocol.html

Every record comes from `core.visibility`: drafts and restricted entries are never listed, and a
deleted record is announced only for an entry that was public once. Identifiers are
`oai:<OAI_REPOSITORY_IDENTIFIER>:<page id>`: page ids never change and are never reused.
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import DateTimeField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.visibility import public_pages
from practices.models import ENTRY_TYPES, SDG, EntryTerritory, LibraryEntry, Territory

from .licence import licence
from .models import HarvestRecord
from .ratelimit import over_limit
from .records import build_records

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
for prefix, uri in (("", OAI_NS), ("xsi", XSI_NS), ("oai_dc", OAI_DC_NS), ("dc", DC_NS), ("oai-identifier", ID_NS)):
    ET.register_namespace(prefix, uri)

METADATA_FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
}
VERB_ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# XML 1.0 cannot carry these characters at all, escaped or not.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TOKEN_SALT = "opendata.oai.resumption"
TOKEN_AGE = timedelta(hours=24)


class OAIError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def page_size():
    return getattr(settings, "OAI_PAGE_SIZE", 100)


def repository_identifier(request):
    configured = getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "")
    return configured or request.get_host().split(":")[0]


def oai_identifier(request, page_id):
    return f"oai:{repository_identifier(request)}:{page_id}"


def page_id_of(request, identifier):
    prefix = f"oai:{repository_identifier(request)}:"
    rest = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not rest.isdigit() or len(rest) > 18:
        raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
    return int(rest)


def datestamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(value):
    return NOT_XML.sub("", str(value)) if value is not None else ""


# --- sets ----------------------------------------------------------------------------------------------------


def all_sets():
    """(spec, name) of every set, parents first."""
    with translation.override(settings.LANGUAGE_CODE):
        sets = [("type", "Tipo di voce")]
        sets += [
            (f"type:{key}", str(model._meta.verbose_name_plural).capitalize()) for key, model in ENTRY_TYPES.items()
        ]
        sets.append(("sdg", "Obiettivi di sviluppo sostenibile"))
        sets += [(f"sdg:{sdg.number}", f"Obiettivo {sdg.number}. {sdg.short_it}") for sdg in SDG.objects.all()]
        sets.append(("region", "Regioni"))
        sets += [
            (f"region:{code}", name)
            for code, name in Territory.objects.filter(level="region").values_list("code", "name")
        ]
    return sets


def filter_by_set(entries, spec):
    kind, _, value = spec.partition(":")
    if kind == "type":
        if not value:
            return entries
        from django.contrib.contenttypes.models import ContentType

        return entries.filter(content_type=ContentType.objects.get_for_model(ENTRY_TYPES[value]))
    through = LibraryEntry.sdgs.through.objects
    if kind == "sdg":
        links = through.all() if not value else through.filter(sdg__number=int(value))
        return entries.filter(pk__in=links.values("libraryentry_id"))
    links = EntryTerritory.objects.exclude(territory__region_code="")
    if value:
        links = links.filter(territory__region_code=value)
    return entries.filter(pk__in=links.values("page_id"))


def check_set(spec):
    if spec not in {known for known, _name in all_sets()}:
        raise OAIError("badArgument", f"There is no set {spec[:60]!r}; ListSets lists them.")


# --- records -------------------------------------------------------------------------------------------------


def live_entries():
    """Every public entry, in every language, with its OAI datestamp: the HarvestRecord's when it came back
    (a lifted restriction), else its last publication."""
    returned = HarvestRecord.objects.filter(page_id=OuterRef("pk"), deleted=False).values("datestamp")[:1]
    return public_pages(LibraryEntry, None).annotate(
        oai_datestamp=Coalesce(
            Subquery(returned, output_field=DateTimeField()),
            "last_published_at",
            "first_published_at",
            Value(EPOCH, output_field=DateTimeField()),
        )
    )


def deleted_records():
    public = public_pages(LibraryEntry, None).values("pk")
    return HarvestRecord.objects.filter(deleted=True).exclude(page_id__in=public)


def parse_date(value, name, end=False):
    if DAY.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise OAIError("badArgument", f"{name} is not a date") from None
        return ("day", day + timedelta(days=1) - timedelta(microseconds=1) if end else day)
    if SECOND.match(value):
        try:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise OAIError("badArgument", f"{name} is not a date") from None
        return ("second", moment + timedelta(seconds=1) - timedelta(microseconds=1) if end else moment)
    raise OAIError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


class Repository:
    def __init__(self, request):
        self.request = request

    # --- the response envelope ---------------------------------------------------------------------------

    def envelope(self, arguments, verb=None):
        root = ET.Element(f"{{{OAI_NS}}}OAI-PMH")
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        ET.SubElement(root, f"{{{OAI_NS}}}responseDate").text = datestamp(timezone.now())
        request_element = ET.SubElement(root, f"{{{OAI_NS}}}request")
        request_element.text = self.base_url()
        if verb:  # with a bad verb or bad arguments the request element carries no attributes
            for name, value in arguments.items():
                request_element.set(name, text(value))
        return root

    def base_url(self):
        return self.request.build_absolute_uri("/oai/")

    def respond(self, root):
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        response = HttpResponse(body, content_type="text/xml; charset=utf-8")
        response["X-Robots-Tag"] = "noindex"
        return response

    def error(self, arguments, verb, errors):
        root = self.envelope(arguments, verb)
        for code, message in errors:
            element = ET.SubElement(root, f"{{{OAI_NS}}}error", code=code)
            element.text = message
        return self.respond(root)

    # --- dispatch ----------------------------------------------------------------------------------------

    def handle(self, params):
        repeated = [name for name, values in params.lists() if len(values) > 1]
        arguments = {name: params.get(name) for name in params}
        verb = arguments.get("verb")
        if verb not in VERB_ARGUMENTS:
            return self.error({}, None, [("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")])
        if repeated:
            return self.error({}, None, [("badArgument", f"Repeated argument: {', '.join(repeated)}.")])
        given = set(arguments) - {"verb"}
        required, optional = VERB_ARGUMENTS[verb]
        errors = []
        if "resumptionToken" in given and given != {"resumptionToken"}:
            errors.append(("badArgument", "resumptionToken is an exclusive argument."))
        elif "resumptionToken" not in given:
            missing = required - given
            if missing:
                errors.append(("badArgument", f"Missing argument: {', '.join(sorted(missing))}."))
        unknown = given - required - optional
        if unknown:
            errors.append(("badArgument", f"Illegal argument: {', '.join(sorted(u[:40] for u in unknown))}."))
        if any("\x00" in value for value in arguments.values()):
            errors.append(("badArgument", "Arguments may not contain NUL characters."))
        if errors:
            return self.error({}, None, errors)
        try:
            return getattr(self, verb)(arguments)
        except OAIError as error:
            return self.error(arguments, verb, [(error.code, error.message)])

    # --- verbs -------------------------------------------------------------------------------------------

    def Identify(self, arguments):  # noqa: N802  (the protocol's names)
        root = self.envelope(arguments, "Identify")
        identify = ET.SubElement(root, f"{{{OAI_NS}}}Identify")
        earliest = live_entries().order_by("oai_datestamp").values_list("oai_datestamp", flat=True).first()
        deleted = deleted_records().order_by("datestamp").values_list("datestamp", flat=True).first()
        earliest = min(filter(None, [earliest, deleted]), default=EPOCH)
        admins = getattr(settings, "OAI_ADMIN_EMAILS", None) or [
            settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip()
        ]
        for name, value in (
            ("repositoryName", getattr(settings, "OAI_REPOSITORY_NAME", settings.WAGTAIL_SITE_NAME)),
            ("baseURL", self.base_url()),
            ("protocolVersion", "2.0"),
            *(("adminEmail", email) for email in admins),
            ("earliestDatestamp", datestamp(earliest)),
            ("deletedRecord", "persistent"),
            ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
        ):
            ET.SubElement(identify, f"{{{OAI_NS}}}{name}").text = value
        description = ET.SubElement(identify, f"{{{OAI_NS}}}description")
        scheme = ET.SubElement(
            description,
            f"{{{ID_NS}}}oai-identifier",
            {f"{{{XSI_NS}}}schemaLocation": f"{ID_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"},
        )
        for name, value in (
            ("scheme", "oai"),
            ("repositoryIdentifier", repository_identifier(self.request)),
            ("delimiter", ":"),
            ("sampleIdentifier", oai_identifier(self.request, 123)),
        ):
            ET.SubElement(scheme, f"{{{ID_NS}}}{name}").text = value
        return self.respond(root)

    def ListMetadataFormats(self, arguments):  # noqa: N802
        if "identifier" in arguments:
            self.find(arguments["identifier"])
        root = self.envelope(arguments, "ListMetadataFormats")
        formats = ET.SubElement(root, f"{{{OAI_NS}}}ListMetadataFormats")
        for prefix, (schema, namespace) in METADATA_FORMATS.items():
            element = ET.SubElement(formats, f"{{{OAI_NS}}}metadataFormat")
            ET.SubElement(element, f"{{{OAI_NS}}}metadataPrefix").text = prefix
            ET.SubElement(element, f"{{{OAI_NS}}}schema").text = schema
            ET.SubElement(element, f"{{{OAI_NS}}}metadataNamespace").text = namespace
        return self.respond(root)

    def ListSets(self, arguments):  # noqa: N802
        if "resumptionToken" in arguments:
            raise OAIError("badResumptionToken", "ListSets is answered in one response: no token is valid.")
        root = self.envelope(arguments, "ListSets")
        element = ET.SubElement(root, f"{{{OAI_NS}}}ListSets")
        for spec, name in all_sets():
            item = ET.SubElement(element, f"{{{OAI_NS}}}set")
            ET.SubElement(item, f"{{{OAI_NS}}}setSpec").text = spec
            ET.SubElement(item, f"{{{OAI_NS}}}setName").text = name
        return self.respond(root)

    def GetRecord(self, arguments):  # noqa: N802
        self.check_format(arguments["metadataPrefix"])
        entry, deleted = self.find(arguments["identifier"])
        root = self.envelope(arguments, "GetRecord")
        element = ET.SubElement(root, f"{{{OAI_NS}}}GetRecord")
        if entry is not None:
            records = build_records([entry], self.request)
            self.record(element, entry, records[entry.pk])
        else:
            self.deleted_record(element, deleted, with_metadata_slot=True)
        return self.respond(root)

    def ListIdentifiers(self, arguments):  # noqa: N802
        return self.listing(arguments, "ListIdentifiers", headers_only=True)

    def ListRecords(self, arguments):  # noqa: N802
        return self.listing(arguments, "ListRecords", headers_only=False)

    # --- helpers -----------------------------------------------------------------------------------------

    def check_format(self, prefix):
        if prefix not in METADATA_FORMATS:
            raise OAIError("cannotDisseminateFormat", f"This repository offers only: {', '.join(METADATA_FORMATS)}.")

    def find(self, identifier):
        """(entry, None) for a public entry, (None, HarvestRecord) for a deleted one, else idDoesNotExist."""
        page_id = page_id_of(self.request, identifier)
        entry = live_entries().filter(pk=page_id).first()
        if entry is not None:
            return entry, None
        deleted = deleted_records().filter(page_id=page_id).first()
        if deleted is None:
            raise OAIError("idDoesNotExist", "No item has this identifier in this repository.")
        return None, deleted

    def selection(self, query):
        """(live entries, deleted records) for a list request's from, until and set."""
        live, deleted = live_entries(), deleted_records()
        granularity = None
        if query.get("from"):
            granularity, start = parse_date(query["from"], "from")
            live = live.filter(oai_datestamp__gte=start)
            deleted = deleted.filter(datestamp__gte=start)
        if query.get("until"):
            until_granularity, end = parse_date(query["until"], "until", end=True)
            if granularity and until_granularity != granularity:
                raise OAIError("badArgument", "from and until must have the same granularity.")
            if query.get("from") and end < parse_date(query["from"], "from")[1]:
                raise OAIError("badArgument", "until is earlier than from.")
            live = live.filter(oai_datestamp__lte=end)
            deleted = deleted.filter(datestamp__lte=end)
        if query.get("set"):
            check_set(query["set"])
            live = filter_by_set(live, query["set"])
            spec = query["set"]
            deleted = deleted.filter(sets__contains=f" {spec} " if ":" in spec else f" {spec}:")
        return live, deleted

    def listing(self, arguments, verb, headers_only):
        if "resumptionToken" in arguments:
            state = self.read_token(arguments["resumptionToken"], verb)
        else:
            self.check_format(arguments["metadataPrefix"])
            state = {
                "query": {
                    key: arguments[key] for key in ("metadataPrefix", "from", "until", "set") if key in arguments
                },
                "phase": "live",
                "after": None,
                "cursor": 0,
            }
        live, deleted = self.selection(state["query"])
        if "total" not in state:
            state["total"] = live.count() + deleted.count()
            if not state["total"]:
                raise OAIError("noRecordsMatch", "No record matches these arguments.")
        size = page_size()
        items = []
        if state["phase"] == "live":
            entries = live.order_by("oai_datestamp", "pk")
            if state["after"]:
                moment, pk = datetime.fromisoformat(state["after"][0]), state["after"][1]
                entries = entries.filter(Q(oai_datestamp__gt=moment) | Q(oai_datestamp=moment, pk__gt=pk))
            batch = list(entries[: size + 1])
            items = [("live", entry) for entry in batch[:size]]
            if len(batch) > size:
                last = batch[size - 1]
                state["after"] = [last.oai_datestamp.isoformat(), last.pk]
            else:
                state["phase"], state["after"] = "deleted", None
        if state["phase"] == "deleted" and len(items) < size:
            rows = deleted.order_by("datestamp", "page_id")
            if state["after"]:
                moment, pk = datetime.fromisoformat(state["after"][0]), state["after"][1]
                rows = rows.filter(Q(datestamp__gt=moment) | Q(datestamp=moment, page_id__gt=pk))
            room = size - len(items)
            batch = list(rows[: room + 1])
            items += [("deleted", row) for row in batch[:room]]
            if len(batch) > room:
                last = batch[room - 1]
                state["after"] = [last.datestamp.isoformat(), last.page_id]
            else:
                state["phase"] = "done"
        root = self.envelope(arguments, verb)
        element = ET.SubElement(root, f"{{{OAI_NS}}}{verb}")
        live_entries_in_page = [item for kind, item in items if kind == "live"]
        records = {} if headers_only else build_records(live_entries_in_page, self.request)
        sets = self.sets_of(live_entries_in_page) if headers_only else {}
        for kind, item in items:
            if kind == "live":
                if headers_only:
                    self.header(element, item.pk, item.oai_datestamp, sets[item.pk])
                else:
                    self.record(element, item, records[item.pk])
            else:
                self.deleted_record(element, item, with_metadata_slot=not headers_only)
        state["cursor"] += len(items)
        token = ET.SubElement(element, f"{{{OAI_NS}}}resumptionToken")
        token.set("completeListSize", str(state["total"]))
        token.set("cursor", str(state["cursor"] - len(items)))
        if state["phase"] != "done":
            token.set("expirationDate", datestamp(timezone.now() + TOKEN_AGE))
            token.text = signing.dumps(state | {"verb": verb}, salt=TOKEN_SALT, compress=True)
        return self.respond(root)

    def read_token(self, token, verb):
        try:
            state = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_AGE)
        except signing.BadSignature:
            raise OAIError("badResumptionToken", "The resumption token is invalid or has expired.") from None
        if not isinstance(state, dict) or state.get("verb") != verb:
            raise OAIError("badResumptionToken", "The resumption token belongs to another request.")
        return state

    def sets_of(self, entries):
        """{pk: [set spec, ...]} for a page of live entries: three queries for the whole page."""
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(entries, "sdgs", "territory_links__territory")
        sets = {}
        for entry in entries:
            specs = [f"type:{entry.specific_class.entry_type_key}"]
            specs += [f"sdg:{sdg.number}" for sdg in sorted(entry.sdgs.all(), key=lambda sdg: sdg.number)]
            regions = sorted({link.territory.region_code for link in entry.territory_links.all()} - {""})
            specs += [f"region:{code}" for code in regions]
            sets[entry.pk] = specs
        return sets

    def header(self, parent, page_id, moment, specs, deleted=False):
        header = ET.SubElement(parent, f"{{{OAI_NS}}}header")
        if deleted:
            header.set("status", "deleted")
        ET.SubElement(header, f"{{{OAI_NS}}}identifier").text = oai_identifier(self.request, page_id)
        ET.SubElement(header, f"{{{OAI_NS}}}datestamp").text = datestamp(moment)
        for spec in specs:
            ET.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec
        return header

    def deleted_record(self, parent, row, with_metadata_slot):
        target = ET.SubElement(parent, f"{{{OAI_NS}}}record") if with_metadata_slot else parent
        self.header(target, row.page_id, row.datestamp, row.sets.split(), deleted=True)

    def record(self, parent, entry, record):
        element = ET.SubElement(parent, f"{{{OAI_NS}}}record")
        moment = getattr(entry, "oai_datestamp", None) or entry.last_published_at or EPOCH
        self.header(element, entry.pk, moment, self.specs(record))
        metadata = ET.SubElement(element, f"{{{OAI_NS}}}metadata")
        dc = ET.SubElement(
            metadata,
            f"{{{OAI_DC_NS}}}dc",
            {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"},
        )
        for name, value in dublin_core(record, self.request):
            if value not in (None, ""):
                ET.SubElement(dc, f"{{{DC_NS}}}{name}").text = text(value)

    def specs(self, record):
        specs = [f"type:{record['type']}"] + [f"sdg:{sdg['number']}" for sdg in record["sdgs"]]
        regions = sorted({place["region_code"] for place in record["territories"]} - {""})
        return specs + [f"region:{code}" for code in regions]


def dublin_core(record, request):
    """(element, value) pairs of the simple Dublin Core of one entry, in the entry's language."""
    pairs = [("title", record["title"])]
    pairs += [("creator", organisation["name"]) for organisation in record["organisations"]]
    pairs += [("contributor", network["title"]) for network in record["networks"]]
    for sdg in record["sdgs"]:
        pairs.append(("subject", f"SDG {sdg['number']}: {sdg['name']}"))
        pairs.append(("subject", f"http://metadata.un.org/sdg/{sdg['number']}"))
    pairs += [("subject", theme["name"]) for theme in record["themes"]]
    pairs.append(("description", record["summary"]))
    pairs.append(("publisher", getattr(settings, "OAI_REPOSITORY_NAME", settings.WAGTAIL_SITE_NAME)))
    if record["first_published_at"]:
        pairs.append(("date", record["first_published_at"].date().isoformat()))
    pairs.append(("type", "Text"))
    pairs.append(("type", record["type_label"]))
    pairs.append(("format", "text/html"))
    pairs.append(("identifier", record["url"]))
    pairs.append(("language", record["language"]))
    for place in record["territories"]:
        pairs.append(("coverage", f"{place['name']} (ISTAT {place['code']})"))
    if record["year"]:
        period = f"{record['year']}-{record['end_year']}" if record["end_year"] else str(record["year"])
        pairs.append(("coverage", period))
    terms = licence()
    pairs.append(("rights", f"{terms['name']} {terms['url']}".strip()))
    return pairs


@csrf_exempt  # harvesters POST without a form token; nothing is written
@require_http_methods(["GET", "HEAD", "POST"])
def oai(request):
    if over_limit(request, "oai", getattr(settings, "OAI_RATE", "600/h")):
        response = HttpResponse("Too many requests: retry later.", status=503, content_type="text/plain")
        response["Retry-After"] = "60"  # the protocol's flow control: harvesters wait and retry
        return response
    params = request.POST if request.method == "POST" else request.GET
    with translation.override(settings.LANGUAGE_CODE):
        return Repository(request).handle(params)
