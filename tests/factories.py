import factory
import wagtail_factories

from practices.models import (
    SDG,
    CaseStudyPage,
    EntryTerritory,
    GoodPracticePage,
    NetworkPage,
    Organisation,
    ResidencyPage,
    Territory,
    Theme,
    TrainingModulePage,
    TrainingProgrammePage,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Associazione numero {n}")
    type = Organisation.Type.APS


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name_it = factory.Sequence(lambda n: f"tema {n}")
    slug = factory.LazyAttribute(lambda theme: theme.name_it.replace(" ", "-"))


class NetworkPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NetworkPage

    title = factory.Sequence(lambda n: f"Rete {n}")
    summary = "Una rete di prova."


class EntryFactory(wagtail_factories.PageFactory):
    """An entry tagged with SDGs and territories, as published entries are. Pass `sdgs=[13]` and
    `territories=["001078"]` (ISTAT codes) to choose them."""

    title = factory.Sequence(lambda n: f"Voce {n}")
    summary = "Un sommario di prova."
    year = 2022

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def sdgs(page, create, numbers, **kwargs):
        page.sdgs.set(SDG.objects.filter(number__in=numbers or [11]))

    @factory.post_generation
    def territories(page, create, codes, **kwargs):
        for code in codes or ["001272"]:
            EntryTerritory.objects.create(page=page, territory=Territory.objects.get(code=code))

    @factory.post_generation
    def commit_links(page, create, extracted, **kwargs):
        """ParentalManyToManyField changes live in memory until the page is saved."""
        if create:
            page.save()


class GoodPracticeFactory(EntryFactory):
    class Meta:
        model = GoodPracticePage


class CaseStudyFactory(EntryFactory):
    class Meta:
        model = CaseStudyPage


class TrainingProgrammeFactory(wagtail_factories.PageFactory):
    class Meta:
        model = TrainingProgrammePage

    title = "Reti solidali e competenti"


class TrainingModuleFactory(EntryFactory):
    class Meta:
        model = TrainingModulePage

    number = factory.Sequence(lambda n: n + 1)


class ResidencyFactory(EntryFactory):
    class Meta:
        model = ResidencyPage
