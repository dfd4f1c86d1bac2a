"""Builds the demo library from practices/data/demo_library.json, written from the seeds. Idempotent: pages
and records are matched by slug or name, entries go through the import (so they are upserted the same
way), and images are generated with Pillow only for entries that have none."""

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.html import escape
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Site
from wagtail.rich_text import RichText

from home.models import SiteFooter, StandardPage
from home.roles import ensure_editorial_roles

from .demo_translations import load_demo_translations
from .importer import LibraryImport
from .models import (
    LibraryEntry,
    NetworkMember,
    NetworkPage,
    NetworkTerritory,
    Organisation,
    Territory,
    TrainingProgrammePage,
)
from .site_tree import ensure_site_tree, publish

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_library.json"


@dataclass
class DemoReport:
    created: dict = field(default_factory=dict)
    import_problems: list = field(default_factory=list)

    def count(self, kind, created=True):
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def paragraphs(texts):
    return [("paragraph", RichText(f"<p>{escape(text)}</p>")) for text in texts]


def load_organisations(items, report):
    territories = {
        t.code: t for t in Territory.objects.filter(code__in=[i["territory"] for i in items if i["territory"]])
    }
    for item in items:
        _organisation, created = Organisation.objects.get_or_create(
            name=item["name"],
            defaults={
                "type": item["type"],
                "territory": territories.get(item["territory"]),
                "website": item["website"],
            },
        )
        report.count("organisations", created)


def load_networks(items, tree, report):
    organisations = {o.name: o for o in Organisation.objects.all()}
    for item in items:
        if NetworkPage.objects.filter(slug=item["slug"], locale=tree.home.locale).exists():
            continue
        network = NetworkPage(
            title=item["title"],
            slug=item["slug"],
            summary=item["summary"],
            kind=item["kind"],
            description=paragraphs(item["description"]),
            key_figures=[("key_figure", figure) for figure in item["key_figures"]],
            locale=tree.home.locale,
        )
        territories = {t.code: t for t in Territory.objects.filter(code__in=item["territories"])}
        network.territory_links = [
            NetworkTerritory(territory=territories[code], sort_order=order)
            for order, code in enumerate(item["territories"])
        ]
        network.members = [
            NetworkMember(organisation=organisations[m["organisation"]], role=m["role"], sort_order=order)
            for order, m in enumerate(item["members"])
        ]
        tree.networks.add_child(instance=network)
        publish(network)
        report.count("networks")


def load_programmes(items, tree, report):
    for item in items:
        if TrainingProgrammePage.objects.filter(slug=item["slug"], locale=tree.home.locale).exists():
            continue
        territories = {t.code: t for t in Territory.objects.filter(code__in=[h["territory"] for h in item["hubs"]])}
        programme = TrainingProgrammePage(
            title=item["title"],
            slug=item["slug"],
            summary=item["summary"],
            funder=item["funder"],
            start_date=date.fromisoformat(item["start_date"]),
            end_date=date.fromisoformat(item["end_date"]),
            body=paragraphs(item["body"]),
            show_in_menus=True,
            locale=tree.home.locale,
            macro_actions=[("macro_action", action) for action in item["macro_actions"]],
            hubs=[("hub", {**hub, "territory": territories.get(hub["territory"])}) for hub in item["hubs"]],
            key_figures=[("key_figure", figure) for figure in item["key_figures"]],
        )
        tree.home.add_child(instance=programme)
        publish(programme)
        report.count("programmes")


def load_standard_pages(items, tree, report):
    for item in items:
        if StandardPage.objects.child_of(tree.home).filter(slug=item["slug"]).exists():
            continue
        page = StandardPage(
            title=item["title"],
            slug=item["slug"],
            body=paragraphs(item["body"]),
            show_in_menus=True,
            locale=tree.home.locale,
        )
        tree.home.add_child(instance=page)
        publish(page)
        report.count("standard pages")


def hero_picture(entry):
    """A 1200x630 banner in the colour of the entry's first SDG, with its title: no stock photos needed."""
    sdg = entry.sdgs.order_by("number").first()
    colour = sdg.colour if sdg else "#19486A"
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    picture = PillowImage.new("RGB", (1200, 630), rgb)
    draw = ImageDraw.Draw(picture)
    seed = int(hashlib.sha1(entry.slug.encode()).hexdigest()[:8], 16)
    for ring in range(6):  # a quiet pattern that differs from entry to entry
        radius = 120 + ring * 90 + seed % 60
        centre = (900 + seed % 200, 120 + (seed >> 8) % 300)
        shade = tuple(min(255, channel + 18 * (ring % 2)) for channel in rgb)
        draw.ellipse(
            [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], outline=shade, width=28
        )
    font = ImageFont.load_default(size=54)
    words, lines, line = entry.title.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > 1000 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    for index, text in enumerate(lines[:4]):
        draw.text((70, 330 + index * 66), text, fill="white", font=font)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82)
    return buffer


def attach_images(slugs, report):
    """Pictures for the demo's own entries that have none; entries imported by editors are left alone."""
    image_model = get_image_model()
    for entry in LibraryEntry.objects.filter(slug__in=slugs, hero_image__isnull=True).specific():
        buffer = hero_picture(entry)
        image = image_model(title=entry.title[:255])
        image.file = ImageFile(buffer, name=f"demo-{entry.slug}.jpg")
        image.save()
        entry.hero_image = image
        publish(entry)
        report.count("images")


def fill_footer(tree):
    """The footer of the demo site, written once; an editor's own text is never replaced."""
    footer = SiteFooter.for_site(Site.objects.get(root_page=tree.home))
    if not footer.footer_text:
        footer.footer_text = (
            "<p>La Libreria delle Buone Pratiche raccoglie le esperienze delle reti territoriali italiane perché "
            "altri territori possano conoscerle e replicarle.</p>"
        )
        footer.contact_email = footer.contact_email or "redazione@libreria.example.org"
        footer.save()


@transaction.atomic
def load_demo_library():
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    report = DemoReport()
    tree = ensure_site_tree()
    fill_footer(tree)
    load_organisations(data["organisations"], report)
    load_networks(data["networks"], tree, report)
    load_programmes(data["programmes"], tree, report)
    load_standard_pages(data["standard_pages"], tree, report)
    importer = LibraryImport([json.dumps(entry) for entry in data["entries"]])
    import_report = importer.plan()
    if not import_report.ok:
        report.import_problems = [str(problem) for problem in import_report.problems]
        transaction.set_rollback(True)
        return report
    importer.write()
    report.created["entries"] = import_report.created
    report.created["entries updated"] = import_report.updated
    attach_images([entry["slug"] for entry in data["entries"]], report)
    load_demo_translations(report)
    ensure_editorial_roles()  # the roles' page permissions and the workflow need the pages above
    return report
