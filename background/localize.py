"""wagtail-localize's background jobs through django-tasks (WAGTAILLOCALIZE_JOBS in config/settings/base.py).

wagtail-localize runs two jobs "in the background" through its own small interface: translating a page's
whole subtree (the "include subtree" box of "Translate") and synchronising a locale tree with another
(LocaleSynchronization). By default it runs them in the request. This backend turns each into a task on the
"long" queue, enqueued when the transaction of the request commits (the root's translation must be visible to
the worker). Their arguments are model instances: they travel as (model label, pk) and are fetched again by
the worker. Arguments JSON cannot carry, beside those two cases, run the job at once, as before:
- translation components (none are registered on this site) are passed only when there are none;
- `page_index` of synchronize_tree only saves work; the worker builds its own.
"""

import logging

from django.apps import apps
from django.db import models, transaction
from django.utils.module_loading import import_string
from django_tasks import task
from wagtail_localize.tasks import BaseJobBackend

logger = logging.getLogger("background")
MODEL = "__model__"


class CannotQueue(Exception):
    pass


def encode(value):
    if isinstance(value, models.Model):
        return {MODEL: value._meta.label_lower, "pk": value.pk}
    if isinstance(value, (list, tuple, models.QuerySet)):  # the form's locales are a QuerySet
        return [encode(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    components = getattr(value, "components", None)
    if components is not None and not list(components):
        return None  # an empty TranslationComponentManager: nothing to save
    raise CannotQueue(type(value).__name__)


def decode(value):
    if isinstance(value, dict) and MODEL in value:
        return apps.get_model(value[MODEL])._default_manager.get(pk=value["pk"])
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


@task(queue_name="long")
def run_job(function, args, kwargs):
    import_string(function)(*decode(args), **{name: decode(value) for name, value in kwargs.items()})


class TaskJobBackend(BaseJobBackend):
    def enqueue(self, func, args, kwargs):
        kwargs = {name: value for name, value in kwargs.items() if not (name == "page_index" and value is not None)}
        try:
            payload = [
                f"{func.__module__}.{func.__qualname__}",
                encode(list(args)),
                {k: encode(v) for k, v in kwargs.items()},
            ]
        except CannotQueue as error:
            logger.info("wagtail-localize job %s runs now: %s cannot be queued", func.__qualname__, error)
            func(*args, **kwargs)
            return
        transaction.on_commit(lambda: run_job.enqueue(*payload))
