"""The base of every page of the site: the SEO and sharing fields, and what wagtail-localize translates.
An abstract model, so it owns no table: each page type's table carries these columns."""

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, PageViewRestriction
from wagtail_localize.fields import SynchronizedField, TranslatableField


class BasePage(Page):
    """SEO and sharing fields that every page of the site carries."""

    # Set by listings on the pages they show (core.languages marks a page shown in another language) and read
    # by the templates: a default here, because a template reading a missing attribute makes Django call dir()
    # on the page (about 0.15 ms each, dozens of times in a listing).
    in_other_language = False

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("immagine per la condivisione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Mostrata quando la pagina è condivisa sui social; se vuota si usa l'immagine principale."),
    )

    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description"), FieldPanel("social_image")],
            heading=_("Per i motori di ricerca e la condivisione"),
        ),
        FieldPanel("show_in_menus"),
    ]

    # wagtail-localize: text is translated, everything else is copied from the Italian source on each sync.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        SynchronizedField("social_image"),
        SynchronizedField("show_in_menus"),
    ]

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        """The view restrictions that apply to this page (Wagtail's check before serving it): on the page or an
        ancestor, or on the page an alias among them copies, and on that one's source if it is an alias too,
        as far as the chain goes: what Wagtail's own method finds, in one query (a recursive one) rather than
        two and one more per alias. A restriction set on an alias itself, which Wagtail's admin does not
        allow, counts too."""
        steps = range(self.steplen, len(self.path) + 1, self.steplen)
        chain = [self.path[:end] for end in steps]
        pages = connection.ops.quote_name(Page._meta.db_table)
        checked = RawSQL(
            f"WITH RECURSIVE checked(id, alias_of_id) AS ("
            f" SELECT id, alias_of_id FROM {pages} WHERE path IN ({', '.join(['%s'] * len(chain))})"
            f" UNION SELECT page.id, page.alias_of_id FROM {pages} page JOIN checked ON page.id = checked.alias_of_id"
            f") SELECT id FROM checked",
            chain,
        )
        return PageViewRestriction.objects.filter(page_id__in=checked)

    def structured_data(self, request):
        """schema.org properties for JSON-LD; page types that are things of their own override it."""
        return None
