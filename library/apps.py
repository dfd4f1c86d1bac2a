"""The library's read side: the query object, facets, map, the index and landing pages, the search page and
the suggestions."""

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    default_auto_field = "django.db.models.BigAutoField"
