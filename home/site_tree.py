"""The skeleton of the page tree that the import and the demo library both need: one HomePage as the
site root with the library, residencies and networks indexes under it. Creating it is idempotent."""

from dataclasses import dataclass

from wagtail.models import Locale, Page, Site

from core.publishing import publish
from home.models import HomePage
from library.pages import LibraryIndexPage
from practices.models import NetworkIndexPage, ResidencyIndexPage


@dataclass
class SiteTree:
    home: HomePage
    library: LibraryIndexPage
    residencies: ResidencyIndexPage
    networks: NetworkIndexPage


def ensure_home():
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site and isinstance(site.root_page.specific, HomePage):
        return site.root_page.specific
    root = Page.get_first_root_node()
    home = HomePage(
        title="Libreria delle Buone Pratiche",
        slug="libreria",
        locale=Locale.get_default(),
        intro="<p>Le buone pratiche, i casi studio, le residenze e i moduli formativi delle reti territoriali "
        "italiane, da cercare per obiettivo di sviluppo sostenibile, territorio, rete e tema.</p>",
    )
    root.add_child(instance=home)
    publish(home)
    if site is None:
        site = Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Libreria delle Buone Pratiche",
        )
    else:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Libreria delle Buone Pratiche"
        site.save()
        # Wagtail's own "Welcome" placeholder goes; a root page someone built content under stays.
        if type(old_root.specific) is Page and not old_root.get_children().exists():
            old_root.delete()
    return home


def ensure_child(parent, model, title, slug, **fields):
    existing = model.objects.child_of(parent).first()
    if existing:
        return existing
    page = model(title=title, slug=slug, show_in_menus=True, locale=parent.locale, **fields)
    parent.add_child(instance=page)
    publish(page)
    return page


def ensure_site_tree():
    home = ensure_home()
    return SiteTree(
        home=home,
        library=ensure_child(
            home,
            LibraryIndexPage,
            "Biblioteca",
            "biblioteca",
            intro="<p>Tutte le voci della biblioteca: buone pratiche, casi studio, residenze e moduli formativi.</p>",
        ),
        residencies=ensure_child(
            home,
            ResidencyIndexPage,
            "Residenze",
            "residenze",
            intro="<p>Giornate trascorse nei territori per vedere le pratiche dove nascono.</p>",
        ),
        networks=ensure_child(
            home,
            NetworkIndexPage,
            "Reti",
            "reti",
            intro="<p>Le reti territoriali che hanno prodotto le pratiche della biblioteca.</p>",
        ),
    )
