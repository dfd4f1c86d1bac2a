from django import template

from practices.visibility import visible

register = template.Library()


@register.simple_tag
def menu_pages(home):
    """The home's children shown in menus that the public may read: a restricted section is not announced."""
    if home is None:
        return []
    return visible(home.get_children()).in_menu()
