"""Setting a site up: reference data, the page tree's skeleton, the demo library, development commands."""

from django.apps import AppConfig


class BootstrapConfig(AppConfig):
    name = "bootstrap"
    default_auto_field = "django.db.models.BigAutoField"
