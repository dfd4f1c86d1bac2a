"""OAI-PMH 2.0 at /oai/, harvested with a real client (Sickle, from PyPI) whose HTTP requests go through a
requests transport adapter into Django's test client: the whole stack, middleware included, on the test's
database. A harvest returns every public entry once, as the public listing does, and no restricted or draft
one; unpublished, deleted and restricted entries come back as deleted records."""

from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client, override_settings
from lxml import etree
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sickle import Sickle, oaiexceptions

from core.visibility import public_pages
from practices.models import LibraryEntry
from tests.opendata_library import DRAFT, SECRET, open_library  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
ENDPOINT = "http://testserver/oai/"


class DjangoTestClientAdapter(BaseAdapter):
    """A requests transport that answers from Django's test client instead of a socket."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if request.method == "POST":
            answer = self.client.post(url.path, data=request.body, content_type=request.headers["Content-Type"])
        else:
            answer = self.client.get(f"{url.path}?{url.query}")
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class DjangoSickle(Sickle):
    """Sickle sends its requests with requests.get/post; this one through a session with the adapter."""

    def __init__(self, client, **kwargs):
        super().__init__(ENDPOINT, **kwargs)
        self.session = requests.Session()
        self.session.mount("http://testserver/", DjangoTestClientAdapter(client))

    def _request(self, kwargs):
        if self.http_method == "GET":
            return self.session.get(self.endpoint, params=kwargs)
        return self.session.post(self.endpoint, data=kwargs)


@pytest.fixture
def harvester():
    return DjangoSickle(Client())


def page_id(identifier):
    return int(identifier.rsplit(":", 1)[1])


def listed_by_the_library(client, url):
    """Ids of every entry the public library lists at `url`, all its pages."""
    ids, page = [], 1
    while True:
        response = client.get(url, {"page": page})
        ids += [entry.pk for entry in response.context["page_obj"]]
        if not response.context["page_obj"].has_next():
            return ids
        page += 1


@override_settings(OAI_PAGE_SIZE=3)  # several resumption tokens even for a small library
def test_a_harvest_returns_every_public_entry_once_and_nothing_private(client, harvester, open_library):  # noqa: F811
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    ids = [page_id(record.header.identifier) for record in records]
    assert len(ids) == len(set(ids)), "an entry was harvested twice"
    assert not any(record.header.deleted for record in records)
    # The Italian library and the English one (English entries and the Italian ones not translated yet).
    listed = set(listed_by_the_library(client, open_library["tree"].library.url)) | set(
        listed_by_the_library(client, open_library["library_en"].url)
    )
    assert set(ids) == listed == set(public_pages(LibraryEntry, None).values_list("pk", flat=True))
    assert open_library["secret"].pk not in ids and open_library["draft"].pk not in ids
    harvested = " ".join(str(record) for record in records)
    assert SECRET not in harvested and DRAFT not in harvested
    chieri = next(record for record in records if page_id(record.header.identifier) == open_library["chieri"].pk)
    assert chieri.metadata["title"] == ["Comunità energetica di Chieri"]
    assert chieri.metadata["language"] == ["it"]
    assert "SDG 13: Lotta contro il cambiamento climatico" in chieri.metadata["subject"]
    assert "Chieri (ISTAT 001078)" in chieri.metadata["coverage"]
    assert chieri.metadata["identifier"] == ["http://testserver" + open_library["chieri"].url]
    assert chieri.metadata["rights"][0].startswith("CC BY 4.0")
    assert set(chieri.header.setSpecs) == {"type:good_practice", "sdg:7", "sdg:13", "region:01"}
    english = next(record for record in records if page_id(record.header.identifier) == open_library["chieri_en"].pk)
    assert english.metadata["language"] == ["en"]
    assert "SDG 13: Climate Action" in english.metadata["subject"]


@override_settings(OAI_PAGE_SIZE=2)
def test_identifiers_and_sets_select_as_the_facets_do(harvester, open_library):  # noqa: F811
    def harvested(**arguments):
        return {
            page_id(header.identifier) for header in harvester.ListIdentifiers(metadataPrefix="oai_dc", **arguments)
        }

    everything = harvested()
    assert harvested(set="type:good_practice") == {open_library[key].pk for key in ("chieri", "chieri_en", "milano")}
    assert harvested(set="sdg:13") == {open_library[key].pk for key in ("chieri", "chieri_en", "case")}
    assert harvested(set="region:19") == {open_library["residency"].pk}  # Palermo, Sicilia
    assert harvested(set="region:03") == {open_library["milano"].pk}
    assert harvested(set="region:01") >= {open_library[key].pk for key in ("chieri", "case", "module")}
    assert harvested(set="type") == everything
    sets = {item.setSpec for item in harvester.ListSets()}
    assert {"type:residency", "sdg:17", "region:20", "sdg", "region", "type"} <= sets


def test_unpublished_deleted_and_restricted_entries_are_reported_as_deleted(harvester, open_library):  # noqa: F811
    from wagtail.models import PageViewRestriction

    milano, case, module = open_library["milano"], open_library["case"], open_library["module"]
    first = {page_id(h.identifier): h for h in harvester.ListIdentifiers(metadataPrefix="oai_dc")}
    assert not any(header.deleted for header in first.values())
    milano.unpublish()
    case_id = case.pk
    case.delete()
    restriction = PageViewRestriction.objects.create(page=module, restriction_type="login")
    open_library["draft"].delete()  # never public: leaves no trace

    headers = {page_id(h.identifier): h for h in harvester.ListIdentifiers(metadataPrefix="oai_dc")}
    assert {pk for pk, header in headers.items() if header.deleted} == {milano.pk, case_id, module.pk}
    assert open_library["draft"].pk not in headers and open_library["secret"].pk not in headers
    assert set(headers) == set(first)  # the same identifiers, three of them now deleted
    # A deleted record keeps its sets: a selective harvest hears of it too.
    by_goal = {page_id(h.identifier): h for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", set="sdg:13")}
    assert by_goal[case_id].deleted
    record = harvester.GetRecord(identifier=f"oai:testserver:{case_id}", metadataPrefix="oai_dc")
    assert record.header.deleted and not hasattr(record, "metadata")  # a deleted record carries no metadata

    # Back in public: a live record again, with a datestamp that an incremental harvest picks up.
    since = max(header.datestamp for header in headers.values())
    restriction.delete()
    milano.save_revision().publish()
    again = {page_id(h.identifier): h for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": since})}
    assert {milano.pk, module.pk} <= {pk for pk, header in again.items() if not header.deleted}


def test_protocol_errors_have_their_codes(client, open_library):  # noqa: F811
    def error_code(**arguments):
        response = client.get("/oai/", arguments)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
        tree = etree.fromstring(response.content)
        return tree.find("{http://www.openarchives.org/OAI/2.0/}error").get("code")

    assert error_code() == "badVerb"
    assert error_code(verb="Dance") == "badVerb"
    assert error_code(verb="ListRecords") == "badArgument"  # no metadataPrefix
    assert error_code(verb="Identify", colour="red") == "badArgument"
    assert error_code(verb="ListRecords", metadataPrefix="oai_dc", resumptionToken="x") == "badArgument"
    assert error_code(verb="ListRecords", resumptionToken="forged") == "badResumptionToken"
    assert error_code(verb="ListRecords", metadataPrefix="marc21") == "cannotDisseminateFormat"
    assert error_code(verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2021-13-45"}) == "badArgument"
    assert error_code(verb="ListRecords", metadataPrefix="oai_dc", set="sdg:99") == "badArgument"
    assert (
        error_code(
            verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2020-01-01", "until": "2020-01-01T00:00:00Z"}
        )
        == "badArgument"
    )
    assert error_code(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2999-01-01"}) == "noRecordsMatch"
    assert error_code(verb="GetRecord", identifier="oai:testserver:999999", metadataPrefix="oai_dc") == "idDoesNotExist"
    secret = f"oai:testserver:{open_library['secret'].pk}"
    assert error_code(verb="GetRecord", identifier=secret, metadataPrefix="oai_dc") == "idDoesNotExist"
    assert error_code(verb="ListMetadataFormats", identifier="oai:elsewhere:1") == "idDoesNotExist"
    response = client.get("/oai/?verb=Identify&verb=Identify")
    assert b'code="badArgument"' in response.content or b'code="badVerb"' in response.content
    assert b"\x00" not in client.get("/oai/", {"verb": "Identify\x00"}).content


def test_identify_and_post(harvester, open_library):  # noqa: F811
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.baseURL == ENDPOINT
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    poster = DjangoSickle(Client(), http_method="POST")
    assert {page_id(h.identifier) for h in poster.ListIdentifiers(metadataPrefix="oai_dc")} == {
        page_id(h.identifier) for h in harvester.ListIdentifiers(metadataPrefix="oai_dc")
    }
    formats = [item.metadataPrefix for item in harvester.ListMetadataFormats()]
    assert formats == ["oai_dc"]
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="sdg:16"))
