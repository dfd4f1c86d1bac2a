import pytest
from django.utils import translation

from bootstrap.reference_data import load_reference_data
from practices.models import SDG, Territory, Theme

pytestmark = pytest.mark.django_db


def test_all_seventeen_goals_with_colours_and_both_languages():
    assert SDG.objects.count() == 17
    climate = SDG.objects.get(number=13)
    assert climate.colour == "#3F7E44"
    assert climate.short_it == "Lotta contro il cambiamento climatico"
    assert climate.short_en == "Climate Action"


def test_every_istat_territory_is_loaded_by_level():
    counts = {level: Territory.objects.filter(level=level).count() for level in Territory.Level.values}
    assert counts == {"macroarea": 5, "region": 20, "province": 107, "municipality": 7896}


def test_loading_again_changes_nothing():
    before = list(Territory.objects.order_by("code").values())
    report = load_reference_data()
    assert not report.changed
    assert report.created == {"sdgs": 0, "territories": 0, "themes": 0}
    assert list(Territory.objects.order_by("code").values()) == before


def test_loading_again_repairs_an_edited_row_and_keeps_editors_themes():
    Territory.objects.filter(code="001078").update(name="Chieri sbagliato", population=1)
    Theme.objects.filter(slug="volontariato").update(name_en="Volunteer work (edited)")
    report = load_reference_data()
    assert report.updated["territories"] == 1
    chieri = Territory.objects.get(code="001078")
    assert chieri.name == "Chieri" and chieri.population > 30000
    assert Theme.objects.get(slug="volontariato").name_en == "Volunteer work (edited)"


def test_municipality_carries_its_ancestors_codes():
    chieri = Territory.objects.get(code="001078")
    assert (chieri.macroarea_code, chieri.region_code, chieri.province_code) == ("M1", "01", "001")
    assert chieri.parent.code == "001" and chieri.parent.parent.code == "01"
    assert chieri.ancestor_codes == ["M1", "01", "001", "001078"]
    assert chieri.latitude and chieri.longitude and chieri.sigla == "TO"


def test_region_lookup_selects_everything_inside_it_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        inside = set(Territory.objects.filter(**Territory.inside_lookup("01", "region")).values_list("code", flat=True))
    assert {"01", "001", "001078", "001272"} <= inside
    assert "015146" not in inside  # Milano is in Lombardia
    assert len(inside) == 1 + 8 + 1180


def test_macroarea_lookup_includes_islands_municipalities():
    islands = Territory.objects.filter(**Territory.inside_lookup("M5", "macroarea"))
    assert islands.filter(code="089017").exists()  # Siracusa
    assert not islands.filter(code="058091").exists()  # Roma


def test_labels_follow_the_active_language_and_fall_back_to_italian():
    theme = Theme.objects.create(slug="solo-italiano", name_it="solo italiano")
    with translation.override("en"):
        assert SDG.objects.get(number=4).short == "Quality Education"
        assert Territory.objects.get(code="01").label == "Piedmont"
        assert Territory.objects.get(code="001078").label == "Chieri"
        assert theme.name == "solo italiano"
    with translation.override("it"):
        assert SDG.objects.get(number=4).short == "Istruzione di qualità"
        assert Territory.objects.get(code="01").label == "Piemonte"


def test_folded_names_ignore_accents_and_case():
    assert Territory.objects.filter(name_folded="forli").exists()
    assert Territory.objects.get(code="040012").name == "Forlì"
