"""Admin panels that help editors, rather than edit fields."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


def is_blank(value):
    return not strip_tags(str(value or "")).replace("&nbsp;", " ").strip()


def missing_parts(page):
    """Labels of what a good practice still lacks: the sections of the UN template left empty, then goals,
    territories, summary and image. Reads the page as it is in the form (in memory), not the database."""
    missing = [label for name, label in page.SECTIONS if is_blank(getattr(page, name, ""))]
    if not page.sdgs.all():
        missing.append(_("Obiettivi di sviluppo sostenibile"))
    if not page.territory_links.all():
        missing.append(_("Territori"))
    if is_blank(page.summary):
        missing.append(_("Sommario"))
    if not page.hero_image_id:
        missing.append(_("Immagine principale"))
    return missing


class CompletenessPanel(Panel):
    """A read-only note at the top of the form: what of the practice sheet is filled in and what is not."""

    def __init__(self, heading=None, **kwargs):
        super().__init__(heading=heading or _("Completezza della scheda"), **kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "completeness"

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtailadmin/panels/completeness.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            missing = missing_parts(self.instance)
            total = len(self.instance.SECTIONS) + 4
            context.update(missing=missing, done=total - len(missing), total=total)
            return context
