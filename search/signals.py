"""modelsearch indexes a page on post_save, before modelcluster commits its many-to-many fields (SDGs,
themes, networks) and child rows (territories): the index would lag one publish behind. Publishing fires
page_published after all of it is saved, so the entry is indexed again then. Publishing, unpublishing and
editing a theme also tell the search what words the library now uses (typo correction, thesaurus); so
does adding or lifting a view restriction, since the words of restricted entries must not be suggested.
The indexing is modelsearch's own task, queued like its post_save one (a worker runs it with TASKS_BACKEND
database or rq; at once with the immediate backend)."""

from django.db.models.signals import post_delete, post_save
from modelsearch.tasks import insert_or_update_object_task
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from practices.models import ENTRY_TYPES, Theme

from .query import knowledge_changed


def index_after_publish(sender, instance, **kwargs):
    insert_or_update_object_task.enqueue(instance._meta.app_label, instance._meta.model_name, str(instance.pk))
    _knowledge_changed()


def _knowledge_changed(**kwargs):
    knowledge_changed()


def connect():
    for model in ENTRY_TYPES.values():
        page_published.connect(index_after_publish, sender=model, dispatch_uid=f"index-after-publish-{model.__name__}")
        page_unpublished.connect(_knowledge_changed, sender=model, dispatch_uid=f"knowledge-{model.__name__}")
    post_save.connect(_knowledge_changed, sender=Theme, dispatch_uid="knowledge-theme-saved")
    post_delete.connect(_knowledge_changed, sender=Theme, dispatch_uid="knowledge-theme-deleted")
    post_save.connect(_knowledge_changed, sender=PageViewRestriction, dispatch_uid="knowledge-restriction-saved")
    post_delete.connect(_knowledge_changed, sender=PageViewRestriction, dispatch_uid="knowledge-restriction-deleted")


def disconnect():
    for model in ENTRY_TYPES.values():
        page_published.disconnect(sender=model, dispatch_uid=f"index-after-publish-{model.__name__}")
        page_unpublished.disconnect(sender=model, dispatch_uid=f"knowledge-{model.__name__}")
    post_save.disconnect(sender=Theme, dispatch_uid="knowledge-theme-saved")
    post_delete.disconnect(sender=Theme, dispatch_uid="knowledge-theme-deleted")
    post_save.disconnect(sender=PageViewRestriction, dispatch_uid="knowledge-restriction-saved")
    post_delete.disconnect(sender=PageViewRestriction, dispatch_uid="knowledge-restriction-deleted")
