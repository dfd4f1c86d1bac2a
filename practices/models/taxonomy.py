"""Language-neutral reference records (SDG, Territory, Theme) with a label per language.

They are not TranslatableMixin snippets on purpose: wagtail-localize copies many-to-many links unchanged,
so an English page keeps pointing at the same rows and reads the English label from them.
"""

from django.db import models
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import fold


def localized(obj, field):
    """The English value of `field` when English is active and filled in; the Italian one otherwise."""
    if (get_language() or "it").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, f"{field}_it")


class SDG(models.Model):
    number = models.PositiveSmallIntegerField(
        _("numero"), unique=True, help_text=_("Numero dell'obiettivo, da 1 a 17: è la chiave usata negli URL.")
    )
    colour = models.CharField(_("colore"), max_length=7, help_text=_("Colore ufficiale, es. #E5243B."))
    short_it = models.CharField(_("nome breve (italiano)"), max_length=80)
    short_en = models.CharField(_("nome breve (inglese)"), max_length=80, blank=True)
    title_it = models.CharField(_("titolo (italiano)"), max_length=255)
    title_en = models.CharField(_("titolo (inglese)"), max_length=255, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("obiettivo di sviluppo sostenibile")
        verbose_name_plural = _("obiettivi di sviluppo sostenibile")

    def __str__(self):
        return f"{self.number}. {self.short}"

    @property
    def short(self):
        return localized(self, "short")

    @property
    def title(self):
        return localized(self, "title")


class Territory(models.Model):
    """One ISTAT territory. Ancestor codes are denormalised columns, and each row carries its own code in
    the column of its level, so "everything inside region 01" is `region_code="01"`: one indexed query."""

    class Level(models.TextChoices):
        MACROAREA = "macroarea", _("Ripartizione geografica")
        REGION = "region", _("Regione")
        PROVINCE = "province", _("Provincia")
        MUNICIPALITY = "municipality", _("Comune")

    code = models.CharField(_("codice ISTAT"), max_length=6, unique=True)
    level = models.CharField(_("livello"), max_length=12, choices=Level.choices, db_index=True)
    name = models.CharField(_("nome"), max_length=120)
    name_en = models.CharField(
        _("nome in inglese"), max_length=120, blank=True, help_text=_("Solo se diverso dal nome italiano.")
    )
    name_other = models.CharField(_("nome nella seconda lingua ufficiale"), max_length=120, blank=True)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("territorio superiore"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    macroarea_code = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    region_code = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    province_code = models.CharField(max_length=3, blank=True, db_index=True, editable=False)
    sigla = models.CharField(_("sigla"), max_length=2, blank=True)
    cadastral = models.CharField(_("codice catastale"), max_length=4, blank=True)
    nuts3 = models.CharField("NUTS-3", max_length=5, blank=True)
    population = models.PositiveIntegerField(_("popolazione residente"), null=True, blank=True)
    latitude = models.FloatField(_("latitudine"), null=True, blank=True)
    longitude = models.FloatField(_("longitudine"), null=True, blank=True)
    is_capital = models.BooleanField(_("capoluogo di provincia"), default=False)

    LEVEL_RANK = {"macroarea": 0, "region": 1, "province": 2, "municipality": 3}
    # The column that places a row inside a territory of each level ("inside region 01": region_code="01").
    LEVEL_COLUMN = {
        "macroarea": "macroarea_code",
        "region": "region_code",
        "province": "province_code",
        "municipality": "code",
    }
    # The level listed under a territory when a visitor drills down (regions under Italy, None below a comune).
    CHILD_LEVEL = {
        None: "region",
        "macroarea": "region",
        "region": "province",
        "province": "municipality",
        "municipality": None,
    }

    class Meta:
        ordering = ["code"]
        verbose_name = _("territorio")
        verbose_name_plural = _("territori")

    def __str__(self):
        # Provinces and their capitals share names ("Torino"): say which one is meant.
        if self.level == self.Level.MUNICIPALITY and self.sigla:
            return f"{self.label} ({self.sigla})"
        if self.level == self.Level.PROVINCE:
            return _("%(name)s (provincia)") % {"name": self.label}
        return self.label

    def save(self, *args, **kwargs):
        self.name_folded = fold(" ".join(filter(None, [self.name, self.name_other, self.name_en])))
        super().save(*args, **kwargs)

    @property
    def label(self):
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def ancestor_codes(self):
        """Codes of this territory and every territory that contains it, from the macro-area down."""
        return [c for c in (self.macroarea_code, self.region_code, self.province_code) if c and c != self.code] + [
            self.code
        ]

    @classmethod
    def inside_lookup(cls, code, level, prefix=""):
        """The filter that selects rows placed inside the territory `code` of `level` (itself included)."""
        column = cls.LEVEL_COLUMN[level]
        return {f"{prefix}{column}": code}


class Theme(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Chiave usata negli URL."))
    name_it = models.CharField(_("nome (italiano)"), max_length=120)
    name_en = models.CharField(_("nome (inglese)"), max_length=120, blank=True)
    description = models.TextField(_("descrizione"), blank=True)

    class Meta:
        ordering = ["name_it"]
        verbose_name = _("tema")
        verbose_name_plural = _("temi")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name_it)[:80]
        super().save(*args, **kwargs)

    @property
    def name(self):
        return localized(self, "name")
