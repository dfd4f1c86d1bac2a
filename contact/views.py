"""The public form that writes to the people behind an entry, and the forwarding a moderator does.

The visitor never sees the referent's address: the form is at /<lang>/contatta/<page id>/, the message is kept
(ContactMessage, "in attesa") and the moderators are told by e-mail; a moderator reads it in the admin and
forwards it (contact/wagtail_hooks.py), which mails it to the entry's `contact_email` with the visitor's address
as Reply-To. Spam is kept out as for proposals (proposals/views.py): a honeypot field, and django-ratelimit
counting messages per address in the shared cache (CONTACT_RATE, five an hour), taken once the form is valid."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, send_mail
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from core.client_ip import client_ip
from core.visibility import public_pages
from practices.models import LibraryEntry

from .models import ContactMessage

logger = logging.getLogger(__name__)

RATE_GROUP = "contact-messages"
SESSION_KEY = "contact_message"
MODERATORS = "Moderatori"


def recipient(entry):
    """The address a message about `entry` is forwarded to, or "" when nobody can be written to."""
    return entry.contact_email or ""


def can_be_contacted(entry):
    return bool(recipient(entry))


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Il tuo nome"), max_length=255)
    email = forms.EmailField(
        label=_("La tua email"),
        max_length=254,
        help_text=_("I promotori ti risponderanno a questo indirizzo. Non sarà pubblicato."),
    )
    organisation = forms.CharField(
        label=_("Ente o organizzazione"),
        max_length=255,
        required=False,
        help_text=_("Facoltativo: per chi lavori, se scrivi a nome di un ente."),
    )
    message = forms.CharField(
        label=_("Messaggio"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Cosa vorresti sapere, o come vorresti collaborare. Al massimo 5.000 caratteri."),
    )
    consent = forms.BooleanField(
        label=_(
            "Ho letto l'informativa sulla privacy e accetto che il mio messaggio, con il mio nome e la mia email, "
            "sia letto dalla redazione e inoltrato ai promotori."
        ),
        error_messages={"required": _("Per inviare il messaggio devi accettare l'informativa sulla privacy.")},
    )
    website = forms.CharField(required=False, label=_("Non compilare questo campo"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {
            "name": _("Scrivi il tuo nome."),
            "email": _("Scrivi la tua email, perché i promotori possano risponderti."),
            "message": _("Scrivi il messaggio."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        self.fields["email"].error_messages["invalid"] = _(
            "L'email non sembra valida: controlla che sia scritta come nome@esempio.it."
        )
        for name in ("name", "organisation", "message"):
            self.fields[name].error_messages["max_length"] = _(
                "Al massimo %(limit_value)d caratteri (ne hai scritti %(show_value)d)."
            )

    @staticmethod
    def _plain(text, keep_lines=False):
        text = "".join(char for char in text or "" if char in "\n\t" or char >= " " and char != "\x7f").strip()
        return text if keep_lines else " ".join(text.split())

    def clean_name(self):
        return self._plain(self.cleaned_data.get("name"))

    def clean_organisation(self):
        return self._plain(self.cleaned_data.get("organisation"))

    def clean_message(self):
        message = self._plain(self.cleaned_data.get("message"), keep_lines=True)
        if not message:
            raise forms.ValidationError(_("Scrivi il messaggio."))
        return message


def _address(group, request):
    return client_ip(request)


def messages_counted(request, increment):
    """django-ratelimit's count of this address's messages (None when the cache is down: a real message
    matters more than the spam limit for a while)."""
    try:
        return get_usage(
            request, group=RATE_GROUP, key=_address, rate=settings.CONTACT_RATE, method="POST", increment=increment
        )
    except Exception:
        logger.exception("could not count contact messages in the cache; accepting this one")
        return None


def _entry(page_id):
    entry = public_pages(LibraryEntry, None).filter(pk=page_id).select_related("locale").first()
    if entry is None or not can_be_contacted(entry):
        raise Http404
    return entry


def _admin_url(message):
    path = reverse("wagtailsnippets_contact_contactmessage:edit", args=[message.pk])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def notify_moderators(message):
    """Tell the moderators (or, without any, the administrators) that a message waits for them."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    addresses = list(users.filter(groups__name=MODERATORS).values_list("email", flat=True).distinct())
    if not addresses:
        addresses = list(users.filter(is_superuser=True).values_list("email", flat=True))
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = gettext(
            "Un visitatore ha scritto ai promotori di «%(title)s».\n\n"
            "Leggi il messaggio e, se va bene, inoltralo ai promotori (o scartalo):\n%(url)s\n"
        ) % {"title": message.entry.title, "url": _admin_url(message)}
        subject = gettext("Messaggio da inoltrare: %(title)s") % {"title": message.entry.title[:80]}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    except Exception:  # the message is kept and listed in the admin: a mail server down is no error page
        logger.exception("could not tell the moderators about a contact message")


