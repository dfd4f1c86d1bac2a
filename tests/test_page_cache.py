"""Anonymous pages come from the page cache, and are never stale: every change a public page may show (publish,
unpublish, move, delete, translate, a taxonomy, an organisation, a setting, an image, a view restriction) makes
the next visit render again; nothing personal (a logged-in user, a session, a CSRF form, messages, a preview, a
restricted page) is ever stored."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image
from wagtail import hooks
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.images import get_image_model
from wagtail.models import Locale, PageViewRestriction

from bootstrap.reference_data import load_reference_data
from home.models import SiteFooter
from home.site_tree import ensure_site_tree
from pagecache import front, generation
from practices.models import SDG, EntryOrganisation, Territory
from tests.factories import (
    GoodPracticeFactory,
    OrganisationFactory,
    ThemeFactory,
    TrainingModuleFactory,
    TrainingProgrammeFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def page_cache():
    """The cache on, and empty: the suite runs with it off, and another test's pages must not show here."""
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=3600, PAGE_CACHE_PROXY_SECONDS=300):
        yield
    cache.clear()


def visit(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response


def nonce(response):
    found = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    return found.group(1) if found else None


def without_nonce(response):
    return response.content.replace(nonce(response).encode(), b"NONCE") if nonce(response) else response.content


def cached_twice(client, url):
    """The page, rendered and stored by a first visit, then served from the cache to a second one: the same
    page but for its CSP nonce."""
    first = visit(client, url)
    assert first[HEADER] == "miss", url
    second = visit(client, url)
    assert second[HEADER] == "hit", url
    assert without_nonce(second) == without_nonce(first)
    return second


def fresh(client, url):
    """After a change, the next visit renders the page again."""
    response = visit(client, url)
    assert response[HEADER] == "miss", url
    return response.content.decode()


def translate(page, **changes):
    translation = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    for name, value in changes.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(buffer, "PNG")
    return buffer


@pytest.fixture
def orto(site_tree):
    return GoodPracticeFactory(parent=site_tree.library, title="Orto sociale a Chieri", sdgs=[2])


# What is served from the cache ------------------------------------------------------------------------------


def test_a_second_anonymous_visit_is_served_without_touching_the_database(client, site_tree, orto):
    for url in (site_tree.home.url, site_tree.library.url, orto.url, "/it/search/?q=orto", "/api/v2/pages/"):
        visit(client, url)
        with CaptureQueriesContext(connection) as queries:
            response = visit(client, url)
        assert response[HEADER] == "hit", url
        assert len(queries) == 0, url


def test_library_facets_and_pages_of_results_are_cached_apart(client, site_tree, orto):
    GoodPracticeFactory(parent=site_tree.library, title="Emporio solidale", sdgs=[1])
    cached_twice(client, site_tree.library.url)
    goal_2 = visit(client, site_tree.library.url + "?sdg=2")
    assert goal_2[HEADER] == "miss"
    assert "Orto sociale a Chieri" in goal_2.content.decode()
    assert "Emporio solidale" not in goal_2.content.decode()


def test_every_cached_copy_gets_a_fresh_nonce_in_its_policy_and_its_body(client, site_tree):
    miss = visit(client, site_tree.home.url)
    hits = [visit(client, site_tree.home.url) for _ in range(2)]
    nonces = {nonce(response) for response in [miss, *hits]}
    assert len(nonces) == 3
    for response in hits:
        body = response.content.decode()
        assert body.count(f'nonce="{nonce(response)}"') == body.count("nonce=") > 0
        assert int(response["Content-Length"]) == len(response.content)
        assert response["Permissions-Policy"]
        assert response["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


def test_a_front_proxy_may_keep_a_cached_page_and_revalidate_it_by_etag(client, site_tree):
    hit = cached_twice(client, site_tree.library.url)
    assert hit["Cache-Control"] == "public, max-age=0, s-maxage=300"
    assert hit["ETag"].startswith('W/"')  # copies differ in their nonces only
    not_modified = client.get(site_tree.library.url, headers={"if-none-match": hit["ETag"]})
    assert not_modified.status_code == 304
    # The browser keeps the page it has, with that page's policy: a new nonce would not match the old body.
    assert "Content-Security-Policy" not in not_modified


def test_after_a_change_the_old_etag_no_longer_matches(client, site_tree, orto):
    etag = cached_twice(client, site_tree.library.url)["ETag"]
    orto.title = "Orto sociale di Chieri"
    orto.save_revision().publish()
    response = client.get(site_tree.library.url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Orto sociale di Chieri" in response.content.decode()


def test_each_language_has_its_own_copy(client, site_tree, orto):
    translate(site_tree.home)
    translate(site_tree.library)
    translate(orto, title="Social garden in Chieri")
    italian = cached_twice(client, site_tree.library.url).content.decode()
    english = visit(client, "/en/" + site_tree.library.url.split("/", 2)[2])
    assert english[HEADER] == "miss"
    assert "Social garden in Chieri" in english.content.decode()
    assert "Social garden in Chieri" not in italian


def test_a_language_neutral_address_is_cached_per_language(client, site_tree):
    cached_twice(client, "/api/v2/pages/")
    assert visit(client, "/api/v2/pages/", accept_language="it")[HEADER] == "hit"
    english = visit(client, "/api/v2/pages/", accept_language="en")
    assert english[HEADER] == "miss"
    assert english.headers["Content-Language"] == "en"


def test_the_root_redirect_follows_each_browsers_language(client, site_tree):
    assert client.get("/", headers={"accept-language": "it"})["Location"] == "/it/"
    assert client.get("/", headers={"accept-language": "en"})["Location"] == "/en/"


def test_the_cache_turned_off_serves_every_visit_from_the_views(client, site_tree):
    with override_settings(PAGE_CACHE_SECONDS=0):
        for _ in range(2):
            response = visit(client, site_tree.home.url)
            assert HEADER not in response
            assert "Cache-Control" not in response


# Every change makes the pages that may show it fresh ----------------------------------------------------------


def test_publishing_an_entry_refreshes_the_home_library_search_and_api(client, site_tree, orto):
    urls = [site_tree.home.url, site_tree.library.url, "/it/search/?q=emporio", "/api/v2/pages/?type=good_practice"]
    for url in urls:
        cached_twice(client, url)
    emporio = GoodPracticeFactory(parent=site_tree.library, title="Emporio solidale", sdgs=[1])
    emporio.save_revision().publish()
    for url in urls[1:]:
        assert emporio.url in fresh(client, url), url
    assert fresh(client, urls[0])


def test_publishing_a_new_version_refreshes_the_entry_and_its_listings(client, site_tree, orto):
    cached_twice(client, orto.url)
    cached_twice(client, site_tree.library.url)
    orto.title = "Orto sociale di Chieri e Pecetto"
    orto.save_revision().publish()
    assert "Orto sociale di Chieri e Pecetto" in fresh(client, orto.url)
    assert "Orto sociale di Chieri e Pecetto" in fresh(client, site_tree.library.url)


def test_saving_a_draft_keeps_the_cache(client, site_tree, orto):
    cached_twice(client, orto.url)
    orto.title = "Una bozza"
    orto.save_revision()
    response = visit(client, orto.url)
    assert response[HEADER] == "hit"
    assert "Una bozza" not in response.content.decode()


def test_unpublishing_an_entry_removes_it_from_the_cached_listings(client, site_tree, orto):
    cached_twice(client, site_tree.library.url)
    cached_twice(client, orto.url)
    orto.unpublish()
    assert "Orto sociale a Chieri" not in fresh(client, site_tree.library.url)
    assert client.get(orto.url).status_code == 404


def test_moving_a_module_refreshes_both_programmes(client, site_tree):
    first = TrainingProgrammeFactory(parent=site_tree.home, title="Programma uno", slug="uno")
    second = TrainingProgrammeFactory(parent=site_tree.home, title="Programma due", slug="due")
    module = TrainingModuleFactory(parent=first, title="Modulo sugli orti")
    old_url = module.url
    cached_twice(client, first.url)
    cached_twice(client, second.url)
    cached_twice(client, old_url)
    module.move(second, pos="last-child")
    module.refresh_from_db()
    assert "Modulo sugli orti" not in fresh(client, first.url)
    assert "Modulo sugli orti" in fresh(client, second.url)
    assert client.get(old_url)["Location"] == module.url  # Wagtail's automatic redirect
    assert visit(client, module.url)[HEADER] == "miss"


def test_deleting_an_entry_removes_it_from_the_cached_listings(client, site_tree, orto):
    cached_twice(client, site_tree.library.url)
    cached_twice(client, "/it/search/?q=orto")
    orto.delete()
    assert "Orto sociale a Chieri" not in fresh(client, site_tree.library.url)
    assert "Orto sociale a Chieri" not in fresh(client, "/it/search/?q=orto")


def test_publishing_a_translation_refreshes_the_other_languages_listings(client, site_tree, orto):
    translate(site_tree.home)
    english_library = translate(site_tree.library)
    cached_twice(client, english_library.url)
    assert "Social garden" not in visit(client, english_library.url).content.decode()
    translate(orto, title="Social garden in Chieri")
    assert "Social garden in Chieri" in fresh(client, english_library.url)


def test_restricting_a_section_takes_its_entries_out_of_the_cached_listings(client, site_tree, orto):
    cached_twice(client, site_tree.library.url)
    PageViewRestriction.objects.create(page=orto, restriction_type=PageViewRestriction.LOGIN)
    assert "Orto sociale a Chieri" not in fresh(client, site_tree.library.url)


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ("theme", "Orti di comunità"),
        ("territory", "Torino sul Po"),
        ("sdg", "Fame zero per tutti"),
        ("organisation", "Associazione Orti Uniti"),
    ],
)
def test_changing_a_taxonomy_or_an_organisation_refreshes_the_entries_that_show_it(
    client, site_tree, orto, change, shown
):
    theme = ThemeFactory(name_it="orti urbani")
    orto.themes.add(theme)
    organisation = OrganisationFactory(name="Associazione Orti")
    EntryOrganisation.objects.create(page=orto, organisation=organisation)
    orto.save_revision().publish()
    cached_twice(client, orto.url)
    if change == "theme":
        theme.name_it = shown
        theme.save()
    elif change == "territory":
        torino = Territory.objects.get(code="001272")  # the factory's territory
        torino.name = shown
        torino.save()
    elif change == "sdg":
        goal = SDG.objects.get(number=2)
        goal.short_it = shown
        goal.save()
    else:
        organisation.name = shown
        organisation.save()
    assert shown in fresh(client, orto.url)


def test_deleting_a_theme_refreshes_the_entries_that_showed_it(client, site_tree, orto):
    theme = ThemeFactory(name_it="orti urbani")
    orto.themes.add(theme)
    orto.save_revision().publish()
    assert "orti urbani" in cached_twice(client, orto.url).content.decode()
    theme.delete()
    assert "orti urbani" not in fresh(client, orto.url)


def test_reloading_the_reference_data_refreshes_the_cache(client, site_tree):
    cached_twice(client, site_tree.library.url)
    load_reference_data()  # bulk writes: no save signals
    assert visit(client, site_tree.library.url)[HEADER] == "miss"


def test_changing_a_setting_refreshes_every_page(client, site_tree, orto):
    cached_twice(client, site_tree.home.url)
    cached_twice(client, orto.url)
    footer = SiteFooter.for_site(site_tree.home.get_site())
    footer.contact_email = "orti@example.org"
    footer.save()
    assert "orti@example.org" in fresh(client, site_tree.home.url)
    assert "orti@example.org" in fresh(client, orto.url)


def test_replacing_or_deleting_an_image_refreshes_the_pages_that_show_it(client, site_tree, orto):
    image = get_image_model()(title="Foto dell'orto", file=ImageFile(png("green"), name="orto.png"))
    image._set_image_file_metadata()
    image.save()
    orto.hero_image = image
    orto.save_revision().publish()
    assert image.get_rendition("fill-1200x630").url in cached_twice(client, orto.url).content.decode()
    image.file = ImageFile(png("brown"), name="orto-autunno.png")
    image._set_image_file_metadata()
    image.save()
    image.renditions.all().delete()  # as the admin's edit view does when the file changes
    assert image.get_rendition("fill-1200x630").url in fresh(client, orto.url)
    assert visit(client, orto.url)[HEADER] == "hit"
    image.delete()
    assert "fill-1200x630" not in fresh(client, orto.url)


# The generation, the transaction and the front cache --------------------------------------------------------


class RecordingBackend(BaseBackend):
    """A front cache that only writes down what it was asked to purge."""

    purged = []

    def purge(self, url):
        RecordingBackend.purged.append(url)


@pytest.fixture
def front_cache():
    RecordingBackend.purged.clear()
    front._local.clear()
    with override_settings(WAGTAILFRONTENDCACHE={"test": {"BACKEND": f"{__name__}.RecordingBackend"}}):
        yield RecordingBackend.purged
    front._local.clear()


def committed_bumps(callbacks):
    return [callback for callback in callbacks if callback is generation._committed]


@override_settings(PAGE_CACHE_PURGE_PATHS=["/*"])
def test_a_change_moves_the_generation_at_once_and_again_at_the_commit_which_purges_the_front_cache(
    front_cache, django_capture_on_commit_callbacks
):
    # No fixture writes first: the test's own transaction would already hold the commit-time bump.
    before = generation.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            tree = ensure_site_tree()
            orto = GoodPracticeFactory(parent=tree.library, title="Orto sociale a Chieri")
            orto.title = "Orto sociale di Chieri"
            orto.save_revision().publish()
            during = generation.current()
            assert during > before
            assert front_cache == []  # nothing committed yet: a proxy asked now would fetch the old page again
    assert generation.current() > during
    assert len(committed_bumps(callbacks)) == 1  # one per transaction, however many saves it made
    assert front_cache == [f"{tree.home.get_site().root_url}/*"]


@override_settings(PAGE_CACHE_PURGE_PATHS=["/*"])
def test_a_rolled_back_change_purges_nothing_and_the_next_change_still_bumps_at_the_commit(
    front_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            ThemeFactory(name_it="tema annullato")
            raise RuntimeError
        assert not committed_bumps(entry[1] for entry in connection.run_on_commit)
        ThemeFactory(name_it="tema confermato")
        committed = generation.current()
    assert len(committed_bumps(callbacks)) == 1
    assert generation.current() > committed
    assert front_cache == ["http://localhost/*"]


def test_without_wildcards_the_front_cache_is_purged_of_every_page_handed_out_since_the_last_purge(
    client, front_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # no fixture writes before: see above
        tree = ensure_site_tree()
        orto = GoodPracticeFactory(parent=tree.library, title="Orto sociale a Chieri", sdgs=[2])
        urls = [tree.library.url, tree.library.url + "?sdg=2", orto.url]
        for url in urls:
            cached_twice(client, url)
        with override_settings(PAGE_CACHE_SECONDS=0):
            visit(client, tree.home.url)  # not handed out as public: nothing for the front cache to keep
        orto.title = "Orto sociale di Chieri"
        orto.save_revision().publish()
        assert front_cache == []
    assert sorted(front_cache) == sorted(f"http://testserver{url}" for url in urls)
    assert front._local == set()  # taken: the next purge sends only what is handed out from now on


def test_a_page_rendered_while_the_library_changed_is_not_served_afterwards(client, site_tree, orto):
    """A request takes the generation when it starts: what it rendered from rows older than a change made
    meanwhile is stored under the old generation, and no later visitor gets it."""

    def edit_meanwhile(page, request, serve_args, serve_kwargs):
        generation.changed()

    with hooks.register_temporarily("before_serve_page", edit_meanwhile):
        assert visit(client, site_tree.library.url)[HEADER] == "miss"
    assert visit(client, site_tree.library.url)[HEADER] == "miss"
    assert visit(client, site_tree.library.url)[HEADER] == "hit"


def test_a_lost_generation_starts_again_past_every_earlier_one(site_tree):
    generation.bump()
    old = generation.current()
    cache.delete(generation.KEY)
    assert generation.current() > old


# What is never stored ---------------------------------------------------------------------------------------


def test_a_logged_in_visit_is_neither_served_from_the_cache_nor_stored(client, site_tree, admin_user):
    cached_twice(client, site_tree.home.url)
    client.force_login(admin_user)
    for _ in range(2):
        response = visit(client, site_tree.home.url)
        assert response[HEADER] == "skip"
        assert response["Cache-Control"] == "private"
        assert "wagtail-userbar" in response.content.decode()
    client.logout()
    anonymous = visit(client, site_tree.home.url)
    assert "wagtail-userbar" not in anonymous.content.decode()


def test_a_visit_with_a_session_is_not_served_from_the_cache(client, site_tree):
    cached_twice(client, site_tree.home.url)
    session = client.session
    session["seen"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert visit(client, site_tree.home.url)[HEADER] == "skip"


def test_a_visit_with_pending_messages_is_not_served_from_the_cache(client, site_tree):
    cached_twice(client, site_tree.home.url)
    client.cookies["messages"] = "pending"
    assert visit(client, site_tree.home.url)[HEADER] == "skip"


def test_a_page_that_adds_a_message_is_not_stored(client, site_tree):
    from django.contrib import messages

    def say_hello(page, request, serve_args, serve_kwargs):
        messages.info(request, "Benvenuto")

    with hooks.register_temporarily("before_serve_page", say_hello):
        response = visit(client, site_tree.home.url)
    assert response[HEADER] == "skip"
    assert "messages" in response.cookies


def test_a_form_with_a_csrf_token_is_never_stored(client, site_tree):
    for _ in range(2):
        response = visit(client, "/it/segnala/")
        assert response[HEADER] == "skip"
        assert "csrfmiddlewaretoken" in response.content.decode()
    # The visitor now has a CSRF cookie: the form is still rendered for them, with their own token.
    assert "csrftoken" in client.cookies
    assert visit(client, "/it/segnala/")[HEADER] == "skip"


def test_a_password_protected_page_and_its_form_are_never_stored(client, site_tree, orto):
    PageViewRestriction.objects.create(page=orto, restriction_type=PageViewRestriction.PASSWORD, password="orti")
    for _ in range(2):
        form = visit(client, orto.url)
        assert form[HEADER] == "skip"
        assert "private" in form["Cache-Control"]
    restriction = PageViewRestriction.objects.get(page=orto)
    client.post(
        f"/it/_util/authenticate_with_password/{restriction.pk}/{orto.pk}/",
        {"password": "orti", "return_url": orto.url},
    )
    for _ in range(2):
        page = visit(client, orto.url)
        assert page[HEADER] == "skip"
        assert "Orto sociale a Chieri" in page.content.decode()
    client.cookies.clear()
    assert "csrfmiddlewaretoken" in visit(client, orto.url).content.decode()


def test_a_login_restricted_page_is_never_stored(client, site_tree, orto, admin_user):
    PageViewRestriction.objects.create(page=orto, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(orto.url).status_code == 302
    client.force_login(admin_user)
    assert visit(client, orto.url)[HEADER] == "skip"
    client.logout()
    assert client.get(orto.url).status_code == 302


def test_a_preview_shows_the_draft_not_the_cached_page_and_is_not_stored(client, site_tree, orto):
    cached_twice(client, orto.url)
    orto.title = "Titolo in bozza"
    preview = orto.make_preview_request()  # as Wagtail builds it: a made-up request for the page's URL
    assert "Titolo in bozza" in preview.content.decode()
    live = visit(client, orto.url)
    assert live[HEADER] == "hit"
    assert "Titolo in bozza" not in live.content.decode()


def test_the_admin_preview_is_not_stored(admin_client, client, site_tree, orto):
    orto.title = "Titolo in bozza"
    orto.save_revision()
    revision = orto.latest_revision
    preview = admin_client.get(f"/admin/pages/{orto.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200
    assert "Titolo in bozza" in preview.content.decode()
    assert "Titolo in bozza" not in visit(client, orto.url).content.decode()


def test_posts_and_other_methods_are_not_cached(client, site_tree):
    assert client.post("/it/segnala/", {}).get(HEADER) in (None, "skip")
    assert client.head(site_tree.home.url).status_code == 200
    assert visit(client, site_tree.home.url)[HEADER] == "miss"


def test_an_authorised_api_request_is_not_served_from_the_cache(client, site_tree):
    cached_twice(client, "/api/v2/pages/")
    response = client.get("/api/v2/pages/", headers={"authorization": "Basic cmVkYXppb25lOnBhc3N3b3Jk"})
    assert response.get(HEADER) == "skip"


def test_not_found_pages_are_not_stored(client, site_tree):
    for _ in range(2):
        response = client.get("/it/biblioteca/nessuna-pratica/")
        assert response.status_code == 404
        assert response.get(HEADER) == "skip"
