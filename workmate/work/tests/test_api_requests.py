"""Requests through the API: list my inbox or what I wait on, send one on a task,
and acknowledge, answer or hand it back — the same services as the Requests page."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workmate.testing.factories import make_project, make_task, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Comment, RequestState, Task, Visibility, WorkRequest

JSON = "application/json"
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def ask(project, requester, assignee, title: str, hours: int, **fields) -> WorkRequest:
    task = make_task(project=project, title=title, assignee=assignee)
    return WorkRequest.objects.create(
        task=task,
        requester=requester,
        assignee=assignee,
        reply_by=NOW + datetime.timedelta(hours=hours),
        created_at=NOW - datetime.timedelta(days=1),
        **fields,
    )


@pytest.fixture
def request_to_bob(project, alice, bob):
    with time_machine.travel(NOW, tick=False):
        task = services.do_create_task(
            alice, project, title="Check backups", assignee=bob, request_message="Failed twice."
        )
    return WorkRequest.objects.get(task=task)


def test_inbox_and_waiting_sorted_by_reply_by(project, alice, bob):
    late = ask(project, alice, bob, "Later", 30)
    soon = ask(project, alice, bob, "Soon", -2)
    ask(project, alice, bob, "Answered", 1, state=RequestState.ANSWERED)
    mine = ask(project, bob, alice, "Bob asks", 5)
    with time_machine.travel(NOW, tick=False):
        inbox = token_client(bob).get("/api/v1/requests", {"box": "inbox"}).json()
        waiting = token_client(alice).get("/api/v1/requests?box=waiting").json()
        everything = token_client(bob).get("/api/v1/requests?box=inbox&closed=true").json()
        alices_inbox = token_client(alice).get("/api/v1/requests").json()
    assert [item["id"] for item in inbox["items"]] == [soon.pk, late.pk]
    assert [item["overdue"] for item in inbox["items"]] == [True, False]
    assert inbox["items"][0]["task_title"] == "Soon"
    assert inbox["items"][0]["requester"]["id"] == alice.pk
    assert [item["task_title"] for item in waiting["items"]] == ["Soon", "Later"]
    assert [item["task_title"] for item in everything["items"]] == ["Soon", "Answered", "Later"]
    assert [item["id"] for item in alices_inbox["items"]] == [mine.pk]


def test_request_pages_walk_every_row_once_with_fixed_queries(project, alice, bob):
    api = token_client(bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/requests", {"limit": 200}).status_code == 200
        return len(queries)

    # Several requests share a reply-by, so the cursor must break ties by id.
    for number in range(10):
        ask(project, alice, bob, f"R{number}", number % 3)
    api.get("/api/v1/requests")
    ten = count()
    for number in range(10, 60):
        ask(project, alice, bob, f"R{number}", number % 3)
    assert count() == ten
    seen: list[int] = []
    cursor = ""
    while True:
        body = api.get("/api/v1/requests", {"limit": 7, "cursor": cursor}).json()
        seen += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    expected = list(WorkRequest.objects.order_by("reply_by", "pk").values_list("pk", flat=True))
    assert seen == expected
    assert len(seen) == 60


def test_bad_box_is_422(bob):
    response = token_client(bob).get("/api/v1/requests?box=everyone")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_send_request_sets_assignee_and_reply_by(project, alice, bob):
    task = services.do_create_task(alice, project, title="Rotate keys")
    with time_machine.travel(NOW, tick=False):
        response = token_client(alice).post(
            f"/api/v1/tasks/{task.pk}/requests",
            {"assignee_id": bob.pk, "message": "By Friday please"},
            content_type=JSON,
        )
    assert response.status_code == 201, response.content
    request = WorkRequest.objects.get(pk=response.json()["id"])
    assert (request.requester, request.assignee, request.message) == (
        alice,
        bob,
        "By Friday please",
    )
    assert request.reply_by == services.reply_by_for(bob, NOW, project)
    task.refresh_from_db()
    assert task.assignee == bob
    assert task.version == 2


def test_send_request_rules(project, alice, bob, charlie, team):
    task = services.do_create_task(alice, project, title="Rotate keys")
    api = token_client(alice)
    to_self = api.post(
        f"/api/v1/tasks/{task.pk}/requests", {"assignee_id": alice.pk}, content_type=JSON
    )
    assert to_self.status_code == 400
    assert "assignee" in to_self.json()["errors"]
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    hidden = services.do_create_task(alice, private, title="Secret")
    cannot_see = api.post(
        f"/api/v1/tasks/{hidden.pk}/requests", {"assignee_id": charlie.pk}, content_type=JSON
    )
    assert cannot_see.status_code == 400
    outsider = token_client(charlie).post(
        f"/api/v1/tasks/{hidden.pk}/requests", {"assignee_id": alice.pk}, content_type=JSON
    )
    assert outsider.status_code == 404
    assert not WorkRequest.objects.exists()


def test_acknowledge_then_answer(request_to_bob, bob):
    api = token_client(bob)
    url = f"/api/v1/requests/{request_to_bob.pk}"
    assert api.get(url).json()["state"] == "pending"
    response = api.post(f"{url}/acknowledge", {"note": "On it"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    request_to_bob.refresh_from_db()
    assert request_to_bob.acknowledged_at is not None
    response = api.post(f"{url}/answer", {"answer": "Backups fixed."}, content_type=JSON)
    assert response.status_code == 200
    request_to_bob.refresh_from_db()
    assert (request_to_bob.state, request_to_bob.answer) == (
        RequestState.ANSWERED,
        "Backups fixed.",
    )
    assert Comment.objects.filter(task=request_to_bob.task, body="Backups fixed.").exists()
    again = api.post(f"{url}/answer", {"answer": "Twice"}, content_type=JSON)
    assert again.status_code == 400
    assert again.json()["detail"] == "This request is already closed."


def test_hand_back_returns_the_task(request_to_bob, alice, bob):
    response = token_client(bob).post(
        f"/api/v1/requests/{request_to_bob.pk}/hand-back",
        {"reason": "I am on leave."},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["state"] == "handed_back"
    task = Task.objects.get(pk=request_to_bob.task_id)
    assert task.assignee == alice
    blank = token_client(bob).post(
        f"/api/v1/requests/{request_to_bob.pk}/hand-back", {"reason": " "}, content_type=JSON
    )
    assert blank.status_code == 400


def test_only_the_person_asked_may_reply(request_to_bob, alice, charlie):
    url = f"/api/v1/requests/{request_to_bob.pk}"
    requester = token_client(alice).post(f"{url}/answer", {"answer": "Me"}, content_type=JSON)
    assert requester.status_code == 403
    assert token_client(alice).get(url).status_code == 200
    outsider = token_client(charlie)
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}/answer", {"answer": "Me"}, content_type=JSON).status_code == 404
    stranger = token_client(make_user())
    assert stranger.post(f"{url}/acknowledge", {}, content_type=JSON).status_code == 404
    request_to_bob.refresh_from_db()
    assert request_to_bob.state == RequestState.PENDING


def test_pages_do_not_repeat_rows_whose_reply_by_differs_in_microseconds(project, alice, bob):
    api = token_client(bob)
    base = datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC)
    for number in range(6):
        request = ask(project, alice, bob, f"M{number}", 0)
        WorkRequest.objects.filter(pk=request.pk).update(
            reply_by=base + datetime.timedelta(microseconds=100 * number)
        )
    seen: list[int] = []
    cursor = ""
    # Bounded: a cursor that loses the microseconds would hand out the same page forever.
    for _page in range(10):
        body = api.get("/api/v1/requests", {"limit": 2, "cursor": cursor}).json()
        seen += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 6
