"""E-mail alerts on a selection of the library: a visitor subscribes (double opt-in: nothing is sent but the
confirmation until they confirm), then gets one digest per day or week with the entries first published since
that match the selection, never the same entry twice (AlertDelivery, by translation key), and unsubscribes
with one click (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post headers). The address serves only to
send these messages: it is never shown on a page, listed in the admin or exported."""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from library.query import LibraryQuery
from search.query import parse

from .models import AlertDelivery, AlertSubscription

logger = logging.getLogger(__name__)

PERIODS = {
    AlertSubscription.Frequency.DAILY: timedelta(days=1),
    AlertSubscription.Frequency.WEEKLY: timedelta(days=7),
}
# A scheduler that starts the command a little early still sends the day's (week's) digest.
SLACK = timedelta(hours=1)
UNCONFIRMED_FOR = timedelta(days=7)
MAX_ENTRIES = 50


def site_url(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def query_for(params, language, source):
    """The LibraryQuery of a selection, as the library (or the search page, which understands places and
    typos in q) reads it."""
    locale = Locale.objects.get(language_code=language)
    with translation.override(language):
        query = LibraryQuery(params, locale)
        if source == AlertSubscription.Source.SEARCH and query.selection.q:
            query.parsed = parse(query.selection.q)
    return query


def new_entries(subscription):
    """Public entries of the selection first published since the subscription was confirmed, that the
    subscriber has not received yet (in either language), oldest first."""
    query = query_for(QueryDict(subscription.query), subscription.language, subscription.source)
    delivered = subscription.deliveries.values("translation_key")
    with translation.override(subscription.language):
        entries = (
            query.filtered.filter(first_published_at__gte=subscription.confirmed_at)
            .exclude(translation_key__in=delivered)
            .order_by("first_published_at", "pk")
            .defer_streamfields()
        )
        return list(entries[:MAX_ENTRIES])


def unsubscribe_url(subscription):
    with translation.override(subscription.language):
        return site_url(reverse("opendata_alert_unsubscribe", args=[subscription.token]))


def _message(subscription, subject, template, context):
    with translation.override(subscription.language):
        context = {"subscription": subscription, "unsubscribe_url": unsubscribe_url(subscription), **context}
        message = EmailMultiAlternatives(
            subject=str(subject),
            body=render_to_string(f"opendata/{template}.txt", context),
            to=[subscription.email],
            headers={
                # RFC 8058: the mail client unsubscribes with one POST, no page, no login.
                "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<alerts.{urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or 'localhost'}>",
                "Auto-Submitted": "auto-generated",
            },
        )
    return message


def send_confirmation(subscription):
    from django.utils.translation import gettext_lazy as _

    with translation.override(subscription.language):
        confirm_url = site_url(reverse("opendata_alert_confirm", args=[subscription.token]))
        subject = _("Conferma l'avviso della Libreria delle Buone Pratiche")
    _message(subscription, subject, "alert_confirm_email", {"confirm_url": confirm_url}).send()


def send_digest(subscription, now=None):
    """Send `subscription` the entries it has not had; True when a digest went out. The deliveries are written
    in the same transaction, under a lock on the subscription: two runs at once cannot send an entry twice,
    and a message that fails to send leaves them unwritten, to be sent next time."""
    from django.utils.translation import gettext_lazy as _

    now = now or timezone.now()
    with transaction.atomic():
        locked = AlertSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None or locked.confirmed_at is None:
            return False
        entries = new_entries(locked)
        if not entries:
            return False
        AlertDelivery.objects.bulk_create(
            [
                AlertDelivery(subscription=locked, translation_key=entry.translation_key, page_id=entry.pk)
                for entry in entries
            ]
        )
        with translation.override(locked.language):
            items = [(entry.title, site_url(entry.url), entry.summary) for entry in entries]
            subject = _("%(count)s nuove voci per il tuo avviso: %(selection)s") % {
                "count": len(entries),
                "selection": locked.description,
            }
            library_url = site_url(reverse("opendata_alert_selection", args=[locked.token]))
        _message(locked, subject, "alert_digest_email", {"items": items, "library_url": library_url}).send()
        locked.last_sent_at = now
        locked.save(update_fields=["last_sent_at"])
    return True


def due(frequency=None, now=None):
    """Confirmed subscriptions whose period has passed since their last digest."""
    now = now or timezone.now()
    subscriptions = AlertSubscription.objects.filter(confirmed_at__isnull=False)
    if frequency:
        subscriptions = subscriptions.filter(frequency=frequency)
    for subscription in subscriptions.order_by("pk").iterator():
        period = PERIODS[subscription.frequency]
        if subscription.last_sent_at is None or subscription.last_sent_at <= now - period + SLACK:
            yield subscription


def send_digests(frequency=None, now=None):
    """Send every digest that is due; returns (sent, failed). Unconfirmed sign-ups older than a week go."""
    now = now or timezone.now()
    AlertSubscription.objects.filter(confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_FOR).delete()
    sent = failed = 0
    for subscription in due(frequency, now):
        try:
            sent += send_digest(subscription, now)
        except Exception:
            failed += 1
            logger.exception("could not send the digest of alert %s", subscription.pk)
    return sent, failed
