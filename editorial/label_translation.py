"""Translators edit the English labels of the taxonomies, nothing else.

A translator holds `practices.translate_<model>` instead of `practices.change_<model>` (migration
home/0004_translate_labels). The model's permission policy lets that permission open the snippet edit view,
and the edit view then builds its form from a panel list where only the `_en` fields are editable: the
Italian labels, colours, numbers and slugs are shown read-only and are not form fields at all, so a POSTed
value for them is never bound to the instance."""

from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import EditView


class LabelTranslationPolicy(ModelPermissionPolicy):
    """Wagtail's model policy, where the "change" action is also granted by `translate_<model>`."""

    @property
    def translate_permission(self):
        return f"{self.app_label}.translate_{self.model_name}"

    def user_has_permission(self, user, action):
        if action == "change" and user.has_perm(self.translate_permission):
            return True
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        codenames = self._get_permission_codenames(actions)
        if "change" in actions:
            codenames.add(f"translate_{self.model_name}")
        return self._get_users_with_any_permission_codenames(codenames)

    def user_may_change_everything(self, user):
        return super().user_has_permission(user, "change")


class LabelTranslationEditView(EditView):
    translator_panel = None

    def translating_only(self):
        return not self.permission_policy.user_may_change_everything(self.request.user)

    def get_panel(self):
        return self.translator_panel if self.translating_only() else super().get_panel()

    def get_form_class(self):
        # The viewset hands every edit view the full form class: a translator's comes from their panel.
        return self.translator_panel.get_form_class() if self.translating_only() else super().get_form_class()


class LabelTranslationMixin:
    """For a SnippetViewSet: a translator sees `translator_fields` in this order, and may edit only those
    also in `translated_fields`."""

    translator_fields = ()
    translated_fields = ()

    @classmethod
    def register_policy(cls):
        register_permission_policy(cls.model, LabelTranslationPolicy(cls.model))

    @cached_property
    def edit_view_class(self):
        panels = [FieldPanel(name, read_only=name not in self.translated_fields) for name in self.translator_fields]
        return type(
            f"{self.model.__name__}LabelTranslationEditView",
            (LabelTranslationEditView,),
            {"translator_panel": ObjectList(panels).bind_to_model(self.model)},
        )
