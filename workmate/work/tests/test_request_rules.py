"""Two rules of the request flow: work is only given to or asked of someone who can see the
task's project, and completing a task answers the open requests asked of whoever did it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_project, make_task, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import RequestState, Task, TaskStatus, Visibility, WorkRequest

JSON = "application/json"
REFUSED = "Charlie Park cannot see this project: share it with them or choose someone who can."


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Rotate the keys")


def refused(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return error.value.message_dict["assignee"]


# --- 1. Only someone who can see the project ------------------------------------------------


def test_create_refuses_an_assignee_who_cannot_see(project, alice, charlie):
    with pytest.raises(ValidationError) as error:
        services.do_create_task(
            alice, project, title="Check backups", assignee=charlie, request_message="Please"
        )
    assert refused(error) == [REFUSED]
    assert not Task.objects.exists()
    assert not WorkRequest.objects.exists()
    assert not Notification.objects.filter(recipient=charlie).exists()


def test_subtask_refuses_an_assignee_who_cannot_see(task, project, alice, charlie):
    with pytest.raises(ValidationError):
        services.do_create_task(alice, project, title="Sub", parent=task, assignee=charlie)
    assert list(Task.objects.all()) == [task]


def test_update_refuses_an_assignee_who_cannot_see(task, alice, charlie):
    with pytest.raises(ValidationError) as error:
        services.do_update_task(alice, task, {"assignee": charlie}, request_message="Please")
    assert refused(error) == [REFUSED]
    task.refresh_from_db()
    assert (task.assignee, task.version) == (None, 1)
    assert not WorkRequest.objects.exists()
    assert not Notification.objects.filter(recipient=charlie).exists()


def test_an_assignee_who_lost_sight_does_not_block_other_edits(project, alice, bob, team):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    task = make_task(project=private, assignee=bob)  # e.g. the project was made private later
    services.do_update_task(alice, task, {"title": "Renamed"})
    task.refresh_from_db()
    assert task.title == "Renamed"


@pytest.mark.parametrize("reassign", [True, False])
def test_ask_refuses_someone_who_cannot_see(task, alice, charlie, reassign):
    with pytest.raises(ValidationError) as error:
        services.do_send_request(alice, task, charlie, message="Review?", reassign=reassign)
    assert refused(error) == [REFUSED]
    task.refresh_from_db()
    assert (task.assignee, task.version) == (None, 1)
    assert not WorkRequest.objects.exists()


def test_bulk_assign_refuses_the_whole_change(project, alice, charlie):
    tasks = [make_task(project=project) for _ in range(2)]
    with pytest.raises(ValidationError) as error:
        services.do_bulk_update(alice, tasks, {"assignee": charlie}, request_message="Please")
    assert refused(error) == [REFUSED]
    assert not Task.objects.filter(assignee=charlie).exists()
    assert not WorkRequest.objects.exists()


def test_team_member_of_a_team_project_may_be_asked(task, alice, bob):
    services.do_send_request(alice, task, bob, message="Take it?")
    assert WorkRequest.objects.get().assignee == bob


def test_web_ask_shows_the_refusal(client, task, alice, charlie):
    client.force_login(alice)
    response = client.post(
        reverse("work:ask", args=[task.pk]), {"assignee": charlie.pk, "message": "Please"}
    )
    assert response.status_code in (200, 302, 400)
    assert not WorkRequest.objects.exists()


def test_api_refuses_with_a_field_error(task, alice, charlie):
    api = token_client(alice)
    for response in (
        api.post(
            f"/api/v1/tasks/{task.pk}/requests",
            {"assignee_id": charlie.pk, "message": "Please"},
            content_type=JSON,
        ),
        api.patch(f"/api/v1/tasks/{task.pk}", {"assignee_id": charlie.pk}, content_type=JSON),
    ):
        assert response.status_code == 400, response.content
        assert "assignee" in response.json()["errors"]
    task.refresh_from_db()
    assert task.assignee is None
    assert not WorkRequest.objects.exists()


# --- 2. Completing a task answers the requests asked of who did it --------------------------


@pytest.fixture
def asked(task, alice, bob):
    """Alice asks Bob to take the task on; Bob asks Dana (a teammate) for a review."""
    return services.do_send_request(alice, task, bob, message="Can you rotate them?")


def test_completing_answers_the_request_asked_of_the_completer(asked, task, alice, bob, team):
    from workmate.accounts.models import TeamRole
    from workmate.testing.factories import add_member

    dana = make_user(full_name="Dana Choi")
    add_member(team, dana, TeamRole.MEMBER)
    review = services.do_send_request(bob, task, dana, message="Check?", reassign=False)
    alice.language = "ko"
    alice.save(update_fields=["language"])
    before = Notification.objects.filter(recipient=alice, kind=Kind.REPLY).count()

    services.do_complete_task(bob, Task.objects.get(pk=task.pk))

    asked.refresh_from_db()
    review.refresh_from_db()
    assert asked.state == RequestState.ANSWERED
    assert asked.closed_at is not None
    assert asked.answer == "작업을 완료했습니다."
    assert review.state == RequestState.PENDING  # asked of someone else: still open
    assert not WorkRequest.objects.open().filter(assignee=bob).exists()
    assert Notification.objects.filter(recipient=alice, kind=Kind.REPLY).count() == before + 1

    services.do_update_task(bob, Task.objects.get(pk=task.pk), {"status": TaskStatus.OPEN})
    asked.refresh_from_db()
    assert asked.state == RequestState.ANSWERED  # reopening does not reopen it


def test_completing_someone_elses_task_answers_the_assignees_request(asked, task, alice):
    services.do_complete_task(alice, Task.objects.get(pk=task.pk))
    asked.refresh_from_db()
    assert asked.state == RequestState.ANSWERED
    assert asked.answer == "Completed the task."


def test_web_toggle_leaves_the_requests_list(client, asked, task, bob):
    client.force_login(bob)
    client.post(reverse("work:toggle_task", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    asked.refresh_from_db()
    assert asked.state == RequestState.ANSWERED
    page = client.get(reverse("work:requests")).content.decode()
    assert reverse("work:answer_request", args=[asked.pk]) not in page


def test_api_completion_answers_the_request(asked, task, bob):
    response = token_client(bob).patch(
        f"/api/v1/tasks/{task.pk}", {"status": "done"}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    asked.refresh_from_db()
    assert asked.state == RequestState.ANSWERED
    listed = token_client(bob).get("/api/v1/requests", {"box": "inbox"}).json()
    assert listed["items"] == []


def test_reply_by_reminders_stop_once_completed(asked, task, alice, bob):
    import datetime

    from workmate.inbox.delivery import remind_reply_by

    services.do_complete_task(bob, Task.objects.get(pk=task.pk))
    asked.refresh_from_db()

    assert remind_reply_by(asked.reply_by + datetime.timedelta(days=1)) == 0
    assert not Notification.objects.filter(
        kind__in=[Kind.REPLY_BY_PASSED, Kind.REPLY_BY_SOON]
    ).exists()
