"""A task for the worker-process tests (tests/test_background_worker.py): the worker imports it by path."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def slow_write(path):
    """Note the start in `<path>.started`, wait while `<path>.slow` exists, then append "done" to `path`."""
    path = Path(path)
    with open(path.with_suffix(".started"), "a") as started:
        started.write(f"{os.getpid()}\n")
    while path.with_suffix(".slow").exists():
        time.sleep(0.1)
    with open(path, "a") as done:
        done.write("done\n")
    return "done"
