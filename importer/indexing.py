"""The indexes an import updates once per batch of written pages instead of at each of a page's saves: the
search index (its per-save updates held back meanwhile) and Wagtail's reference index."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch import index as search_index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from search import signals


@contextmanager
def indexes_deferred():
    """Disconnect modelsearch's save handler from the page models, the search app's publish handlers and
    the reference index's save handler while an import writes; the caller indexes what it wrote. The import
    runs in its own process (a management command), so no request misses an index update meanwhile."""
    models = [model for model in search_index.get_indexed_models() if issubclass(model, Page)]
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    signals.disconnect()
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)
        signals.connect()


def index_written(pages, batch_size=500):
    """Index pages just written: their references, then their search documents, one search-index write per
    batch of pages of the same type."""
    for page in pages:
        ReferenceIndex.create_or_update_for_object(page)
    by_model = {}
    for page in pages:
        by_model.setdefault(type(page), []).append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, instances in by_model.items():
            for start in range(0, len(instances), batch_size):
                backend.add_bulk(model, instances[start : start + batch_size])
