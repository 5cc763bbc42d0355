"""Rebuilding the whole index in batches, resumable (`manage.py rebuild_search`).

Each kind is walked in primary-key order, `BATCH` ids at a time, each batch through
`indexing.refresh` (the same code the receivers use) and committed with the kind's
`RebuildState` row, so a stopped rebuild goes on after the last committed batch. Rows of
objects that no longer exist are removed kind by kind at the end of the walk."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef

from workmate.search import indexing
from workmate.search.models import Entry, Kind, RebuildState

BATCH = 2000


def rebuild(
    *,
    kinds: list[str] | None = None,
    restart: bool = False,
    batch: int = BATCH,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Re-index every object of `kinds` (all by default); returns rows written per kind.
    `restart` forgets an unfinished rebuild and starts from the first id again."""
    kinds = kinds or list(Kind.values)
    if restart:
        RebuildState.objects.filter(kind__in=kinds).delete()
    written: dict[str, int] = {}
    for kind in kinds:
        state, _created = RebuildState.objects.get_or_create(kind=kind)
        if state.finished:
            state.last_id, state.done, state.finished = 0, 0, False
            state.save()
        model = indexing.source_model(kind)
        total = model.objects.filter(pk__gt=state.last_id).count() + state.done
        while True:
            ids = list(
                model.objects.filter(pk__gt=state.last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            with transaction.atomic():
                written[kind] = written.get(kind, 0) + indexing.refresh(kind, ids)
                state.last_id = ids[-1]
                state.done += len(ids)
                state.save(update_fields=["last_id", "done"])
            if progress:
                progress(kind, state.done, total)
        # Rows whose object is gone (deleted while no receiver was listening).
        # NOT EXISTS, an anti-join: PostgreSQL runs `NOT IN (subquery)` as a plain subplan
        # once the ids outgrow work_mem (a million tasks: hours).
        gone = ~Exists(model.objects.filter(pk=OuterRef("object_id")))
        Entry.objects.filter(gone, kind=kind).delete()
        state.finished = True
        state.save(update_fields=["finished"])
    return written
