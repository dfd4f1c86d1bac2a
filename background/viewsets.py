"""Read-only admin listings for what workers write (task results here, background imports in importer/)."""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy


class OperatorsOnly(ModelPermissionPolicy):
    """Superusers may look; nobody adds, edits or deletes (the workers write these rows)."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.is_superuser


class ReadOnlyViewSet(ModelViewSet):
    """Listed in the admin's Settings menu (superusers only), with an inspect view and no form."""

    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_settings_menu = True
    form_fields = []  # no form is ever shown: nobody may add or edit

    def on_register(self):
        register_permission_policy(self.model, OperatorsOnly(self.model), exact_class=True)
        super().on_register()
