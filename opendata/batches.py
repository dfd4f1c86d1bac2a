"""A queryset read a batch at a time by keyset pagination, so that an export of 100,000 entries never holds
more than one batch: each batch is its own query, `LIMIT size` rows after the last row of the batch before
in the queryset's own order (its sort keys, then the primary key to break ties), with the queryset's
select_related and prefetch_related done for that batch only.

Why not `.iterator(chunk_size=...)`: it runs one query for the whole selection and reads its rows through a
cursor, which holds every row in the client when server-side cursors are off (PgBouncer in transaction mode,
DISABLE_SERVER_SIDE_CURSORS) and, on PostgreSQL, keeps a transaction open for the whole download. Why not
OFFSET: rows published or unpublished during a download would be skipped or repeated, and every page would
sort everything before it again. The keyset follows the database's place for NULLs (first in ascending
order on SQLite and MySQL, last on PostgreSQL and Oracle) unless the ordering says where they go."""

from django.db import connections
from django.db.models import F, OrderBy, Q
from django.db.models.query import QuerySet

KEY = "_keyset_%d"


def _terms(queryset):
    """[(expression, descending, nulls_last)] of the queryset's ordering with the primary key last, or None
    when it cannot be read as keys (a random order, extra(), an ordering written as raw SQL)."""
    query = queryset.query
    if query.extra_order_by:
        return None
    ordering = list(query.order_by or (queryset.model._meta.ordering if query.default_ordering else ()))
    nulls_largest = connections[queryset.db].features.nulls_order_largest
    terms = []
    for item in ordering:
        if isinstance(item, str):
            if item == "?" or "." in item:
                return None
            descending = item.startswith("-")
            expression, nulls_first, nulls_last = F(item.lstrip("-+")), None, None
        elif isinstance(item, OrderBy):
            expression, descending = item.expression, item.descending
            nulls_first, nulls_last = item.nulls_first, item.nulls_last
        elif hasattr(item, "resolve_expression"):
            expression, descending, nulls_first, nulls_last = item, False, None, None
        else:
            return None
        if not nulls_first and not nulls_last:
            nulls_last = nulls_largest != descending
        terms.append((expression, descending, bool(nulls_last)))
    if not any(isinstance(expression, F) and expression.name in ("pk", "id") for expression, *_rest in terms):
        terms.append((F("pk"), False, False))
    return terms


def _after(terms, values):
    """The rows that come after a row whose keys are `values`, in the order of `terms`; None when none can."""
    disjuncts, equal = [], Q()
    for index, ((_expression, descending, nulls_last), value) in enumerate(zip(terms, values, strict=True)):
        key = KEY % index
        if value is None:
            beyond = None if nulls_last else Q(**{f"{key}__isnull": False})
            same = Q(**{f"{key}__isnull": True})
        else:
            beyond = Q(**{f"{key}__{'lt' if descending else 'gt'}": value})
            if nulls_last:
                beyond |= Q(**{f"{key}__isnull": True})
            same = Q(**{key: value})
        if beyond is not None:
            disjuncts.append(equal & beyond)
        equal &= same
    if not disjuncts:
        return None
    after = disjuncts[0]
    for disjunct in disjuncts[1:]:
        after |= disjunct
    return after


def batches(entries, size):
    """Lists of at most `size` items of `entries` (a queryset, or any iterable), in its order."""
    terms = _terms(entries) if isinstance(entries, QuerySet) else None
    if terms is None:
        yield from _chunks(entries, size)
        return
    low, high = entries.query.low_mark, entries.query.high_mark
    keyed = entries._chain()
    keyed.query.clear_limits()
    keyed = keyed.annotate(**{KEY % index: expression for index, (expression, *_rest) in enumerate(terms)})
    remaining = None if high is None else high - low
    after = None
    while True:
        take = size if remaining is None else min(size, remaining)
        # A fresh queryset each time, not kept: a queryset holds the rows it read in its result cache.
        batch = list(keyed[low : low + take] if after is None else keyed.filter(after)[:take])
        if not batch:
            return
        values = [getattr(batch[-1], KEY % index) for index in range(len(terms))]
        last = len(batch) < take
        if remaining is not None:
            remaining -= len(batch)
            last = last or remaining == 0
        yield batch
        del batch  # the next batch is read without this one in memory
        after = _after(terms, values)
        if last or after is None:
            return


def _chunks(entries, size):
    from itertools import islice

    iterator = entries.iterator(chunk_size=size) if hasattr(entries, "iterator") else iter(entries)
    while chunk := list(islice(iterator, size)):
        yield chunk
