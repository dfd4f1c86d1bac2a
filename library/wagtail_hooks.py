"""What the library gives the pages of the layer below it through Wagtail hooks."""

from wagtail import hooks

from practices.models.entries import SIMILAR_PRACTICES_HOOK

from .related import similar_practices

hooks.register(SIMILAR_PRACTICES_HOOK, similar_practices)