def forward(message):
    """Mail the message to the entry's referent, with the visitor as Reply-To; returns the address used.
    Raises when there is no address any more or the mail server refuses."""
    entry = message.entry
    address = recipient(entry)
    if not address:
        raise ValueError("the entry has no contact address any more")
    with translation.override(entry.locale.language_code if entry.locale_id else settings.LANGUAGE_CODE):
        subject = gettext("Un messaggio su «%(title)s» dalla Libreria delle Buone Pratiche") % {
            "title": entry.title[:80]
        }
        who = message.name + (f" ({message.organisation})" if message.organisation else "")
        body = gettext(
            "%(who)s ha letto «%(title)s» nella Libreria delle Buone Pratiche e vi scrive:\n\n"
            "%(message)s\n\n"
            "Per rispondere, rispondete a questa email: arriverà a %(email)s.\n"
            "La redazione ha letto il messaggio prima di inoltrarlo; il vostro indirizzo non è pubblicato sul sito.\n"
            "%(url)s\n"
        ) % {
            "who": who,
            "title": entry.title,
            "message": message.message,
            "email": message.email,
            "url": entry.full_url or "",
        }
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], reply_to=[message.email]).send()
    return address


def _limited(request, entry):
    return render(request, "contact/contact_thanks.html", {"limited": True, "entry": entry}, status=429)


# never_cache: the form sets the CSRF cookie; the thanks page reads the session.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request, page_id):
    entry = _entry(page_id).specific
    context = {"entry": entry, "form": ContactForm()}
    if request.method != "POST":
        return render(request, "contact/contact_form.html", context)
    usage = messages_counted(request, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        return _limited(request, entry)
    if request.POST.get("website"):  # a robot: told that all went well, nothing kept
        messages_counted(request, increment=True)
        return _thanks(request, entry)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return render(request, "contact/contact_form.html", {**context, "form": form})
    usage = messages_counted(request, increment=True)
    if usage is not None and usage["should_limit"]:
        return _limited(request, entry)
    data = form.cleaned_data
    message = ContactMessage.objects.create(
        entry=entry,
        name=data["name"],
        email=data["email"],
        organisation=data["organisation"],
        message=data["message"],
        language=(translation.get_language() or "")[:8],
    )
    notify_moderators(message)
    return _thanks(request, entry)


def _thanks(request, entry):
    request.session[SESSION_KEY] = {"entry": entry.pk}
    return redirect("contact_thanks", page_id=entry.pk)


@never_cache
@require_safe
def thanks(request, page_id):
    sent = request.session.get(SESSION_KEY) or {}
    if sent.get("entry") != page_id:
        return redirect("contact", page_id=page_id)
    entry = public_pages(LibraryEntry, None).filter(pk=page_id).first()
    if entry is None:
        raise Http404
    return render(request, "contact/contact_thanks.html", {"entry": entry.specific})
