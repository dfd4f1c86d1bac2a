"""Messages to promoters in the admin: the moderators read each one and forward it or discard it."""

import logging

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from .models import ContactMessage
from .views import forward

logger = logging.getLogger(__name__)


class ContactMessageEditView(EditView):
    """Changing the status is the review: to "forwarded" mails the message to the entry's referent first; if
    that fails the message stays waiting, with an error the moderator can read."""

    def save_instance(self):
        message = self.form.instance
        before = self.form.initial.get("status")
        if message.status != before:
            message.reviewed_at = timezone.now()
            message.reviewed_by = self.request.user
            if message.status == ContactMessage.Status.FORWARDED:
                try:
                    message.forwarded_to = forward(message)
                except Exception:
                    logger.exception("could not forward contact message %s", message.pk)
                    message.status = before
                    message.reviewed_at = message.reviewed_by = None
                    messages.error(
                        self.request,
                        _(
                            "Il messaggio non è stato inoltrato: la voce non ha più un referente "
                            "o la posta non risponde."
                        ),
                    )
        return super().save_instance()


class ContactMessageViewSet(SnippetViewSet):
    model = ContactMessage
    icon = "mail"
    menu_label = _("Messaggi ai promotori")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    edit_view_class = ContactMessageEditView
    list_display = ["name", "entry", "created_at", "status"]
    list_filter = ["status"]
    search_fields = ["name", "email", "message"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("entry", read_only=True),
                FieldPanel("created_at", read_only=True),
                FieldPanel("name", read_only=True),
                FieldPanel("email", read_only=True),
                FieldPanel("organisation", read_only=True),
                FieldPanel("message", read_only=True),
            ],
            heading=_("Il messaggio"),
        ),
        FieldPanel("status"),
        MultiFieldPanel(
            [FieldPanel("reviewed_at", read_only=True), FieldPanel("forwarded_to", read_only=True)],
            heading=_("Revisione"),
        ),
    ]

    def get_queryset(self, request):
        # Waiting messages first, newest first within each status.
        return (
            ContactMessage.objects.select_related("entry")
            .annotate(
                waiting=Case(
                    When(status=ContactMessage.Status.PENDING, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("waiting", "-created_at")
        )


register_snippet(ContactMessageViewSet)
