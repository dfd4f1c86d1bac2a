"""The operator's view of background work in the Wagtail admin (superusers only, read only): Settings >
"Attività in background" lists the task results of the database backend (what is queued, running, done,
and every failure with its traceback). With the RQ backend the results live in Redis: `manage.py rqstats`
and RQ's own tools show them. The background imports are listed by importer/wagtail_hooks.py."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from background.viewsets import ReadOnlyViewSet


class TaskResultViewSet(ReadOnlyViewSet):
    model = DBTaskResult
    menu_label = _("Attività in background")
    icon = "tasks"
    url_prefix = "background/tasks"
    list_display = ["task_path", "status", "queue_name", "enqueued_at", "finished_at", "exception_class_path"]
    list_filter = ["status", "queue_name"]
    search_fields = ["task_path", "exception_class_path"]
    inspect_view_fields = [
        "task_path",
        "status",
        "queue_name",
        "enqueued_at",
        "started_at",
        "finished_at",
        "run_after",
        "worker_ids",
        "args_kwargs",
        "return_value",
        "exception_class_path",
        "traceback",
    ]
    ordering = ["-enqueued_at"]


@hooks.register("register_admin_viewset")
def register_task_results():
    return TaskResultViewSet()
