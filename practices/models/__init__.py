from .entries import (
    CaseStudyPage,
    CaseStudyPractice,
    EntryOrganisation,
    EntryTerritory,
    GoodPracticePage,
    LibraryEntry,
    LibraryEntryForm,
)
from .library import ENTRY_TYPES, LibraryIndexPage
from .organisations import NetworkIndexPage, NetworkMember, NetworkPage, NetworkTerritory, Organisation
from .residencies import ResidencyIndexPage, ResidencyPage, ResidencyPractice
from .taxonomy import SDG, Territory, Theme
from .training import ModulePractice, TrainingModulePage, TrainingProgrammePage

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
    "LibraryIndexPage",
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
