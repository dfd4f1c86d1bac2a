"""What open data keeps of its own: what OAI-PMH harvesters were told about entries that are no longer public
(deleted records), and the e-mail alerts with what each subscriber has already received."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class HarvestRecord(models.Model):
    """The state OAI-PMH reports for an entry that changed visibility: `deleted` once an entry that was public
    is unpublished, deleted, restricted or moved into a restricted section; a live record again (with this
    datestamp, so incremental harvests see it come back) when it is public again. An entry that was never
    public has no row: drafts and restricted entries are never announced, not even as deleted."""

    page_id = models.BigIntegerField(unique=True)
    deleted = models.BooleanField(default=False)
    datestamp = models.DateTimeField(db_index=True)
    language = models.CharField(max_length=10, blank=True)
    # The OAI-PMH sets the entry was in when it stopped being public (" type:good_practice sdg:13 region:01 "),
    # so that a selective harvest hears of it too; spaces around each, so that " sdg:13 " is one look-up.
    sets = models.TextField(blank=True)

    class Meta:
        verbose_name = _("record OAI-PMH")
        verbose_name_plural = _("record OAI-PMH")

    def __str__(self):
        return f"{self.page_id} ({'deleted' if self.deleted else 'live'})"


def new_token():
    return secrets.token_urlsafe(32)


class AlertSubscription(models.Model):
    """A visitor's e-mail alert on a selection of the library. The address is used only to send the
    confirmation and the digests: it is never shown on the site, in the admin listings or in any export."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("ogni giorno")
        WEEKLY = "weekly", _("ogni settimana")

    class Source(models.TextChoices):
        LIBRARY = "library", _("biblioteca")
        SEARCH = "search", _("ricerca")

    email = models.EmailField(_("email"))
    language = models.CharField(_("lingua"), max_length=10)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LIBRARY)
    # The selection as the library's query string (stable keys only: sdg=13&territory=01), and its wording.
    query = models.CharField(max_length=2000, blank=True)
    description = models.CharField(max_length=500, blank=True)
    frequency = models.CharField(_("frequenza"), max_length=10, choices=Frequency.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("avviso via email")
        verbose_name_plural = _("avvisi via email")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "language", "source", "query", "frequency"], name="one_alert_per_selection"
            )
        ]

    def __str__(self):
        return f"alert {self.pk}"  # never the address


class AlertDelivery(models.Model):
    """An entry sent to a subscriber, by translation key: never the same entry twice, in either language."""

    subscription = models.ForeignKey(AlertSubscription, on_delete=models.CASCADE, related_name="deliveries")
    translation_key = models.UUIDField()
    page_id = models.BigIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "translation_key"], name="one_delivery_per_entry")
        ]

    def __str__(self):
        return f"entry {self.page_id} to alert {self.subscription_id}"
