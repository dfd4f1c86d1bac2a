"""Settings > "Importazioni" in the admin (superusers only, read only): the background imports
(`import_library --background`), their progress, outcome and problems."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from background.viewsets import ReadOnlyViewSet
from importer.models import ImportJob


class ImportJobViewSet(ReadOnlyViewSet):
    model = ImportJob
    menu_label = _("Importazioni")
    icon = "upload"
    url_prefix = "background/imports"
    list_display = ["filename", "status", "progress", "created", "updated", "unchanged", "created_at", "finished_at"]
    list_filter = ["status"]
    inspect_view_fields = [
        "filename",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "total",
        "done",
        "created",
        "updated",
        "unchanged",
        "problems",
        "task_id",
    ]


@hooks.register("register_admin_viewset")
def register_import_jobs():
    return ImportJobViewSet()
