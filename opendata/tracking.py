"""Deleted-record tracking for OAI-PMH: whenever an entry stops being public (unpublished, deleted, put behind
a view restriction or moved under one) its HarvestRecord says "deleted", with the sets it was in; when it
is public again, a live record with a new datestamp, so that incremental harvests see it return. Entries that
were never public leave no trace."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from core.visibility import visible
from practices.models import ENTRY_TYPES, EntryTerritory, LibraryEntry

from .models import HarvestRecord

_before = {}  # (what, pk) -> ids of the public entries under a page, just before a restriction or move


def entry_sets(entry):
    """The OAI-PMH set specs of an entry: its type, its goals, the regions of its places."""
    specs = [f"type:{entry.specific_class.entry_type_key}"]
    specs += [f"sdg:{number}" for number in sorted(entry.sdgs.values_list("number", flat=True))]
    regions = EntryTerritory.objects.filter(page=entry).exclude(territory__region_code="")
    specs += [f"region:{code}" for code in sorted(set(regions.values_list("territory__region_code", flat=True)))]
    return specs


def _spaced(specs):
    return " " + " ".join(specs) + " " if specs else ""


def mark_deleted(entry):
    entry = entry if isinstance(entry, LibraryEntry) else LibraryEntry.objects.get(pk=entry)
    HarvestRecord.objects.update_or_create(
        page_id=entry.pk,
        defaults={
            "deleted": True,
            "datestamp": timezone.now(),
            "language": entry.locale.language_code,
            "sets": _spaced(entry_sets(entry)),
        },
    )


def mark_public(page_id, create=True):
    """The entry is public again (or newly public through a lifted restriction): a fresh datestamp."""
    if create:
        HarvestRecord.objects.update_or_create(
            page_id=page_id, defaults={"deleted": False, "datestamp": timezone.now(), "sets": ""}
        )
    else:
        HarvestRecord.objects.filter(page_id=page_id).update(deleted=False, datestamp=timezone.now(), sets="")


def _restricted(page):
    """Whether a view restriction covers `page` (on it or an ancestor)."""
    steps = range(page.steplen, len(page.path) + 1, page.steplen)
    return PageViewRestriction.objects.filter(page__path__in=[page.path[:end] for end in steps]).exists()


def public_entry_ids(path):
    return set(visible(LibraryEntry.objects.filter(path__startswith=path)).values_list("pk", flat=True))


def _apply(before, after):
    for pk in before - after:
        mark_deleted(pk)
    for pk in after - before:
        mark_public(pk)


# --- receivers ---------------------------------------------------------------------------------------------


def on_published(sender, instance, **kwargs):
    # Without a row the entry's own last_published_at is its datestamp; with one, the row must follow.
    mark_public(instance.pk, create=False)


def on_unpublished(sender, instance, **kwargs):
    # It was live until now; it was public unless a restriction already hid it (that restriction marked it).
    if not _restricted(instance):
        mark_deleted(instance)


def on_entry_deleted(sender, instance, **kwargs):
    if visible(LibraryEntry.objects.filter(pk=instance.pk)).exists():
        mark_deleted(instance)


def before_restriction(sender, instance, **kwargs):
    if instance.page_id:
        page = instance.page
        _before[("restriction", instance.pk or id(instance))] = (page.path, public_entry_ids(page.path))


def after_restriction(sender, instance, **kwargs):
    key = ("restriction", instance.pk) if ("restriction", instance.pk) in _before else ("restriction", id(instance))
    stored = _before.pop(key, None)
    if stored:
        path, before = stored
        _apply(before, public_entry_ids(path))


def before_move(sender, instance, **kwargs):
    _before[("move", instance.pk)] = public_entry_ids(instance.path)


def after_move(sender, instance, **kwargs):
    before = _before.pop(("move", instance.pk), None)
    if before is not None:
        _apply(before, public_entry_ids(instance.path))


def connect():
    for model in ENTRY_TYPES.values():
        page_published.connect(on_published, sender=model, dispatch_uid=f"oai-published-{model.__name__}")
        page_unpublished.connect(on_unpublished, sender=model, dispatch_uid=f"oai-unpublished-{model.__name__}")
    pre_delete.connect(on_entry_deleted, sender=LibraryEntry, dispatch_uid="oai-entry-deleted")
    pre_save.connect(before_restriction, sender=PageViewRestriction, dispatch_uid="oai-restriction-before-save")
    post_save.connect(after_restriction, sender=PageViewRestriction, dispatch_uid="oai-restriction-saved")
    pre_delete.connect(before_restriction, sender=PageViewRestriction, dispatch_uid="oai-restriction-before-delete")
    post_delete.connect(after_restriction, sender=PageViewRestriction, dispatch_uid="oai-restriction-deleted")
    pre_page_move.connect(before_move, dispatch_uid="oai-before-move")
    post_page_move.connect(after_move, dispatch_uid="oai-after-move")
