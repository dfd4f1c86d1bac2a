from .entries import (
    CaseStudyPage,
    CaseStudyPractice,
    EntryOrganisation,
    EntryTerritory,
    GoodPracticePage,
    LibraryEntry,
    LibraryEntryForm,
)
from .organisations import NetworkIndexPage, NetworkMember, NetworkPage, NetworkTerritory, Organisation
from .residencies import ResidencyIndexPage, ResidencyPage, ResidencyPractice
from .taxonomy import SDG, Territory, Theme
from .training import ModulePractice, TrainingModulePage, TrainingProgrammePage

# The public keys of the four entry types, used by the import, the facets and the API.
ENTRY_TYPES = {
    model.entry_type_key: model for model in (GoodPracticePage, CaseStudyPage, ResidencyPage, TrainingModulePage)
}

__all__ = [
    "ENTRY_TYPES",
    "SDG",
    "CaseStudyPage",
    "CaseStudyPractice",
    "EntryOrganisation",
    "EntryTerritory",
    "GoodPracticePage",
    "LibraryEntry",
    "LibraryEntryForm",
    "ModulePractice",
    "NetworkIndexPage",
    "NetworkMember",
    "NetworkPage",
    "NetworkTerritory",
    "Organisation",
    "ResidencyIndexPage",
    "ResidencyPage",
    "ResidencyPractice",
    "Territory",
    "Theme",
    "TrainingModulePage",
    "TrainingProgrammePage",
]
