"""The pages of e-mail alerts (sign up, confirm, unsubscribe) and of the data's codebook."""

import hashlib

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core.visibility import public_pages
from library.pages import LibraryIndexPage

from . import alerts
from .exports import CODEBOOK, PLACE_CODEBOOK
from .licence import attribution, licence
from .models import AlertSubscription
from .ratelimit import over_limit
from .selection import describe

# Per address as well as per visitor: nobody gets more than a few confirmation requests a day.
ADDRESS_RATE = "3/d"


class AlertForm(forms.Form):
    email = forms.EmailField(
        label=_("La tua email"), help_text=_("Serve solo per mandarti gli avvisi: non la mostriamo né la cediamo.")
    )
    frequency = forms.ChoiceField(
        label=_("Quanto spesso"),
        choices=AlertSubscription.Frequency.choices,
        initial=AlertSubscription.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )


def _selection(params):
    """(source, validated query string, description) of the selection a sign-up is about."""
    source = params.get("source")
    if source not in AlertSubscription.Source.values:
        source = AlertSubscription.Source.LIBRARY
    selection_params = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in ("source", "email", "frequency", "csrfmiddlewaretoken", "page", "format"):
            selection_params.setlist(key, values)
    query = alerts.query_for(selection_params, translation.get_language(), source)
    return source, query.selection.querystring(), describe(query), query.selection.ignored


def _hashed_address(group, request):
    return hashlib.sha256(request.POST.get("email", "").strip().lower().encode()).hexdigest()


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    params = request.POST if request.method == "POST" else request.GET
    source, querystring, description, ignored = _selection(params)
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rate = getattr(settings, "ALERT_RATE", "5/h")
        if over_limit(request, "alerts", rate) or over_limit(request, "alerts-address", ADDRESS_RATE, _hashed_address):
            return render(request, "opendata/alert_thanks.html", {"limited": True}, status=429)
        subscription, _created = AlertSubscription.objects.get_or_create(
            email=form.cleaned_data["email"].strip(),
            language=translation.get_language(),
            source=source,
            query=querystring,
            frequency=form.cleaned_data["frequency"],
            defaults={"description": description[:500]},
        )
        if subscription.confirmed_at is None:
            alerts.send_confirmation(subscription)
        # The same answer whether or not the address was already subscribed: the page tells nobody who is.
        return redirect("opendata_alert_thanks")
    hidden = [(key, value) for key, values in QueryDict(querystring).lists() for value in values]
    return render(
        request,
        "opendata/alert_form.html",
        {"form": form, "description": description, "hidden": hidden, "source": source, "ignored": ignored},
    )


@require_safe
def thanks(request):
    return render(request, "opendata/alert_thanks.html", {})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscription = get_object_or_404(AlertSubscription, token=token)
    if request.method == "POST":
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
        return render(request, "opendata/alert_confirm.html", {"subscription": subscription, "confirmed": True})
    return render(request, "opendata/alert_confirm.html", {"subscription": subscription, "confirmed": False})


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" with no form token and no cookie
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "POST":
        # Deleting the row forgets the address; an unknown token (already unsubscribed) answers the same.
        AlertSubscription.objects.filter(token=token).delete()
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
        return render(request, "opendata/alert_unsubscribe.html", {"done": True})
    subscription = AlertSubscription.objects.filter(token=token).first()
    return render(request, "opendata/alert_unsubscribe.html", {"subscription": subscription, "done": False})


@require_safe
def selection(request, token):
    """From a digest to the library with the alert's selection, without the address in any URL."""
    subscription = AlertSubscription.objects.filter(token=token).first()
    if subscription is None:
        raise Http404
    if subscription.source == AlertSubscription.Source.SEARCH:
        return redirect(reverse("search") + "?" + subscription.query)
    library = public_pages(LibraryIndexPage).first()
    if library is None:
        raise Http404
    return redirect(library.url + ("?" + subscription.query if subscription.query else ""))


@require_safe
def codebook(request):
    return render(
        request,
        "opendata/codebook.html",
        {
            "columns": CODEBOOK,
            "place_columns": PLACE_CODEBOOK,
            "licence": licence(),
            "attribution": attribution(),
        },
    )
