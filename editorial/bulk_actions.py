"""Tagging several library entries with an SDG or a theme at once, from the page listing.

Each entry gets a new revision built on its latest one (so a pending draft keeps its other changes). The
revision is published only when the entry was live with nothing unpublished and the user may publish: a
bulk tag must never push out someone's unreviewed draft. Otherwise the tag waits in the draft, with the
rest of it. The whole batch runs in one transaction (BulkAction.form_valid): one failure writes nothing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from practices.models import SDG, LibraryEntry, Theme


class TagEntriesForm(forms.Form):
    sdg = forms.ModelChoiceField(
        label=_("Obiettivo di sviluppo sostenibile"),
        queryset=SDG.objects.order_by("number"),
        required=False,
        empty_label=_("Nessuno"),
    )
    theme = forms.ModelChoiceField(
        label=_("Tema"), queryset=Theme.objects.order_by("name_it"), required=False, empty_label=_("Nessuno")
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("sdg") and not cleaned_data.get("theme"):
            raise ValidationError(_("Scegli un obiettivo, un tema o entrambi."))
        return cleaned_data


class AddSDGOrThemeBulkAction(PageBulkAction):
    display_name = _("Aggiungi obiettivo o tema")
    action_type = "add_sdg_or_theme"
    aria_label = _("Aggiungi un obiettivo o un tema alle voci selezionate")
    template_name = "wagtailadmin/bulk_actions/add_sdg_or_theme.html"
    action_priority = 60
    form_class = TagEntriesForm

    def check_perm(self, page):
        """Only library entries, only where the user may edit, and not pages locked by someone else."""
        if not issubclass(page.specific_class or type(page), LibraryEntry):
            return False
        if not page.permissions_for_user(self.request.user).can_edit():
            return False
        lock = page.get_lock()
        return not (lock and lock.for_user(self.request.user))

    def get_execution_context(self):
        # execute_action is a classmethod: it reports how many it published through this dict.
        self.outcome = {"published": 0, "drafted": 0}
        return {
            **super().get_execution_context(),
            "outcome": self.outcome,
            "sdg": self.cleaned_form.cleaned_data.get("sdg"),
            "theme": self.cleaned_form.cleaned_data.get("theme"),
        }

    @classmethod
    def execute_action(cls, objects, user=None, sdg=None, theme=None, outcome=None, **kwargs):
        outcome = {"published": 0, "drafted": 0} if outcome is None else outcome
        for page in objects:
            page = page.specific
            publish = (
                page.live
                and not page.has_unpublished_changes
                and (user is None or page.permissions_for_user(user).can_publish())
            )
            draft = page.get_latest_revision_as_object()
            if sdg is not None:
                draft.sdgs.add(sdg)
            if theme is not None:
                draft.themes.add(theme)
            revision = draft.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user)
                outcome["published"] += 1
            else:
                outcome["drafted"] += 1
        return outcome["published"] + outcome["drafted"], 0

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            # save_revision validates each page: one invalid entry cancels the whole batch (the transaction
            # rolled back), and the editor is told which one.
            form.add_error(None, _("Nessuna voce modificata: %(error)s") % {"error": "; ".join(error.messages)})
            return self.form_invalid(form)

    def get_success_message(self, num_parent_objects, num_child_objects):
        published, drafted = self.outcome["published"], self.outcome["drafted"]
        parts = []
        if published:
            parts.append(
                ngettext("%(count)d voce aggiornata e pubblicata", "%(count)d voci aggiornate e pubblicate", published)
                % {"count": published}
            )
        if drafted:
            parts.append(
                ngettext(
                    "%(count)d voce aggiornata in bozza (ha modifiche non pubblicate o non è pubblicata)",
                    "%(count)d voci aggiornate in bozza (hanno modifiche non pubblicate o non sono pubblicate)",
                    drafted,
                )
                % {"count": drafted}
            )
        return "; ".join(parts)
