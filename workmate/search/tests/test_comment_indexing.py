"""A new comment is added to its task's entry on its own: indexing it costs the same at 1
and at 50 comments, and gives the entry re-indexing the task would give."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workmate.search import indexing, tasks
from workmate.search.models import Entry, entry_id
from workmate.search.services import search
from workmate.testing.factories import make_project, make_task
from workmate.work.models import Comment, Visibility

COLUMNS = ["title", "body", "private", "title_grams", "body_grams", "private_grams",
           "updated_at", "last_comment_id", "comment_count"]  # fmt: skip


def entry(task) -> dict:
    return Entry.objects.values(*COLUMNS).get(pk=entry_id("task", task.pk))


@pytest.fixture
def project(db, alice, team):
    return make_project(owner=alice, team=team, visibility=Visibility.TEAM)


def index_a_comment(task, author, body, capture, monkeypatch) -> tuple[int, int]:
    """The statements run and the characters n-grammed to index one new comment."""
    with capture() as callbacks:
        Comment.objects.create(task=task, author=author, body=body)
    chars: list[int] = []
    grams = indexing.grams
    monkeypatch.setattr(indexing, "grams", lambda text: chars.append(len(text)) or grams(text))
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    monkeypatch.setattr(indexing, "grams", grams)
    return len(queries), sum(chars)


def test_a_new_comment_costs_the_same_at_1_and_50_comments(
    project, alice, committed, django_capture_on_commit_callbacks, monkeypatch
):
    with committed():
        quiet = make_task(project=project, title="배포 점검", description="절차")
        busy = make_task(project=project, title="배포 점검", description="절차")
    Comment.objects.bulk_create(
        Comment(task=busy, author=alice, body=f"{n}번째 확인: API서버 로그를 다시 봤습니다. " * 4)
        for n in range(49)
    )
    indexing.refresh("task", [quiet.pk, busy.pk])
    body = "원인은 DB 연결 풀 설정"
    at_1 = index_a_comment(quiet, alice, body, django_capture_on_commit_callbacks, monkeypatch)
    at_50 = index_a_comment(busy, alice, body, django_capture_on_commit_callbacks, monkeypatch)
    # Only the new comment is n-grammed (with the line break before it), in as many
    # statements whatever the task already has.
    assert at_1 == at_50
    assert at_50[1] == len("\n" + body)
    assert "연결 풀 설정" in entry(busy)["body"]


@pytest.mark.parametrize("limit", [20_000, 40])
def test_comments_added_one_by_one_give_what_reindexing_gives(
    project, alice, committed, monkeypatch, limit
):
    # 40: the text reaches the indexed length's cut in the second comment.
    monkeypatch.setattr(indexing, "MAX_INDEXED_CHARS", limit)
    with committed():
        task = make_task(project=project, title="장애 대응", description="")
    reindexed = indexing.refresh
    fell_back: list[int] = []
    monkeypatch.setattr(indexing, "refresh", lambda kind, ids: fell_back.append(1) or 0)
    for body in ["API서버 재시작 완료", "원인은 DB 연결 풀 - Deploy window moved to 22:00", "확인"]:
        with committed():
            Comment.objects.create(task=task, author=alice, body=body)
        appended = entry(task)
        reindexed("task", [task.pk])
        assert entry(task) == appended
    assert fell_back == []  # every comment was appended, none re-indexed the task
    assert len(appended["body"]) == min(limit, 58)


def test_what_a_comment_makes_findable_and_for_whom(project, alice, bob, charlie, committed):
    with committed():
        task = make_task(project=project, title="배포 점검")
        Comment.objects.create(task=task, author=alice, body="롤백 절차 확인")
    assert search("롤백", user=bob).counts == {"task": 1}
    assert search("배포 롤백", user=bob).counts == {"task": 1}  # title and comment: AND
    assert search("롤백", user=charlie).total == 0


def test_an_earlier_comment_indexed_late_reindexes_the_task(project, alice):
    task = make_task(project=project, title="장애 대응")
    indexing.refresh("task", [task.pk])
    # Two comments committed at once; the second one's indexing runs first.
    first = Comment.objects.create(task=task, author=alice, body="첫 번째 메모")
    second = Comment.objects.create(task=task, author=alice, body="두 번째 메모")
    assert indexing.append_comments(task.pk, [second.pk]) == 1
    assert entry(task)["last_comment_id"] == second.pk
    assert indexing.append_comments(task.pk, [first.pk]) == 1  # the whole task, again
    appended = entry(task)
    assert appended["body"] == "첫 번째 메모\n두 번째 메모"
    indexing.refresh("task", [task.pk])
    assert entry(task) == appended


def test_the_sweeper_leaves_tasks_whose_comments_are_indexed(project, alice, committed):
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start - datetime.timedelta(hours=1)), committed():
        task = make_task(project=project, title="장애 대응")
    with time_machine.travel(start):
        assert tasks.sweep() == 0  # the first sweep only marks the time
    with time_machine.travel(start + datetime.timedelta(minutes=10)):
        with committed():
            Comment.objects.create(task=task, author=alice, body="색인됨")
        Comment.objects.create(task=task, author=alice, body="색인 안 됨")  # never indexed
    with time_machine.travel(start + datetime.timedelta(minutes=11)):
        assert tasks.sweep() == 1
    assert "색인 안 됨" in entry(task)["body"]
    with time_machine.travel(start + datetime.timedelta(minutes=20)), committed():
        Comment.objects.create(task=task, author=alice, body="또 색인됨")
    with time_machine.travel(start + datetime.timedelta(minutes=21)):
        assert tasks.sweep() == 0  # was 1: the task re-read whole for a comment it had


def test_the_sweeper_finds_an_earlier_comment_whose_indexing_never_ran(project, alice, committed):
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start - datetime.timedelta(hours=1)), committed():
        task = make_task(project=project, title="장애 대응")
    with time_machine.travel(start):
        assert tasks.sweep() == 0
    with time_machine.travel(start + datetime.timedelta(minutes=10)):
        # Two comments at once; the first one's process died after its commit, the
        # second was added: the entry's newest comment is the task's newest.
        Comment.objects.create(task=task, author=alice, body="첫 번째 메모")
        second = Comment.objects.create(task=task, author=alice, body="두 번째 메모")
        indexing.append_comments(task.pk, [second.pk])
    assert entry(task)["last_comment_id"] == second.pk
    with time_machine.travel(start + datetime.timedelta(minutes=11)):
        assert tasks.sweep() == 1
    assert entry(task)["body"] == "첫 번째 메모\n두 번째 메모"
