"""New pages written in bulk: the rows that `parent.add_child(instance=page)` and `publish(page)` write for
each page (tree position, the page's tables, its links, a revision, the three history entries), written for
a batch of pages with a few INSERTs per table instead of some thirty queries per page.

What the slow path does and this one keeps: the page's path after the parent's last child and the parent's
child count, `url_path`, `draft_title`; a published revision whose content is the page as it was saved
before its first publication; `latest_revision`, `live_revision`, the publication dates; the "create", "edit"
and "publish" entries of the page history; link rows in their language (`TranslatableMixin` links take the
page's locale). What it leaves to its caller: the search index and the reference index (deferred to one
pass over the batch, as the slow path's caller did), and the `page_published` signal, which it does not
send (nothing in the project listens to it during an import: `indexes_deferred` disconnects search).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from treebeard.exceptions import PathOverflow
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, Revision, TranslatableMixin

# Fields that a page saved for the first time does not have yet when its first revision is taken.
NOT_IN_FIRST_REVISION = (
    "latest_revision",
    "live_revision",
    "latest_revision_created_at",
    "first_published_at",
    "last_published_at",
)
HISTORY = (("wagtail.create", False), ("wagtail.edit", True), ("wagtail.publish", True))


def place_under(parent, pages):
    """Give `pages` the next free positions under `parent`, as treebeard's add_child does one at a time
    (parent row locked, after the last child, the parent's numchild incremented)."""
    parent_row = Page.objects.select_for_update().only("path", "depth", "url_path").get(pk=parent.pk)
    depth = parent_row.depth + 1
    last = (
        Page.objects.filter(path__startswith=parent_row.path, depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    position = Page._str2int(last[-Page.steplen :]) if last else 0
    for page in pages:
        position += 1
        page.depth = depth
        page.path = Page._get_path(parent_row.path, depth, position)
        if len(page.path) != depth * Page.steplen:
            raise PathOverflow(f"no room for {len(pages)} more children under {parent_row.path}")
        page.numchild = 0
        page.url_path = f"{parent_row.url_path}{page.slug}/"
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild = (parent.numchild or 0) + len(pages)


def insert_rows(model, objects):
    """INSERT `objects` (unsaved instances of one multi-table model) table by table, from the base table
    down, with the ids the base table returns. Django's bulk_create refuses multi-table models; this is the
    same insert query that Model.save() runs per table, given many objects at once."""
    tables = [*reversed(model._meta.get_parent_list()), model]
    root = tables[0]
    for table in tables:
        fields = [field for field in table._meta.local_concrete_fields if not field.generated]
        if table is root:
            fields = [field for field in fields if field is not root._meta.auto_field]
        else:
            for parent, link in table._meta.parents.items():
                for obj in objects:
                    setattr(obj, link.attname, getattr(obj, parent._meta.pk.attname))
        size = max(connection.ops.bulk_batch_size(fields, objects), 1)
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            if table is root:
                rows = table._base_manager._insert(
                    chunk, fields=fields, returning_fields=root._meta.db_returning_fields
                )
                for obj, row in zip(chunk, rows, strict=True):
                    setattr(obj, root._meta.pk.attname, row[0])
            else:
                table._base_manager._insert(chunk, fields=fields)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_links(pages):
    """The many-to-many rows and the child rows (orderables) that the pages hold in memory."""
    model = type(pages[0])
    for field in get_all_child_m2m_relations(model):
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        through.objects.bulk_create(
            [
                through(**{source: page.pk, target: item.pk})
                for page in pages
                for item in getattr(page, field.name).all()
            ]
        )
    for relation in get_all_child_relations(model):
        children = []
        for page in pages:
            for child in getattr(page, relation.get_accessor_name()).all():
                setattr(child, relation.field.attname, page.pk)
                if isinstance(child, TranslatableMixin) and child.locale_id is None:
                    child.locale_id = page.locale_id  # what TranslatableMixin's pre_save handler would set
                children.append(child)
        if children:
            relation.related_model.objects.bulk_create(children)


@transaction.atomic
def create_published(parent, pages):
    """Create and publish `pages`, new instances of one page model, as children of `parent`."""
    if not pages:
        return
    model = type(pages[0])
    now = timezone.now()
    page_type = ContentType.objects.get_for_model(Page)
    place_under(parent, pages)
    relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
    for page in pages:
        page.draft_title = page.title
        page.live, page.has_unpublished_changes = True, False
        page.latest_revision_created_at = page.first_published_at = page.last_published_at = now
        # The field checks of the page's first save (add_child); not its foreign keys, which name rows the
        # import just looked up, each of which full_clean would query again.
        page.clean_fields(exclude=relations)
    insert_rows(model, pages)
    insert_links(pages)

    revisions = []
    for page in pages:
        content = page.serializable_data()
        content.update(dict.fromkeys(NOT_IN_FIRST_REVISION))
        revisions.append(
            Revision(
                content_type_id=page.content_type_id,
                base_content_type_id=page_type.pk,
                object_id=str(page.pk),
                created_at=now,
                content=content,
                object_str=str(page),
            )
        )
    Revision.objects.bulk_create(revisions)
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
    Page.objects.bulk_update(pages, ["latest_revision", "live_revision"])

    log_context = get_active_log_context()  # who and which action, when a caller set them (as log() reads them)
    PageLogEntry.objects.bulk_create(
        [
            PageLogEntry(
                page_id=page.pk,
                user=log_context.user,  # imported pages have no owner, whom "wagtail.create" would name
                uuid=log_context.uuid,
                content_type_id=page.content_type_id,
                label=page.get_admin_display_title(),
                action=action,
                timestamp=now,
                revision=revision if with_revision else None,
                content_changed=True,
            )
            for page, revision in zip(pages, revisions, strict=True)
            for action, with_revision in HISTORY
        ]
    )
