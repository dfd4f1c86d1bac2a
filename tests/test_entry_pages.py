"""A visitor reading an entry: every goal, place and theme leads to its landing page, national scope reads
"Tutta Italia", related entries are cards under their section's heading, the quality of the sheet shows, the
demo's pages say who to contact and link documents and sources, and the page shares with a picture of its own."""

import colorsys
import io
import re
from datetime import date

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from bootstrap.demo import hero_picture
from library.pages import LibraryIndexPage
from library.templatetags.entry_tags import long_date
from practices.models import GoodPracticePage, LibraryEntry
from tests.factories import GoodPracticeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def hsv(rgb):
    return colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))


def headings(html):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.fixture
def practice(site_tree):
    theme = ThemeFactory(name_it="energia", slug="energia")
    page = GoodPracticeFactory(
        parent=site_tree.library, title="Comunità energetica", sdgs=[7, 13], territories=["001078"], year=2021
    )
    page.themes.add(theme)
    page.save_revision().publish()
    return page


def test_every_goal_place_and_theme_of_an_entry_links_to_its_landing_page(client, practice):
    html = html_of(client, practice.url)
    library = practice.get_parent().specific
    for key, value in (("sdg", 7), ("sdg", 13), ("territory", "001078"), ("theme", "energia")):
        assert f'href="{library.landing_url(key, value)}"' in html, (key, value)
    for key, value in (("sdg", 7), ("territory", "001078"), ("theme", "energia")):
        assert client.get(library.landing_url(key, value)).status_code == 200


def test_national_scope_reads_tutta_italia_and_leads_to_the_whole_library(client, site_tree):
    page = GoodPracticeFactory(
        parent=site_tree.library, title="Rete nazionale", territories=["M1", "M2", "M3", "M4", "M5"]
    )
    page.save_revision().publish()
    html = html_of(client, page.url)
    assert f'<a href="{site_tree.library.url}">Tutta Italia</a>' in html
    assert "Nord-ovest" not in html
    assert "Tutta Italia" in html_of(client, site_tree.library.url)  # on its card too


def test_headings_never_skip_a_level_on_the_library_the_home_and_a_practice(client, demo):
    library = LibraryIndexPage.objects.get(locale__language_code="it")
    practice = GoodPracticePage.objects.get(slug="focus-lab-contratti-di-fiume", locale__language_code="it")
    for url in (library.url, library.get_parent().url, practice.url):
        levels = headings(html_of(client, url))
        assert levels[0] == 1, url
        assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False)), (url, levels)


def test_related_entries_are_cards_under_their_sections(client, demo):
    practice = GoodPracticePage.objects.get(slug="focus-lab-contratti-di-fiume", locale__language_code="it")
    html = html_of(client, practice.url)
    for heading in ("Moduli formativi che la insegnano", "Casi studio che la documentano", "Pratiche simili"):
        section = html.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]
        assert '<article class="entry-card' in section and '<h3 class="card-title"' in section, heading


def test_the_demo_says_who_to_contact_and_links_documents_and_sources(client, demo):
    for entry in LibraryEntry.objects.filter(locale__language_code="it").exclude(
        content_type__model__in=["trainingmodulepage", "residencypage"]
    ):
        html = html_of(client, entry.url)
        assert 'id="contatti"' in html and f'href="/it/contatta/{entry.pk}/"' in html, entry.slug
        assert entry.contact_email not in html, entry.slug  # private: the form forwards to it
        assert "<h2>Documenti e fonti</h2>" in html, entry.slug
    sheet = GoodPracticePage.objects.get(slug="focus-lab-contratti-di-fiume", locale__language_code="it")
    document = next(block.value["document"] for block in sheet.resources if block.block_type == "document")
    response = client.get(document.url)
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf.startswith(b"%PDF-1.4") and b"Contesto" in pdf and b"%%EOF" in pdf


def test_quality_badges_say_verified_complete_and_updated(client, site_tree):
    page = GoodPracticeFactory(parent=site_tree.library, title="Scheda piena")
    for name, _label in GoodPracticePage.SECTIONS:
        setattr(page, name, "<p>Scritto.</p>")
    page.verified_on = date(2025, 10, 4)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.sections_complete
    html = html_of(client, page.url)
    assert "Verificata dalla redazione il 4 ottobre 2025" in html
    assert "Scheda completa" in html and "Aggiornata il " in html
    card = html_of(client, site_tree.library.url)
    assert "Verificata dalla redazione" in card and "Scheda completa" in card
    page.lessons = ""
    page.save_revision().publish()
    assert not GoodPracticePage.objects.get(pk=page.pk).sections_complete
    header = html_of(client, page.url).split('<header class="entry-header">', 1)[1].split("</header>", 1)[0]
    assert "Verificata dalla redazione" in header and "Scheda completa" not in header


