"""The Wagtail admin as editors, moderators, trainers and translators use it: snippets, choosers, dashboard,
bulk actions, roles."""

from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    default_auto_field = "django.db.models.BigAutoField"
