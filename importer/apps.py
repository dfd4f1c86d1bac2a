"""The all-or-nothing import of entries from JSON Lines, and the generator of test libraries."""

from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
    default_auto_field = "django.db.models.BigAutoField"
