"""A visitor's message to the people behind an entry. It is kept until a moderator reads it: forwarded, it goes
to the entry's referent by e-mail with the visitor's address as Reply-To, so the referent's address is never
shown to the visitor; discarded, it goes nowhere. See contact/views.py for the form and README "Contacts"."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "in_attesa", _("In attesa")
        FORWARDED = "inoltrato", _("Inoltrato ai promotori")
        DISCARDED = "scartato", _("Scartato")

    entry = models.ForeignKey(
        "practices.LibraryEntry",
        verbose_name=_("voce"),
        on_delete=models.CASCADE,
        related_name="contact_messages",
    )
    name = models.CharField(_("nome"), max_length=255)
    email = models.EmailField(_("email"), max_length=254)
    organisation = models.CharField(_("ente o organizzazione"), max_length=255, blank=True)
    message = models.TextField(_("messaggio"), max_length=5000)
    language = models.CharField(_("lingua"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("ricevuto il"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("stato"),
        max_length=12,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        help_text=_(
            "«Inoltrato ai promotori» manda il messaggio al referente della voce (il visitatore riceverà la "
            "risposta direttamente); «Scartato» per lo spam e i messaggi fuori luogo."
        ),
    )
    reviewed_at = models.DateTimeField(_("esaminato il"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("esaminato da"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    forwarded_to = models.EmailField(_("inoltrato a"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("messaggio ai promotori")
        verbose_name_plural = _("messaggi ai promotori")

    def __str__(self):
        return _("%(name)s su «%(entry)s»") % {"name": self.name, "entry": self.entry.title}
