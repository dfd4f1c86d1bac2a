from wagtail import hooks

from .selection import take_away

hooks.register("library_format", take_away)
