"""Public proposals: any visitor proposes a good practice through a form at /<lang>/segnala/.

A valid proposal becomes a draft GoodPracticePage under the Italian library, with the proposer's contact in
private fields, its image in Wagtail images and its document in Wagtail documents (both in the
"Segnalazioni" collection, whose documents only logged-in users can download), and is sent to moderation
when a workflow covers the library. Everything is written in one transaction, and files written to storage
are removed again if it fails. The visitor is redirected to a confirmation page and gets an email.

The territory works without JavaScript: the visitor types a place name; one exact match (accents and case
ignored) is accepted; several, or near matches, come back as a list of radio buttons to pick from. With
JavaScript (static/js/proposal.js) the input suggests territories from `territory_suggestions`, whose
labels ("Como (CO)", "Como (provincia)") are exact matches that resolve to a single territory.

Spam: a honeypot field ("website", hidden from people and screen readers) makes the view pretend success and
save nothing; django-ratelimit counts proposals per address (config/client_ip.py: REMOTE_ADDR, or the address
TRUSTED_PROXY_COUNT proxies saw) in the shared cache (Redis in production, so the count holds across workers
and machines) and answers 429 beyond PROPOSAL_RATE (five an hour). The count is taken with one atomic increment
once the form is valid, before anything is saved: concurrent posts cannot slip past it, and a visitor
correcting a mistake in the form is not counted.

Concurrency: proposals are filed one at a time under a row lock on the library (PostgreSQL), so that pages'
tree paths and slugs never collide, and the "Segnalazioni" collection is created once, under a row lock on the
root collection; on SQLite each transaction takes the write lock when it begins and waits for it (DATABASES
OPTIONS in config/settings/base.py) instead of failing with "database is locked".
"""

import logging
import re

from django import forms
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage
from wagtail.coreutils import find_available_slug
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Locale
from wagtail.rich_text import RichText

from core.client_ip import client_ip
from core.text import clean_query
from library.pages import LibraryIndexPage
from practices import places
from practices.models import SDG, EntryTerritory, GoodPracticePage
from practices.uploads import (  # the caps re-exported: tests read them here
    MAX_DOCUMENT_BYTES,  # noqa: F401
    MAX_IMAGE_BYTES,  # noqa: F401
    checked_document,
    checked_image,
)

logger = logging.getLogger(__name__)

RATE_GROUP = "practice-proposals"
MAX_CANDIDATES = 10
SUGGESTIONS = 8
MAX_QUERY_LENGTH = 100
COLLECTION_NAME = "Segnalazioni"
SESSION_KEY = "practice_proposal"

# Territories ---------------------------------------------------------------------------------------------


def resolve_territory(text):
    """(exact, near) for what the visitor typed: territories named exactly so, and when there is none, up to
    MAX_CANDIDATES whose words start with the typed words."""
    exact = places.named(text)
    if exact:
        return exact[:MAX_CANDIDATES], []
    return [], list(places.matching(places.QUALIFIED.sub(r"\g<name>", text))[:MAX_CANDIDATES])


@require_safe
def territory_suggestions(request):
    """GET ?q=… → {"territories": [{"code", "label", "level"}, …]} for static/js/proposal.js."""
    query = clean_query(request.GET.get("q"), MAX_QUERY_LENGTH)
    found = list(places.matching(query)[:SUGGESTIONS]) if len(query) >= 2 else []
    response = JsonResponse(
        {"territories": [{"code": t.code, "label": places.label(t), "level": t.get_level_display()} for t in found]}
    )
    response["Cache-Control"] = "max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# The form ------------------------------------------------------------------------------------------------


class SDGChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number}. {obj.short}"


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Titolo della pratica"),
        max_length=200,
        help_text=_("Un nome breve e chiaro, es. «Orti condivisi nel quartiere»."),
    )
    summary = forms.CharField(
        label=_("Sommario"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Due o tre frasi: cosa è e perché conta. Al massimo 600 caratteri."),
    )
    description = forms.CharField(
        label=_("Descrizione"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Contesto, obiettivi, chi partecipa, come funziona, risultati. Testo semplice: "
            "lascia una riga vuota tra un paragrafo e l'altro."
        ),
    )
    territory = forms.CharField(
        label=_("Territorio"),
        max_length=120,
        help_text=_("Il comune, la provincia o la regione dove si svolge, es. «Chieri» o «Piemonte»."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # The candidate the visitor picks when the name is ambiguous (radio buttons rendered by the template).
    territory_code = forms.CharField(required=False, max_length=6)
    sdgs = SDGChoiceField(
        label=_("Obiettivi di sviluppo sostenibile"),
        queryset=SDG.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Gli obiettivi dell'Agenda 2030 a cui la pratica contribuisce (di solito 1-3). Facoltativo."),
    )
    organisation = forms.CharField(
        label=_("Rete o organizzazione"),
        max_length=255,
        required=False,
        help_text=_("Chi promuove la pratica. Facoltativo."),
    )
    contact_name = forms.CharField(label=_("Il tuo nome"), max_length=255)
    contact_email = forms.EmailField(
        label=_("La tua email"),
        max_length=254,
        help_text=_("Ti scriveremo solo per questa segnalazione. Non sarà pubblicata."),
    )
    image = forms.ImageField(
        label=_("Immagine"),
        required=False,
        help_text=_("Facoltativa. JPEG, PNG o WebP, al massimo 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"}),
    )
    document = forms.FileField(
        label=_("Documento"),
        required=False,
        help_text=_("Facoltativo. PDF, ODT o DOCX, al massimo 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )
    consent = forms.BooleanField(
        label=_("Ho letto l'informativa sulla privacy e accetto che i miei dati siano usati per questa segnalazione."),
        error_messages={"required": _("Per inviare la segnalazione devi accettare l'informativa sulla privacy.")},
    )
    # Honeypot: hidden from people and from screen readers; only robots fill it in.
    website = forms.CharField(required=False, label=_("Non compilare questo campo"))

    error_messages = {
        "required": _("Questo campo è obbligatorio."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory_candidates = []
        self.territory_found = None
        messages = {
            "title": _("Scrivi il titolo della pratica."),
            "summary": _("Scrivi un breve sommario."),
            "description": _("Descrivi la pratica."),
            "territory": _("Indica il territorio dove si svolge la pratica."),
            "contact_name": _("Scrivi il tuo nome."),
            "contact_email": _("Scrivi la tua email, per poterti ricontattare."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        self.fields["contact_email"].error_messages["invalid"] = _(
            "L'email non sembra valida: controlla che sia scritta come nome@esempio.it."
        )
        self.fields["image"].error_messages["invalid_image"] = _(
            "Il file scelto come immagine non è un'immagine leggibile: usa un file JPEG, PNG o WebP."
        )
        self.fields["sdgs"].error_messages["invalid_choice"] = _("Scegli gli obiettivi dall'elenco.")
        for name in ("title", "summary", "description", "organisation", "contact_name"):
            self.fields[name].error_messages["max_length"] = _(
                "Al massimo %(limit_value)d caratteri (ne hai scritti %(show_value)d)."
            )

    def _clean_text(self, name):
        # No NUL or other control characters (except line breaks in long texts).
        text = self.cleaned_data.get(name, "")
        return "".join(char for char in text if char in "\n\t" or char >= " " and char != "\x7f").strip()

    def clean_title(self):
        return " ".join(self._clean_text("title").split())

    def clean_summary(self):
        return self._clean_text("summary")

    def clean_description(self):
        return self._clean_text("description")

    def clean_organisation(self):
        return " ".join(self._clean_text("organisation").split())

    def clean_contact_name(self):
        return " ".join(self._clean_text("contact_name").split())

    def clean_image(self):
        return checked_image(self.cleaned_data.get("image"))

    def clean_document(self):
        return checked_document(self.cleaned_data.get("document"))

    def clean(self):
        cleaned_data = super().clean()
        text = cleaned_data.get("territory")
        if not text:
            return cleaned_data
        exact, near = resolve_territory(text)
        code = cleaned_data.get("territory_code")
        picked = next((t for t in exact + near if code and t.code == code), None)
        if picked:
            self.territory_found = picked
        elif len(exact) == 1:
            self.territory_found = exact[0]
        elif exact:
            self.territory_candidates = exact
            self.add_error(
                "territory",
                _("Più territori si chiamano «%(name)s»: scegli quello giusto dall'elenco qui sotto.") % {"name": text},
            )
        elif near:
            self.territory_candidates = near
            self.add_error(
                "territory",
                _("Nessun territorio si chiama esattamente «%(name)s». Forse intendevi uno di questi?")
                % {"name": text},
            )
        else:
            self.add_error(
                "territory",
                _(
                    "Non troviamo «%(name)s» tra i comuni, le province e le regioni italiane: "
                    "controlla come è scritto, oppure indica la provincia o la regione."
                )
                % {"name": text},
            )
        return cleaned_data

    def candidate_choices(self):
        """(code, label, level, checked) for the radio list of an ambiguous territory."""
        code = self.data.get("territory_code")
        return [(t.code, places.label(t), t.get_level_display(), t.code == code) for t in self.territory_candidates]


# Saving --------------------------------------------------------------------------------------------------


def description_html(text):
    """Plain text as rich text paragraphs, escaped: a blank line starts a paragraph, a line break stays."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if part.strip()]
    return "".join("<p>" + "<br/>".join(escape(line) for line in part.split("\n")) + "</p>" for part in paragraphs)


def proposals_collection():
    """The collection for proposers' files; its documents can be downloaded by logged-in users only until
    an editor moves them."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION_NAME).first()
    if collection is None:
        # Two first proposals at once would both find none and add one each: whoever locks the root first
        # creates it, the other finds it after the lock (PostgreSQL; SQLite's write lock serialises anyway).
        root = Collection.objects.select_for_update().get(pk=root.pk)
        collection = root.get_children().filter(name=COLLECTION_NAME).first() or root.add_child(name=COLLECTION_NAME)
    if not CollectionViewRestriction.objects.filter(collection=collection).exists():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


def italian_library():
    return (
        LibraryIndexPage.objects.filter(locale=Locale.get_default()).order_by("path").first()
        or LibraryIndexPage.objects.order_by("path").first()
    )


def create_proposal(form):
    """Create the draft practice, its files and revision, and start moderation: all or nothing."""
    data = form.cleaned_data
    library = italian_library()
    if library is None:
        raise RuntimeError("no library to file proposals under")
    stored = []
    try:
        with transaction.atomic():
            # One proposal is filed at a time (the others wait for this row lock on PostgreSQL, for the write
            # lock on SQLite): treebeard computes the new page's path, and find_available_slug its slug, from
            # the children that exist now, so two at once would collide on the path (one lost) or share a slug.
            library = LibraryIndexPage.objects.select_for_update().get(pk=library.pk)
            collection = proposals_collection()
            page = GoodPracticePage(
                title=data["title"],
                slug=find_available_slug(library, slugify(data["title"])[:60] or "segnalazione"),
                locale=library.locale,
                live=False,
                summary=data["summary"],
                body=[("paragraph", RichText(description_html(data["description"])))],
                proposer_name=data["contact_name"],
                proposer_email=data["contact_email"],
                proposer_organisation=data["organisation"],
                proposed_at=timezone.now(),
            )
            if data.get("image"):
                image = get_image_model()(title=data["title"][:255], file=data["image"], collection=collection)
                image._set_image_file_metadata()
                image.save()
                stored.append(image.file)
                page.hero_image = image
            if data.get("document"):
                document = get_document_model()(title=data["title"][:255], file=data["document"], collection=collection)
                document._set_document_file_metadata()
                document.save()
                stored.append(document.file)
                page.resources = [("document", {"document": document, "title": ""})]
            page.sdgs = list(data["sdgs"])
            page.territory_links = [EntryTerritory(territory=form.territory_found)]
            library.add_child(instance=page)
            page.save_revision(user=None, log_action=True)
            workflow = page.get_workflow()
            if workflow is not None and workflow.active:
                workflow.start(page, user=None)
    except Exception:
        for file in stored:
            file.storage.delete(file.name)
        raise
    return page


def send_confirmation(request, data):
    title = " ".join(data["title"].split())
    body = gettext(
        "Ciao %(name)s,\n\n"
        "grazie per aver segnalato la buona pratica «%(title)s» alla Libreria delle Buone Pratiche.\n\n"
        "La redazione la leggerà e, se serve, ti scriverà a questo indirizzo. La pratica sarà pubblicata "
        "dopo la revisione; i tuoi dati di contatto non saranno pubblicati.\n\n"
        "Se non hai inviato tu questa segnalazione, ignora questo messaggio.\n\n"
        "La redazione della Libreria delle Buone Pratiche\n"
    ) % {"name": data["contact_name"], "title": title}
    try:
        send_mail(
            gettext("Abbiamo ricevuto la tua segnalazione: %(title)s") % {"title": title[:80]},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [data["contact_email"]],
        )
    except Exception:  # the proposal is saved: a mail server down must not turn it into an error page
        logger.exception("could not send the confirmation of a proposal to its proposer")


# Views ---------------------------------------------------------------------------------------------------


def _address(group, request):
    return client_ip(request)


def proposals_counted(request, increment):
    """django-ratelimit's usage of this address's proposals (None when rate limiting is off). `increment`
    counts one more, atomically (cache add, then incr), and tells whether that one is over the limit."""
    try:
        return get_usage(
            request, group=RATE_GROUP, key=_address, rate=settings.PROPOSAL_RATE, method="POST", increment=increment
        )
    except Exception:  # the cache is down: a real proposal matters more than a spam limit for a while
        logger.exception("could not count proposals in the cache; accepting this one")
        return None


def over_the_limit(usage):
    return usage is not None and usage["should_limit"]


def _limited(request):
    return render(request, "practices/proposal_thanks.html", {"limited": True}, status=429)


def _thanks(request, title):
    request.session[SESSION_KEY] = {"title": title}
    return redirect("practice_proposal_thanks")


# never_cache: the form sets the CSRF cookie and the thanks page reads the session; no shared cache may
# keep either (Cache-Control: private, no-store).
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request):
    if request.method != "POST":
        return render(request, "practices/proposal_form.html", {"form": ProposalForm()})
    usage = proposals_counted(request, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        return _limited(request)
    if request.POST.get("website"):
        # A robot: it is told that all went well, and nothing is saved.
        proposals_counted(request, increment=True)
        return _thanks(request, " ".join(request.POST.get("title", "").split())[:200])
    form = ProposalForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"form": form, "files_lost": bool(request.FILES)}
        return render(request, "practices/proposal_form.html", context)
    # The check above only spares work; this increment is what decides, atomically, under concurrency.
    if over_the_limit(proposals_counted(request, increment=True)):
        return _limited(request)
    create_proposal(form)
    send_confirmation(request, form.cleaned_data)
    return _thanks(request, form.cleaned_data["title"])


@never_cache
@require_safe
def thanks(request):
    proposal = request.session.get(SESSION_KEY)
    if not proposal:
        return redirect("practice_proposal")
    return render(request, "practices/proposal_thanks.html", {"proposal": proposal})
