"""The leaf every other package builds on: the page base, text, languages, visibility, publishing. An app only
so that the abstract BasePage has an app label (the search backends name a page's ancestors by it)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from core.languages import begin_request, end_request

        request_started.connect(begin_request, dispatch_uid="core.languages.begin_request")
        request_finished.connect(end_request, dispatch_uid="core.languages.end_request")
