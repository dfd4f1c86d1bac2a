"""What moves the page cache's generation.

- Pages: published, unpublished (also by expiry and by deletion), moved, deleted, and any save of a live
  page other than Wagtail's draft bookkeeping (a new alias, a translation synchronised onto its aliases, a
  page saved by code rather than through a revision). Saving a draft or locking a page changes nothing
  public and keeps the cache. Translations are pages: publishing one is a publish.
- The rows a page's public version is made of (territory links, organisation links, linked practices…):
  Wagtail writes them when a page is published, scripts and imports may write them directly.
- Publishable snippets (``DraftStateMixin``): published and unpublished.
- PAGE_CACHE_MODELS (taxonomies, organisations, images, documents, sites, locales, view restrictions): any
  save or delete. Every Wagtail setting model: any change (not the row a first read creates with defaults).

Writes that skip Django's signals (``bulk_create``, ``QuerySet.update``) must call
``pagecache.generation.changed()`` themselves, as ``practices.reference_data`` does."""

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from modelcluster.models import get_all_child_relations
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from .generation import changed

# Fields Wagtail saves on a live page without changing its public version: drafts, locks, the child count.
BOOKKEEPING_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "comments",
        "wagtail_admin_comments",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
    }
)
UID = "pagecache"


def on_change(sender=None, **kwargs):
    changed()


def on_page_saved(sender, instance, update_fields=None, **kwargs):
    if not instance.live:
        return  # a draft; unpublishing is page_unpublished
    if update_fields is not None and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    changed()


def on_setting_saved(sender, created=False, **kwargs):
    if not created:  # for_site()/load() create the row with its defaults on first read: what pages already show
        changed()


def page_models():
    return [model for model in apps.get_models() if issubclass(model, Page)]


def page_part_models():
    """The child rows (ParentalKey) of every page type: published with the page, but also written directly."""
    parts = {relation.related_model for model in page_models() for relation in get_all_child_relations(model)}
    return sorted(parts, key=lambda model: model._meta.label)


def watched_models():
    """PAGE_CACHE_MODELS: every save or delete of one moves the generation."""
    models = {apps.get_model(label) for label in getattr(settings, "PAGE_CACHE_MODELS", [])}
    return sorted(models, key=lambda model: model._meta.label)


def setting_models():
    return sorted(
        (model for model in apps.get_models() if issubclass(model, BaseGenericSetting | BaseSiteSetting)),
        key=lambda model: model._meta.label,
    )


def _receivers():
    yield page_published, on_change, None, f"{UID}-page-published"
    yield page_unpublished, on_change, None, f"{UID}-page-unpublished"
    yield post_page_move, on_change, None, f"{UID}-page-moved"
    yield published, on_change, None, f"{UID}-published"
    yield unpublished, on_change, None, f"{UID}-unpublished"
    for model in page_models():
        yield post_save, on_page_saved, model, f"{UID}-saved-{model._meta.label}"
        yield post_delete, on_change, model, f"{UID}-deleted-{model._meta.label}"
    for model in page_part_models() + watched_models():
        yield post_save, on_change, model, f"{UID}-saved-{model._meta.label}"
        yield post_delete, on_change, model, f"{UID}-deleted-{model._meta.label}"
    for model in setting_models():
        yield post_save, on_setting_saved, model, f"{UID}-saved-{model._meta.label}"
        yield post_delete, on_change, model, f"{UID}-deleted-{model._meta.label}"


def connect():
    for signal, receiver, sender, uid in _receivers():
        signal.connect(receiver, sender=sender, dispatch_uid=uid, weak=False)


def disconnect():
    for signal, _receiver, sender, uid in _receivers():
        signal.disconnect(sender=sender, dispatch_uid=uid)
