"""Builds the demo library from bootstrap/data/demo_library.json, written from the seeds. Idempotent: pages
and records are matched by slug or name, entries go through the import (so they are upserted the same
way), and images are generated with Pillow only for entries that have none."""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.models import Site
from wagtail.rich_text import RichText

from core.publishing import publish
from editorial.roles import ensure_editorial_roles
from home.models import SiteFooter, StandardPage
from home.site_tree import ensure_site_tree
from importer.pipeline import LibraryImport
from pictures.art import hero_art
from practices.models import (
    LibraryEntry,
    NetworkMember,
    NetworkPage,
    NetworkTerritory,
    Organisation,
    Territory,
    TrainingProgrammePage,
)

from .demo_details import add_details
from .demo_translations import load_demo_translations

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_library.json"


@dataclass
class DemoReport:
    created: dict = field(default_factory=dict)
    import_problems: list = field(default_factory=list)

    def count(self, kind, created=True):
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def paragraph_blocks(texts):
    """StreamField paragraph blocks, one per text (core.text.paragraphs splits a text into paragraphs)."""
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
            description=paragraph_blocks(item["description"]),
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
            body=paragraph_blocks(item["body"]),
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
            body=paragraph_blocks(item["body"]),
            show_in_menus=True,
            locale=tree.home.locale,
        )
        tree.home.add_child(instance=page)
        publish(page)
        report.count("standard pages")


def hero_picture(entry):
    """A 1200x630 picture in the colours of the entry's goals, different for each entry, with no text on it:
    the title is the page's heading, and text in a picture is cut by the layout and stays Italian in English."""
    colours = [sdg.colour for sdg in entry.sdgs.order_by("number")] or ["#19486A"]
    return hero_art(colours, entry.slug)


def _drawn_by_an_older_demo(entry):
    """Pictures earlier versions of the demo drew, with the title baked in: replaced by the new ones."""
    image = entry.hero_image
    return image is not None and image.file.name.startswith(f"original_images/demo-{entry.slug}")


def attach_images(slugs, report):
    """Pictures for the demo's own entries that have none (or an outdated demo picture); entries imported by
    editors are left alone."""
    image_model = get_image_model()
    entries = LibraryEntry.objects.filter(slug__in=slugs).select_related("hero_image").specific()
    for entry in entries:
        if entry.hero_image_id and not _drawn_by_an_older_demo(entry):
            continue
        old = entry.hero_image
        image = image_model(title=entry.title[:255])
        image.file = ImageFile(hero_picture(entry), name=f"demo-art-{entry.slug}.jpg")
        image.save()
        entry.hero_image = image
        publish(entry)
        if old is not None and not LibraryEntry.objects.filter(hero_image=old).exists():
            old.delete()
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
    if not footer.footer_text_en:
        footer.footer_text_en = (
            "<p>The Library of Good Practices gathers the experience of Italian territorial networks so that other "
            "places can learn from it and do the same.</p>"
        )
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
    add_details([entry["slug"] for entry in data["entries"]], report)
    load_demo_translations(report)
    ensure_editorial_roles()  # the roles' page permissions and the workflow need the pages above
    return report
