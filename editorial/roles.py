"""The editorial roles' page and collection permissions and the moderation workflow.

The groups and their model permissions come from the migration home/0003_editorial_roles. What needs pages
(GroupPagePermission, WorkflowPage) is assigned here, once the site tree exists: ensure_editorial_roles() is
idempotent, adds what is missing and never removes what an administrator granted by hand."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from home.models import HomePage
from library.pages import LibraryIndexPage
from practices.models import NetworkIndexPage, ResidencyIndexPage, TrainingProgrammePage

EDITORS = "Redattori"
MODERATORS = "Moderatori"
TRAINERS = "Formatori"
TRANSLATORS = "Traduttori"
ROLES = (EDITORS, MODERATORS, TRAINERS, TRANSLATORS)

WORKFLOW_NAME = "Revisione della biblioteca"
TASK_NAME = "Approvazione dei Moderatori"

EDIT = ("add_page", "change_page")
MODERATE = ("change_page", "publish_page", "lock_page", "unlock_page")
MEDIA = (
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
)
CHOOSE_MEDIA = ("wagtailimages.choose_image", "wagtaildocs.choose_document")
COLLECTION_PERMISSIONS = {EDITORS: MEDIA, MODERATORS: MEDIA, TRAINERS: MEDIA, TRANSLATORS: CHOOSE_MEDIA}


def _pages(locale):
    """The pages the roles hang on, in one locale (None when the locale or the page is missing)."""
    if locale is None:
        return {"home": None, "library": None, "networks": None, "residencies": None, "programmes": []}
    return {
        "home": HomePage.objects.filter(locale=locale).first(),
        "library": LibraryIndexPage.objects.filter(locale=locale).first(),
        "networks": NetworkIndexPage.objects.filter(locale=locale).first(),
        "residencies": ResidencyIndexPage.objects.filter(locale=locale).first(),
        "programmes": list(TrainingProgrammePage.objects.filter(locale=locale)),
    }


def _permission(name):
    app_label, codename = name.split(".") if "." in name else ("wagtailcore", name)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def page_grants():
    """{group name: [(page, codename), …]} for the pages that exist now."""
    italian = _pages(Locale.get_default())
    english = _pages(Locale.objects.filter(language_code="en").first())
    grants = {
        # Editors write entries and networks; the workflow publishes them.
        EDITORS: [(italian["library"], EDIT), (italian["networks"], EDIT)],
        # Trainers build programmes' modules and residencies (new programmes are created by an administrator).
        TRAINERS: [(italian["residencies"], EDIT), *((programme, EDIT) for programme in italian["programmes"])],
        # Moderators review and publish everywhere, translations included.
        MODERATORS: [(italian["home"], MODERATE), (english["home"], MODERATE)],
        # Translators write the English tree only.
        TRANSLATORS: [(english["home"], EDIT)],
    }
    return {
        group: [(page, codename) for page, codenames in pairs if page is not None for codename in codenames]
        for group, pairs in grants.items()
    }


def moderated_pages():
    """Where the workflow starts: every section an editor, trainer or translator can write in."""
    pages = []
    for locale in (Locale.get_default(), Locale.objects.filter(language_code="en").first()):
        found = _pages(locale)
        pages += [found["library"], found["networks"], found["residencies"], *found["programmes"]]
    return [page for page in pages if page is not None]


def ensure_workflow(moderators):
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(moderators)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for page in moderated_pages():
        # A section an administrator moved to another workflow keeps it.
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def ensure_editorial_roles():
    """Give the four groups their page and collection permissions and set up the moderation workflow."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    permissions = {}
    for group_name, grants in page_grants().items():
        for page, codename in grants:
            permission = permissions.setdefault(codename, _permission(codename))
            GroupPagePermission.objects.get_or_create(group=groups[group_name], page=page, permission=permission)
    root = Collection.get_first_root_node()
    for group_name, names in COLLECTION_PERMISSIONS.items():
        for name in names:
            permission = permissions.setdefault(name, _permission(name))
            GroupCollectionPermission.objects.get_or_create(
                group=groups[group_name], collection=root, permission=permission
            )
    return ensure_workflow(groups[MODERATORS])
