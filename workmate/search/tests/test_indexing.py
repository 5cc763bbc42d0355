"""Keeping the index current: after commit, never on rollback, deletes, the sweeper, and
`rebuild_search` giving exactly the rows incremental updates gave."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from workmate.desk import services as desk
from workmate.library.models import Revision
from workmate.search import rebuild, tasks
from workmate.search.models import Entry, RebuildState
from workmate.search.services import search
from workmate.testing.factories import (
    make_page,
    make_project,
    make_space,
    make_task,
    make_ticket,
    make_user,
)
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work.models import Comment, Tag, Visibility

COMPARED = [
    "kind", "object_id", "title", "body", "private", "title_grams", "body_grams",
    "private_grams", "url", "status", "is_open", "hidden", "project_id", "space_id",
    "customer_id", "contact_id", "assignee_id", "priority", "teams", "tags", "created_at",
    "updated_at", "due_on",
]  # fmt: skip


def snapshot() -> list[tuple]:
    return sorted(Entry.objects.values_list(*COMPARED))


@pytest.fixture
def everything(db, alice, bob, team, customer_a, contact_a, committed):
    with committed():
        project = make_project(owner=alice, team=team, visibility=Visibility.ORG)
        task = make_task(project=project, title="장애 대응", assignee=bob)
        task.tags.add(Tag.objects.create(name="Ops"))
        Comment.objects.create(task=task, author=alice, body="원인 분석 완료")
        ticket = make_ticket(customer=customer_a, requester=contact_a, subject="접속 장애")
        desk.do_reply(alice, ticket, "확인 중입니다")
        desk.do_reply(alice, ticket, "내부 메모", internal=True)
        make_page(space=make_space(team=team), owner=alice, title="장애 대응 절차", body="1단계")
        voice.do_post_proposal(bob, title="장애 알림 개선", problem="늦음", area=Area.TOOLS)
    return {"task": task, "ticket": ticket}


def test_every_kind_is_indexed_after_commit(everything):
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert kinds == {"task", "ticket", "page", "proposal", "customer", "contact", "person"}
    task = Entry.objects.get(kind="task")
    assert task.tags == "|ops|" and "원인 분석 완료" in task.body
    ticket = Entry.objects.get(kind="ticket")
    assert "확인 중입니다" in ticket.body and ticket.private == "내부 메모"


def test_rebuild_equals_incremental(everything):
    incremental = snapshot()
    Entry.objects.all().delete()
    assert search("장애", user=everything["task"].assignee).total == 0
    rebuild.rebuild()
    assert snapshot() == incremental


def test_rebuild_resumes_after_a_stop_and_removes_rows_of_deleted_objects(everything, alice):
    incremental = snapshot()
    team_project = everything["task"].project
    extra = [make_task(project=team_project, title=f"추가 {n}") for n in range(5)]  # no commit
    ghost = Entry.objects.get(kind="task")
    Entry.objects.filter(pk=ghost.pk).update(object_id=999_999)  # an object long gone
    calls = []

    def stop_after_two(kind: str, done: int, total: int) -> None:
        calls.append((kind, done, total))
        if kind == "task" and done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild.rebuild(kinds=["task"], batch=2, progress=stop_after_two)
    state = RebuildState.objects.get(kind="task")
    assert state.done == 4 and not state.finished
    rebuild.rebuild(kinds=["task"], batch=2, progress=lambda *a: calls.append(a))
    assert calls[-1] == ("task", 6, 6)
    assert not Entry.objects.filter(object_id=999_999).exists()
    assert Entry.objects.filter(kind="task").count() == 6
    Entry.objects.filter(kind="task", object_id__in=[t.pk for t in extra]).delete()
    assert snapshot() == incremental


def test_rebuild_finds_rows_of_deleted_objects_with_an_anti_join(everything):
    """`NOT IN (SELECT id …)` is a plain subplan on PostgreSQL once the ids outgrow
    work_mem: at a million tasks the stale-row delete ran for hours. NOT EXISTS is an
    anti-join on both databases."""
    with CaptureQueriesContext(connection) as queries:
        rebuild.rebuild(kinds=["task"])
    sql = [q["sql"] for q in queries.captured_queries]
    stale = [s for s in sql if "DELETE" in s and "EXISTS" in s]
    assert len(stale) == 1 and "NOT EXISTS" in stale[0].upper().replace("NOT (EXISTS", "NOT EXISTS")
    assert not [s for s in sql if "IN (SELECT" in s.upper()]


def test_the_command_reports_progress(everything):
    out = StringIO()
    call_command("rebuild_search", "--restart", stdout=out)
    assert "task: 1/1" in out.getvalue() and "Done in" in out.getvalue()


def test_changes_are_indexed_and_deletes_removed(everything, alice, committed):
    task = everything["task"]
    with committed():
        task.title = "배포 대응"
        task.save()
    assert search("배포", user=alice).counts == {"task": 1}
    assert "task" not in search("장애", user=alice).counts
    with committed():
        task.delete()
    assert not Entry.objects.filter(kind="task").exists()


def test_a_page_indexes_its_published_text_only(db, alice, team, committed):
    with committed():
        page = make_page(space=make_space(team=team), owner=alice, title="운영", body="공개 본문")
        Revision.objects.create(
            page=page, number=2, author=alice, title="운영", body="초안 본문", status="draft"
        )
    assert search("공개", user=alice).total == 1
    assert search("초안", user=alice).total == 0


def test_a_rolled_back_change_indexes_nothing(
    everything, alice, django_capture_on_commit_callbacks
):
    task = everything["task"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                task.title = "취소될 제목"
                task.save()
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert Entry.objects.get(kind="task").title == "장애 대응"


def test_the_sweeper_catches_a_change_whose_indexing_never_ran(everything, alice):
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start):
        assert tasks.sweep() == 0  # the first sweep only marks the time
    with time_machine.travel(start + datetime.timedelta(seconds=30)):
        # Written without the after-commit callback running (as if the process died).
        task = everything["task"]
        task.title = "복구 훈련"
        task.save()
        Comment.objects.create(task=task, author=alice, body="이것도")
    assert Entry.objects.get(kind="task").title == "장애 대응"
    with time_machine.travel(start + datetime.timedelta(minutes=1)):
        assert tasks.sweep() == 1
    entry = Entry.objects.get(kind="task")
    assert entry.title == "복구 훈련" and "이것도" in entry.body


def test_the_clock_runs_the_sweeper():
    from workmate.inbox.clock import PERIODIC_TASKS

    assert "workmate.search.tasks.sweep_search_index" in PERIODIC_TASKS


def test_people_follow_their_profile_and_teams(db, committed):
    with committed():
        person = make_user(full_name="한지민", profile={"title": "데이터 엔지니어"})
    assert "데이터 엔지니어" in Entry.objects.get(kind="person", object_id=person.pk).body
