"""modelsearch indexes a page on post_save, before modelcluster commits its many-to-many fields (SDGs,
themes, networks) and child rows (territories): the index would lag one publish behind. Publishing fires
page_published after all of it is saved, so the entry is indexed again then."""

from modelsearch import index
from wagtail.signals import page_published


def index_after_publish(sender, instance, **kwargs):
    index.insert_or_update_object(instance)


def connect():
    from .models import ENTRY_TYPES

    for model in ENTRY_TYPES.values():
        page_published.connect(index_after_publish, sender=model, dispatch_uid=f"index-after-publish-{model.__name__}")


def disconnect():
    from .models import ENTRY_TYPES

    for model in ENTRY_TYPES.values():
        page_published.disconnect(sender=model, dispatch_uid=f"index-after-publish-{model.__name__}")
