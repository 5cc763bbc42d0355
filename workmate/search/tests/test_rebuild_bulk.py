"""`rebuild_search --restart` as a bulk load: the full-text index is suspended while the
rows are written and built once at the end, and it follows every write again afterwards,
whether the load finished, failed or was killed and run again."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from workmate.search import indexing, rebuild
from workmate.search.models import Entry
from workmate.search.services import search
from workmate.search.tests import test_indexing
from workmate.search.tests.test_indexing import snapshot
from workmate.testing.factories import make_task
from workmate.work.models import Comment

everything = test_indexing.everything  # the fixture: one object of every kind


def fulltext_matches_the_table() -> None:
    """SQLite: compare the FTS5 index with its content table (raises when they differ).
    PostgreSQL's GIN index is built from the table itself."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


def check_fulltext() -> None:
    """Fail unless the full-text index follows writes and holds exactly the table."""
    assert rebuild.fulltext_in_step()
    fulltext_matches_the_table()


def found(word: str, user) -> dict[str, int]:
    return search(word, user=user).counts


def test_a_full_rebuild_equals_incremental_and_the_index_follows_writes_after_it(
    everything, alice, committed
):
    incremental = snapshot()
    before = found("장애", alice)
    assert set(before) == {"task", "ticket", "page", "proposal"}
    assert rebuild.rebuild(restart=True)["task"] == 1
    assert snapshot() == incremental
    check_fulltext()
    assert found("장애", alice) == before
    # Incremental updates after it: an edit, a comment, a new task.
    task = everything["task"]
    with committed():
        task.title = "배포 대응"
        task.save()
        Comment.objects.create(task=task, author=alice, body="재발 방지 메모")
        make_task(project=task.project, title="신규 점검")
    check_fulltext()
    assert found("배포", alice) == {"task": 1}
    assert found("재발", alice) == {"task": 1}
    assert found("신규", alice) == {"task": 1}
    assert "task" not in found("장애", alice)


def test_a_failed_full_rebuild_puts_the_index_back_in_step(everything, alice, monkeypatch):
    incremental = snapshot()

    def broken(ids: list[int]) -> list[dict]:
        raise RuntimeError("the desk's database went away")

    monkeypatch.setitem(indexing.BUILDERS, "ticket", broken)
    with pytest.raises(RuntimeError):
        rebuild.rebuild(restart=True)
    # Tasks were written before tickets; the index holds what the table holds.
    check_fulltext()
    assert found("장애", alice) == {"task": 1}
    monkeypatch.undo()
    rebuild.rebuild()  # goes on from the tickets
    check_fulltext()
    assert snapshot() == incremental


def test_a_killed_full_rebuild_goes_on_as_a_bulk_load(everything, alice, committed, monkeypatch):
    incremental = snapshot()

    def killed_after_the_tasks(kind: str, done: int, total: int) -> None:
        if kind == "ticket":
            raise KeyboardInterrupt

    # Killed: nothing runs after the interruption (no step 3).
    monkeypatch.setattr(rebuild, "resume_fulltext", lambda: None)
    with pytest.raises(KeyboardInterrupt):
        rebuild.rebuild(restart=True, batch=1, progress=killed_after_the_tasks)
    monkeypatch.undo()
    assert not rebuild.fulltext_in_step()
    if connection.vendor == "sqlite":
        # The old full-text index still lists the rows deleted for the load.
        with pytest.raises(DatabaseError):
            fulltext_matches_the_table()
    task = everything["task"]
    with committed():  # written while the index is suspended
        new = make_task(project=task.project, title="야간 점검")
    rebuild.rebuild()
    check_fulltext()
    assert [row for row in snapshot() if row[:2] != ("task", new.pk)] == incremental
    assert found("야간", alice) == {"task": 1}
    assert set(found("장애", alice)) == {"task", "ticket", "page", "proposal"}


def test_a_resumed_bulk_load_removes_rows_of_objects_gone_between_batches(everything, alice):
    project = everything["task"].project
    made = [make_task(project=project, title=f"점검 {n}") for n in range(3)]
    indexing.refresh("task", [t.pk for t in made])
    rebuild.suspend_fulltext()  # as a killed bulk load leaves it
    # Deleted while no receiver listened (one between two objects, one after the last):
    # their rows stay until a rebuild.
    type(made[0]).objects.filter(pk__in=[made[0].pk, made[2].pk]).delete()
    assert Entry.objects.filter(kind="task").count() == 4
    rebuild.rebuild(kinds=["task"], batch=1)
    kept = Entry.objects.filter(kind="task").order_by("pk").values_list("object_id", flat=True)
    assert list(kept) == [everything["task"].pk, made[1].pk]
    check_fulltext()
