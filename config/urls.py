from pathlib import Path

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

from config import metrics
from config.api import api_router
from config.throttling import throttle_password_view
from contact import views as contact_views
from home.sitemaps import AllLanguagesSitemap
from library import search_page as search_views
from library import suggestions as search_suggestions
from opendata import oai
from pictures import views as pictures_views
from proposals import views as proposals


def other_language_address(name):
    """A view that sends an address written with the other language's word to this language's one."""

    def redirect_to(request, **kwargs):
        target = reverse(name, kwargs=kwargs)
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))

    return redirect_to


# Language-neutral addresses: the admin, the API, documents and the sitemap. No Django admin: one login page.
class StaticRedirectView(RedirectView):
    """A permanent redirect to a static file, its address looked up per request: with the manifest storage of
    production the hashed name exists only after collectstatic, not when the URLs are imported."""

    permanent = True
    target = ""

    def get_redirect_url(self, *args, **kwargs):
        return static_url(self.target)


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's own password views, limited per address (config/throttling.py); same paths and names, first.
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        throttle_password_view(wagtaildocs_serve.authenticate_with_password),
        name="wagtaildocs_authenticate_with_password",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": AllLanguagesSitemap}}),
    # Prometheus, not public (config/metrics.py). /healthz and /readyz are answered by config.health's middleware.
    path("metrics", metrics.metrics, name="prometheus-metrics"),
    path("oai/", oai.oai, name="oai"),
    path("share/<int:page_id>.png", pictures_views.share_image, name="share_image"),
    # Where browsers and phones look for icons whatever the page says.
    *(
        path(name, StaticRedirectView.as_view(target=f"icons/{target}"), name=f"icon-{name}")
        for name, target in (
            ("favicon.ico", "favicon.ico"),
            ("apple-touch-icon.png", "apple-touch-icon.png"),
            ("apple-touch-icon-precomposed.png", "apple-touch-icon.png"),
        )
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Of the media, only renditions (images/) are public, as behind nginx (site/nginx.conf.example): documents
    # go through Wagtail's view, which checks collection restrictions, and original images are never linked
    # (a proposal's, unpublished, must not be reachable).
    urlpatterns += static(f"{settings.MEDIA_URL}images/", document_root=Path(settings.MEDIA_ROOT) / "images")

# The public site under /it/ and /en/; LocaleMiddleware redirects "/" by the browser's language.
urlpatterns += i18n_patterns(
    path("search/suggest/", search_suggestions.suggest, name="search_suggest"),
    path("search/", search_views.search, name="search"),
    path("", include("opendata.urls")),
    # Addresses in the language of the page: /it/segnala/, /en/propose/ (the English in locale/en).
    path(_("segnala/"), proposals.propose, name="practice_proposal"),
    path(_("segnala/grazie/"), proposals.thanks, name="practice_proposal_thanks"),
    path(_("segnala/territori/"), proposals.territory_suggestions, name="practice_proposal_territories"),
    path(_("contatta/<int:page_id>/"), contact_views.contact, name="contact"),
    path(_("contatta/<int:page_id>/grazie/"), contact_views.thanks, name="contact_thanks"),
    path("manifest.webmanifest", pictures_views.web_manifest, name="web_manifest"),
    # The other language's word leads to this language's address: /en/segnala/ → /en/propose/.
    *(
        path(word, other_language_address(name))
        for word, name in (
            ("segnala/", "practice_proposal"),
            ("propose/", "practice_proposal"),
            ("contatta/<int:page_id>/", "contact"),
            ("contact/<int:page_id>/", "contact"),
            ("avvisi/", "opendata_alert_subscribe"),
            ("alerts/", "opendata_alert_subscribe"),
            ("avvisi/grazie/", "opendata_alert_thanks"),
            ("alerts/thanks/", "opendata_alert_thanks"),
            ("dati/", "opendata_codebook"),
            ("data/", "opendata_codebook"),
        )
    ),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        throttle_password_view(wagtail_views.authenticate_with_password),
        name="wagtailcore_authenticate_with_password",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
