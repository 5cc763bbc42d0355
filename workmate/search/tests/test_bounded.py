"""What keeps a search fast at a million rows without giving anything away: entry ids by
kind (the full-text index reads one kind's matches newest first), counts that stop at a
cap and say so, the stored access key (a task's project) following every change, and a
plan that starts from the full-text index."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client

from workmate.search import rebuild, services, tasks
from workmate.search.models import Entry, entry_id, kind_ids
from workmate.search.query import parse
from workmate.search.services import search
from workmate.testing.factories import make_project, make_task
from workmate.testing.openapi import token_client
from workmate.work.models import Task, Visibility


@pytest.fixture
def five(db, alice, team, committed):
    project = make_project(owner=alice, team=team, visibility=Visibility.ORG)
    with committed():
        made = [make_task(project=project, title=f"서버 점검 {n}") for n in range(5)]
    return made


def test_entry_ids_carry_their_kind_and_rebuild_keeps_them(five):
    first, last = kind_ids("task")
    ids = sorted(Entry.objects.filter(kind="task").values_list("id", flat=True))
    assert ids == sorted(entry_id("task", t.pk) for t in five)
    assert all(first <= pk <= last for pk in ids)
    assert kind_ids("ticket")[0] > last
    Entry.objects.all().delete()
    rebuild.rebuild(kinds=["task"])
    assert sorted(Entry.objects.filter(kind="task").values_list("id", flat=True)) == ids


def test_counts_stop_at_the_cap_and_say_so(five, alice, bob, client, monkeypatch):
    monkeypatch.setattr(services, "CAP", 3)
    found = search("서버", user=bob)
    assert found.counts == {"task": 3} and found.capped == {"task"}
    # The hits shown are the newest three, ranked; no page beyond what was read.
    page = search("서버", user=bob, kind="task", per_page=2, page=2)
    assert [hit.id for hit in page.hits] == [five[2].pk] and page.has_next is False
    client.force_login(bob)
    html = client.get("/search/", {"q": "서버"}).content.decode()
    assert 'Tasks <span class="muted">3+</span>' in html
    assert 'All <span class="muted">3+</span>' in html
    body = token_client(bob).get("/api/v1/search", {"q": "서버"}).json()
    assert body["counts"] == {"task": 3} and body["capped"] == ["task"]
    monkeypatch.setattr(services, "CAP", 5)
    assert search("서버", user=bob).capped == set()
    assert Client().get("/api/v1/search", {"q": "서버"}).status_code == 401


def test_a_task_moved_to_a_private_project_leaves_members_results(
    five, alice, bob, team, committed
):
    secret = make_project(owner=alice, team=team, visibility=Visibility.PRIVATE)
    task = five[0]
    assert task.pk in {hit.id for hit in search("서버", user=bob, flat=True).hits}
    with committed():
        task.project = secret
        task.save()
    assert Entry.objects.get(kind="task", object_id=task.pk).project_id == secret.pk
    assert task.pk not in {hit.id for hit in search("서버", user=bob, flat=True).hits}
    assert search("서버", user=bob).counts == {"task": 4}
    assert task.pk in {hit.id for hit in search("서버", user=alice, flat=True).hits}


def test_the_sweeper_fixes_a_stale_project_key(five, alice, bob, team):
    secret = make_project(owner=alice, team=team, visibility=Visibility.PRIVATE)
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start):
        tasks.sweep()
    with time_machine.travel(start + datetime.timedelta(seconds=30)):
        # Moved without the after-commit indexing (a process killed after its commit).
        Task.objects.filter(pk=five[1].pk).update(
            project=secret, updated_at=datetime.datetime.now(datetime.UTC)
        )
    assert search("서버", user=bob).counts == {"task": 5}  # the stale key still lets it through
    with time_machine.travel(start + datetime.timedelta(minutes=1)):
        assert tasks.sweep() == 1
    assert Entry.objects.get(kind="task", object_id=five[1].pk).project_id == secret.pk
    assert search("서버", user=bob).counts == {"task": 4}


def test_a_project_made_private_hides_its_tasks_without_reindexing(five, alice, bob):
    """Visibility is read from the project table live: the stored key is the project."""
    from workmate.work import services as work

    project = five[0].project
    assert search("서버", user=bob).counts == {"task": 5}
    work.do_update_project(alice, project, {"visibility": Visibility.PRIVATE})
    assert search("서버", user=bob).counts == {}
    assert search("서버", user=alice).counts == {"task": 5}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_full_text_index_drives_the_read(five, bob):
    """Without the forced join order SQLite walked every entry the person may see."""
    query = parse("서버")
    where = services._where(services.visible(bob))
    sql, params = services._candidate_sql("task", query, where, public_only=False)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [row[-1] for row in cursor.fetchall()]
    assert plan[0].startswith("SCAN search_fts VIRTUAL TABLE"), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