def test_italian_dates_write_months_and_days_in_lower_case():
    with translation.override("it"):
        assert long_date(date(2025, 10, 4)) == "4 ottobre 2025"
        assert long_date(date(2025, 10, 4), "l j F") == "sabato 4 ottobre"
    with translation.override("en"):
        assert long_date(date(2025, 10, 4)) == "4 October 2025"


def test_demo_pictures_carry_no_text_and_use_the_entrys_goal_colours(demo):
    entry = GoodPracticePage.objects.get(slug="focus-lab-contratti-di-fiume", locale__language_code="it")
    picture = Image.open(hero_picture(entry)).convert("RGB").resize((120, 63))
    goal_hues = [hsv(tuple(int(sdg.colour[i : i + 2], 16) for i in (1, 3, 5)))[0] for sdg in entry.sdgs.all()]

    def from_the_goals(pixel):
        """Grey, or of the hue of one of the goals (their tints and shades included)."""
        hue, saturation, _value = hsv(pixel)
        return saturation < 0.15 or any(min(abs(hue - goal), 1 - abs(hue - goal)) < 0.04 for goal in goal_hues)

    pixels = list(picture.getdata())
    assert sum(1 for pixel in pixels if from_the_goals(pixel)) > len(pixels) * 0.9
    assert sum(1 for pixel in pixels if min(pixel) > 245) == 0  # no white text, no white anything
    other = GoodPracticePage.objects.get(slug="palestre-di-capacita", locale__language_code="it")
    assert hero_picture(other).getvalue() != hero_picture(entry).getvalue()
    image = entry.hero_image
    assert image.file.name.startswith("original_images/demo-art-")


def test_the_share_font_draws_every_letter_of_the_demo_titles(demo):
    from pictures.art import font

    typeface = font(40, bold=True)

    def drawn(char):
        picture = Image.new("L", (60, 60))
        ImageDraw.Draw(picture).text((5, 5), char, font=typeface, fill=255)
        return picture.tobytes()

    missing = drawn("\u4e2d")  # a letter the font has not: drawn as its "missing" box
    letters = {char for title in LibraryEntry.objects.values_list("title", flat=True) for char in title if char != " "}
    assert {"à", "è", "é", "ì", "ò", "ù", "’", "–"} & letters
    assert [char for char in sorted(letters) if drawn(char) == missing] == []


def test_each_entry_shares_a_card_of_its_own_in_its_language(client, demo):
    italian = GoodPracticePage.objects.get(slug="next-mappatura-contesto-locale", locale__language_code="it")
    english = GoodPracticePage.objects.get(translation_key=italian.translation_key, locale__language_code="en")
    cards = []
    for page in (italian, english):
        html = html_of(client, page.url)
        url = re.search(r'<meta property="og:image" content="http://testserver(/share/\d+\.png\?v=\d+)">', html)[1]
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (1200, 630)
        cards.append(response.content)
    assert cards[0] != cards[1]  # the title, the type and "Tutta Italia" in each language


def test_no_share_card_for_what_the_public_may_not_see(client, site_tree):
    draft = GoodPracticeFactory(parent=site_tree.library, title="Bozza riservata", live=False)
    assert client.get(f"/share/{draft.pk}.png").status_code == 404
    assert client.get("/share/999999.png").status_code == 404


def test_icons_and_manifest_are_where_browsers_look(client, site_tree):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("icons/favicon.ico")
    html = html_of(client, site_tree.home.url)
    assert 'rel="icon"' in html and 'rel="apple-touch-icon"' in html and 'rel="manifest"' in html
    with translation.override("en"):
        manifest = client.get("/en/manifest.webmanifest").json()
    assert manifest["name"] == "Library of Good Practices" and manifest["start_url"] == "/en/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_home_library_and_search_describe_themselves_to_search_engines(client, demo):
    library = LibraryIndexPage.objects.get(locale__language_code="it")
    for url in (library.get_parent().url, library.url, "/it/search/", "/en/search/"):
        description = re.search(r'<meta name="description" content="([^"]*)">', html_of(client, url))
        assert description and len(description[1]) > 50, url


def test_english_pages_name_the_site_and_the_footer_in_english(client, demo):
    html = html_of(client, "/en/")
    assert '<a class="brand" href="/en/">Library of Good Practices</a>' in html
    assert "<title>Library of Good Practices</title>" in html
    assert "gathers the experience of Italian territorial networks" in html
    assert "raccoglie le esperienze" not in html
    assert "raccoglie le esperienze" in html_of(client, "/it/")
