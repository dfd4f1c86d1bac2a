from pathlib import Path

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as wagtaildocs_serve

from config.api import api_router
from config.throttling import throttle_password_view
from home.sitemaps import AllLanguagesSitemap
from practices import proposals
from search import suggestions as search_suggestions
from search import views as search_views

# Language-neutral addresses: the admin, the API, documents and the sitemap. No Django admin: one login page.
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
    path("segnala/", proposals.propose, name="practice_proposal"),
    path("segnala/grazie/", proposals.thanks, name="practice_proposal_thanks"),
    path("segnala/territori/", proposals.territory_suggestions, name="practice_proposal_territories"),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        throttle_password_view(wagtail_views.authenticate_with_password),
        name="wagtailcore_authenticate_with_password",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
