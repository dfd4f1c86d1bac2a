"""The RQ queue class of RQ_QUEUES (config/settings/base.py, TASKS_BACKEND=rq).

- Every job gets a `Retry`: RQ runs a failed job again at once, then after 1 and 5 minutes, and its registry
  cleanup re-queues a job whose worker died (instead of moving it to the failed jobs) while attempts are
  left. The first attempt again is immediate, not scheduled: RQ's scheduler lock, held by a worker that was
  killed, passes to another worker only after minutes, and a dead worker's job should not wait for it.
- Jobs enqueued inside a transaction reach Redis when it commits: a worker must not look for a page before
  the transaction that saved it is visible (modelsearch enqueues its index update in post_save), and a
  rolled-back save enqueues nothing. The database backend has this by construction: its queue is a table
  written in the same transaction."""

from django.db import transaction
from django_rq.queues import DjangoRQ
from rq.job import Retry

RETRY_INTERVALS = [0, 60, 300]


class Queue(DjangoRQ):
    def create_job(self, *args, retry=None, **kwargs):
        retry = retry or Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
        return super().create_job(*args, retry=retry, **kwargs)

    def enqueue_job(self, job, *args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: super(Queue, self).enqueue_job(job, *args, **kwargs))
            return job
        return super().enqueue_job(job, *args, **kwargs)
