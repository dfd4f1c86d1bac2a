"""No tables of its own: LibraryIndexPage is a model of the `practices` app, defined in library/pages.py with
the read side it renders and imported here so that Django registers it when it loads the apps' models."""

from .pages import LibraryIndexPage

__all__ = ["LibraryIndexPage"]
