"""Public proposals: a visitor proposes a practice, which becomes a draft for the moderators."""

from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    default_auto_field = "django.db.models.BigAutoField"
