from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

# Under the language prefix (/it/…, /en/…): the pages speak the visitor's language, in its words
# (/it/avvisi/, /en/alerts/; the English in locale/en). config/urls.py sends the other language's word of
# the pages without a token to this language's address.
urlpatterns = [
    path(_("avvisi/"), views.subscribe, name="opendata_alert_subscribe"),
    path(_("avvisi/grazie/"), views.thanks, name="opendata_alert_thanks"),
    path(_("avvisi/conferma/<str:token>/"), views.confirm, name="opendata_alert_confirm"),
    path(_("avvisi/disiscrizione/<str:token>/"), views.unsubscribe, name="opendata_alert_unsubscribe"),
    path(_("avvisi/selezione/<str:token>/"), views.selection, name="opendata_alert_selection"),
    path(_("dati/"), views.codebook, name="opendata_codebook"),
]

# The links of e-mails already sent answer in either language's words, without a redirect: a mail client's
# one-click unsubscribe (RFC 8058) is a POST, which a redirect would lose.
for words in (
    ("avvisi/conferma/", "avvisi/disiscrizione/", "avvisi/selezione/"),
    ("alerts/confirm/", "alerts/unsubscribe/", "alerts/selection/"),
):
    urlpatterns += [
        path(f"{word}<str:token>/", view)
        for word, view in zip(words, (views.confirm, views.unsubscribe, views.selection), strict=True)
    ]
