"""StreamField blocks of the library, one template each in templates/blocks/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("valore"), max_length=30, help_text=_("Il numero, es. «100+» o «32%»."))
    label = blocks.CharBlock(label=_("descrizione"), max_length=120, help_text=_("es. «organizzazioni coinvolte»."))

    class Meta:
        icon = "pick"
        label = _("Dato chiave")
        template = "blocks/key_figure.html"


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Titoletto")
        template = "blocks/heading.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("citazione"))
    author = blocks.CharBlock(label=_("autore"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citazione")
        template = "blocks/quote.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("immagine"))
    caption = blocks.CharBlock(label=_("didascalia"), required=False)
    alt_text = blocks.CharBlock(
        label=_("testo alternativo"),
        required=False,
        help_text=_("Descrivi l'immagine per chi non la vede; lascia vuoto se è decorativa."),
    )

    class Meta:
        icon = "image"
        label = _("Immagine")
        template = "blocks/captioned_image.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Paragrafo"), template="blocks/paragraph.html"
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    key_figure = KeyFigureBlock()


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("documento"))
    title = blocks.CharBlock(
        label=_("titolo"), required=False, help_text=_("Se vuoto, si usa il titolo del documento.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Allegato")
        template = "blocks/document_link.html"


class ExternalLinkBlock(blocks.StructBlock):
    url = blocks.URLBlock(label=_("indirizzo"))
    title = blocks.CharBlock(label=_("titolo"))

    class Meta:
        icon = "link"
        label = _("Link")
        template = "blocks/external_link.html"


class ResourceBlock(blocks.StreamBlock):
    document = DocumentLinkBlock()
    link = ExternalLinkBlock()


class DatedItemValue(blocks.StructValue):
    def is_past(self):
        from django.utils import timezone

        return bool(self.get("date")) and self["date"] < timezone.localdate()


class SessionBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("data"))
    title = blocks.CharBlock(label=_("titolo"), required=False)
    place = blocks.CharBlock(label=_("luogo"), required=False, help_text=_("Città o «online»."))

    class Meta:
        icon = "date"
        label = _("Sessione")
        template = "blocks/session.html"
        value_class = DatedItemValue


class ProgrammeDayBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("giorno"))
    title = blocks.CharBlock(label=_("titolo della giornata"))
    description = blocks.TextBlock(label=_("attività"), required=False)

    class Meta:
        icon = "date"
        label = _("Giornata")
        template = "blocks/programme_day.html"
        value_class = DatedItemValue


class MacroActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titolo"))
    description = blocks.TextBlock(label=_("descrizione"), required=False)

    class Meta:
        icon = "list-ul"
        label = _("Macro-azione")
        template = "blocks/macro_action.html"


class HubBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("nome"))
    area = blocks.ChoiceBlock(
        label=_("area"), choices=[("nord", _("Nord")), ("centro", _("Centro")), ("sud", _("Sud"))]
    )
    territory = SnippetChooserBlock("practices.Territory", label=_("territorio"), required=False)
    description = blocks.TextBlock(label=_("descrizione"), required=False)

    class Meta:
        icon = "site"
        label = _("Hub")
        template = "blocks/hub.html"
