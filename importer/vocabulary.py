"""What import lines refer to by name or key: SDGs, territories, themes, networks, organisations and training
programmes. Loaded once per import; names the library does not know yet are collected, to be created when the
import is written (themes, networks, organisations) and listed in its report."""

from django.utils.text import slugify

from core.text import fold
from practices.models import SDG, NetworkPage, Organisation, Territory, Theme, TrainingProgrammePage

from .checks import LineError, string_value, strings_in


class Vocabulary:
    """The rows that exist and the ones the import will create, by the keys the lines use."""

    def __init__(self):
        self.territories = {}  # ISTAT code -> Territory, for the codes the lines read so far name
        self.looked_up = set()
        self.sdgs = {s.number: s for s in SDG.objects.all()}
        self.themes = list(Theme.objects.all())
        self.theme_by_key = {}
        for theme in self.themes:
            self.theme_by_key[theme.slug] = theme.slug
            self.theme_by_key[fold(theme.name_it)] = theme.slug
            if theme.name_en:
                self.theme_by_key.setdefault(fold(theme.name_en), theme.slug)
        self.new_themes = {}  # slug -> name
        self.networks = {}
        self.network_by_translation = {}  # (locale_id, translation_key) -> slug
        self.translation_key_by_name = {}  # folded title or slug -> translation_key, in any language
        for network in NetworkPage.objects.all().only("id", "title", "slug", "locale_id", "translation_key"):
            self.networks[(network.locale_id, network.slug)] = network.slug
            self.networks[(network.locale_id, fold(network.title))] = network.slug
            self.network_by_translation[(network.locale_id, network.translation_key)] = network.slug
            self.translation_key_by_name.setdefault(fold(network.title), network.translation_key)
            self.translation_key_by_name.setdefault(network.slug, network.translation_key)
        self.new_networks = {}  # (locale_id, slug) -> title
        self.organisations = {fold(name): name for name in Organisation.objects.values_list("name", flat=True)}
        self.new_organisations = {}
        self.programmes = {}
        for programme in TrainingProgrammePage.objects.all().only("id", "slug", "locale_id"):
            self.programmes[(programme.locale_id, programme.slug)] = programme

    def load_territories(self, lines_data):
        """Fetch the territories a batch of decoded lines names, before its lines are parsed: one query per
        batch, and only the territories a file uses stay in memory."""
        codes = set()
        for data in lines_data:
            if isinstance(data, dict):
                codes.update(strings_in(data.get("territories")))
                if isinstance(data.get("city"), str):
                    codes.add(data["city"])
        codes -= self.looked_up
        self.looked_up |= codes
        ordered = sorted(codes)
        for start in range(0, len(ordered), 500):  # SQLite takes a bounded number of parameters per query
            batch = ordered[start : start + 500]
            self.territories.update((t.code, t) for t in Territory.objects.filter(code__in=batch))

    def theme(self, name):
        name = string_value(name, "themes", max_length=Theme._meta.get_field("name_it").max_length)
        key = fold(name)
        if key in self.theme_by_key:
            return self.theme_by_key[key]
        slug = slugify(name)[:80]
        if not slug:
            raise LineError("themes", f'"{name}" cannot be turned into a theme')
        if slug in self.theme_by_key:
            return self.theme_by_key[slug]
        self.new_themes[slug] = name
        self.theme_by_key[key] = self.theme_by_key[slug] = slug
        return slug

    def network(self, locale_id, name, field_name="networks"):
        name = string_value(name, field_name, max_length=NetworkPage._meta.get_field("title").max_length)
        key = fold(name)
        for candidate in ((locale_id, key), (locale_id, slugify(name))):
            if candidate in self.networks:
                return self.networks[candidate]
        # A network known in another language is that network, not a new one: use its translation.
        translation_key = self.translation_key_by_name.get(key) or self.translation_key_by_name.get(slugify(name))
        if translation_key:
            translated = self.network_by_translation.get((locale_id, translation_key))
            if translated is None:
                raise LineError(field_name, f'"{name}" has no translation in this language yet: translate it first')
            return translated
        slug = slugify(name)[:255]
        if not slug:
            raise LineError(field_name, f'"{name}" cannot be turned into a network')
        self.new_networks[(locale_id, slug)] = name
        self.networks[(locale_id, key)] = self.networks[(locale_id, slug)] = slug
        return slug

    def organisation(self, name):
        name = string_value(name, "organisations", max_length=Organisation._meta.get_field("name").max_length)
        key = fold(name)
        if key not in self.organisations:
            self.organisations[key] = name
            self.new_organisations[key] = name
        return self.organisations[key]
