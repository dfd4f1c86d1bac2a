"""Who may start or refresh a translation through wagtail-localize.

wagtail-localize checks only its `submit_translation` permission: a translator could submit any page by its id,
an unpublished proposal in moderation included, and then read it (and what it copied) in the English draft
they may edit. Here its submit and update views are taken over, at the same URLs, by subclasses that also ask
whether the user may view the source page: they may edit or publish it, or it is live and its view
restrictions (login, groups, password) let this request through, as they would on the public site. "Include
subtree" translates only the descendants the user may view (and none below a page they may not)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path
from wagtail import hooks
from wagtail.models import Page
from wagtail_localize.operations import TranslationCreator
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView


def may_view(request, page):
    """Whether the user behind `request` may see `page`: in the admin (any editing right on it) or on the site."""
    user = request.user
    if user.is_superuser:
        return True
    permissions = page.permissions_for_user(user)
    if permissions.can_edit() or permissions.can_publish():
        return True
    return page.live and all(restriction.accept_request(request) for restriction in page.get_view_restrictions())


def translate_viewable_subtree(request, page, locales, components):
    """wagtail-localize's translate_page_subtree, skipping what the user may not view and everything under it."""
    translator = TranslationCreator(request.user, locales)

    def walk(parent):
        for child in parent.get_children().specific():
            if may_view(request, child):
                translator.create_translations(child)
                walk(child)

    walk(page)
    if components is not None:
        components.save(translator, sources_and_translations=translator.mappings)


class ViewableSubmitPageTranslationView(SubmitPageTranslationView):
    def get_object(self):
        page = super().get_object()
        if not may_view(self.request, page):
            raise PermissionDenied
        return page

    @transaction.atomic
    def form_valid(self, form):
        include_subtree = form.cleaned_data.get("include_subtree")
        form.cleaned_data["include_subtree"] = False  # the library's walk would translate every descendant
        response = super().form_valid(form)
        if include_subtree:
            # Now, in this transaction, rather than through wagtail-localize's background queue: the walk asks
            # the request about each page.
            translate_viewable_subtree(self.request, self.object, form.cleaned_data["locales"], self.components)
        return response


class ViewableUpdateTranslationsView(UpdateTranslationsView):
    def get_object(self):
        source = super().get_object()
        instance = source.get_source_instance()
        if isinstance(instance, Page) and not may_view(self.request, instance):
            raise PermissionDenied
        return source


@hooks.register("register_admin_urls", order=-1)
def register_admin_urls():
    # Before wagtail-localize's own patterns, at the same paths: these are the ones resolved, and
    # reverse("wagtail_localize:…") still gives these URLs.
    return [
        path(
            "localize/submit/page/<int:page_id>/",
            ViewableSubmitPageTranslationView.as_view(),
            name="submit_page_translation_checked",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            ViewableUpdateTranslationsView.as_view(),
            name="update_translations_checked",
        ),
    ]
