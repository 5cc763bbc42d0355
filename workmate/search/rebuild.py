"""Rebuilding the whole index in batches, resumable (`manage.py rebuild_search`).

Each kind is walked in primary-key order, `BATCH` ids at a time, each batch committed
with the kind's `RebuildState` row, so a stopped rebuild goes on after the last committed
batch.

A rebuild from the start (`restart`) is a bulk load, since indexing 1.25 million rows one
by one through the full-text index cost most of its time:

1. the full-text index stops following the table (SQLite: the three FTS5 triggers are
   dropped; PostgreSQL: the GIN index is dropped) and the kinds' rows are deleted;
2. each batch is written in id order (kinds in their number order), so the table grows
   at its end; the batch's id range is cleared first, which also removes the rows of
   objects deleted since;
3. the full-text index is built once from the table (FTS5's `'rebuild'`, `CREATE INDEX`)
   and the triggers are created again, in one transaction.

Step 3 also runs when the load stops with an error (then the error goes on). If the
process is killed, the full-text index stays suspended until the next `rebuild_search`,
which sees that, goes on as a bulk load and ends with step 3. While a bulk load runs,
searches on SQLite read the old full-text index (objects not yet written again are not
found), on PostgreSQL without the GIN index (slower); new objects are found once it ends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from workmate.search import indexing
from workmate.search.models import KIND_NUMBERS, Entry, Kind, RebuildState, entry_id, kind_ids

BATCH = 2000
# What `progress` is told while the full-text index is built at the end of a bulk load.
FULLTEXT = "full-text index"

# What keeps the full-text index in step with search_entry (as migrations 0001 and 0002
# create it), dropped for a bulk load and created again after it.
SQLITE_TRIGGERS = {
    "search_entry_ai": (
        "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN"
        " INSERT INTO search_fts(rowid, title_grams, body_grams, private_grams)"
        " VALUES (new.id, new.title_grams, new.body_grams, new.private_grams); END"
    ),
    "search_entry_ad": (
        "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN"
        " INSERT INTO search_fts(search_fts, rowid, title_grams, body_grams, private_grams)"
        " VALUES ('delete', old.id, old.title_grams, old.body_grams, old.private_grams); END"
    ),
    "search_entry_au": (
        "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN"
        " INSERT INTO search_fts(search_fts, rowid, title_grams, body_grams, private_grams)"
        " VALUES ('delete', old.id, old.title_grams, old.body_grams, old.private_grams);"
        " INSERT INTO search_fts(rowid, title_grams, body_grams, private_grams)"
        " VALUES (new.id, new.title_grams, new.body_grams, new.private_grams); END"
    ),
}
POSTGRES_INDEX = "search_entry_tsv_idx"


def fulltext_in_step() -> bool:
    """Whether the full-text index follows every write (False during a bulk load, or
    after one was killed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'search_entry'"
                " AND indexname = %s",
                [POSTGRES_INDEX],
            )
            return cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name = 'search_entry' AND name IN (%s, %s, %s)",
            list(SQLITE_TRIGGERS),
        )
        return cursor.fetchone()[0] == len(SQLITE_TRIGGERS)


def suspend_fulltext() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")
            return
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def resume_fulltext() -> None:
    """Build the full-text index from the table and have it follow writes again; one
    transaction, so no write falls between the two."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A GIN index builds much faster with room to sort in (the default is 64 MB).
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON search_entry USING gin (tsv)"
            )
            cursor.execute("ANALYZE search_entry")
            return
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        for name, create in SQLITE_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(create)


def _clear(kinds: list[str]) -> None:
    """Delete the kinds' rows, with the full-text index suspended (no trigger per row;
    plain SQL, not the ORM's delete, which reads the rows first when any receiver listens
    to deletes of every model)."""
    with connection.cursor() as cursor:
        if set(kinds) == set(Kind.values):
            # SQLite truncates a table without triggers in one step; PostgreSQL's TRUNCATE
            # leaves no dead rows to vacuum.
            cursor.execute(
                "TRUNCATE search_entry"
                if connection.vendor == "postgresql"
                else "DELETE FROM search_entry"
            )
            return
        for kind in kinds:
            cursor.execute(
                "DELETE FROM search_entry WHERE id BETWEEN %s AND %s OR kind = %s",
                [*kind_ids(kind), kind],
            )


def rebuild(
    *,
    kinds: list[str] | None = None,
    restart: bool = False,
    batch: int = BATCH,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Re-index every object of `kinds` (all by default); returns rows written per kind.
    `restart` forgets an unfinished rebuild and starts from the first id again, as a
    bulk load (above)."""
    kinds = sorted(kinds or Kind.values, key=KIND_NUMBERS.__getitem__)
    bulk = restart or not fulltext_in_step()
    if restart:
        RebuildState.objects.filter(kind__in=kinds).delete()
    # A stopped rebuild goes on with its unfinished kinds and leaves the kinds it finished;
    # once every kind is finished, the next run starts them all again.
    resuming = RebuildState.objects.filter(kind__in=kinds, finished=False).exists()
    if not bulk:
        return _walk(kinds, batch, progress, bulk=False, resuming=resuming)
    with transaction.atomic():
        suspend_fulltext()
        if restart:
            _clear(kinds)
    try:
        return _walk(kinds, batch, progress, bulk=True, resuming=resuming)
    finally:
        if progress:
            progress(FULLTEXT, 0, 1)
        resume_fulltext()
        if progress:
            progress(FULLTEXT, 1, 1)


def _walk(
    kinds: list[str],
    batch: int,
    progress: Callable[[str, int, int], None] | None,
    *,
    bulk: bool,
    resuming: bool,
) -> dict[str, int]:
    written: dict[str, int] = {}
    for kind in kinds:
        state, _created = RebuildState.objects.get_or_create(kind=kind)
        if state.finished:
            if resuming:
                continue
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
                if bulk:
                    count = indexing.load(kind, ids, after=state.last_id)
                else:
                    count = indexing.refresh(kind, ids)
                written[kind] = written.get(kind, 0) + count
                state.last_id = ids[-1]
                state.done += len(ids)
                state.save(update_fields=["last_id", "done"])
            if progress:
                progress(kind, state.done, total)
        # Rows whose object is gone (deleted while no receiver was listening): a bulk load
        # cleared every id up to the last object, what is left is above it.
        if bulk:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_entry WHERE id > %s AND id <= %s",
                    [entry_id(kind, state.last_id), kind_ids(kind)[1]],
                )
        else:
            # NOT EXISTS, an anti-join: PostgreSQL runs `NOT IN (subquery)` as a plain
            # subplan once the ids outgrow work_mem (a million tasks: hours).
            gone = ~Exists(model.objects.filter(pk=OuterRef("object_id")))
            Entry.objects.filter(gone, kind=kind).delete()
        state.finished = True
        state.save(update_fields=["finished"])
    return written
