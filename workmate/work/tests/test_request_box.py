"""The request box: what is asked, the reply-by and urgent, wherever someone can be asked
(quick add, the task edit form, subtasks, "Ask"), through the same service as the API.

A chosen reply-by outside the assignee's working hours is refused, and their next working
moment is offered in the field (web) and in the message (API).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.inbox.models import Notification
from workmate.testing.factories import make_project
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Task, WorkRequest

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
JSON = "application/json"
SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday morning in Seoul; everyone works Monday to Friday, 09:00 to 18:00 there.
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)
SUNDAY_NIGHT = datetime.datetime(2025, 11, 23, 3, 0, tzinfo=SEOUL)
MONDAY_MORNING = datetime.datetime(2025, 11, 24, 9, 0, tzinfo=SEOUL)
FRIDAY_CLOSE = datetime.datetime(2025, 11, 21, 18, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Rotate the keys")


def add_task(client, project, **fields):
    data = {"title": "Check backups", "assignee": "", **fields}
    return client.post(reverse("work:add_task", args=[project.pk]), data)


# --- The service: the reply-by rule -----------------------------------------------------


def test_a_reply_by_in_working_time_is_kept(task, alice, bob):
    request = services.do_send_request(
        alice, task, bob, message="Before the audit.", reply_by=FRIDAY_CLOSE
    )

    request.refresh_from_db()
    assert request.reply_by == FRIDAY_CLOSE  # The end of the day counts.
    assert request.message == "Before the audit."


def test_sunday_night_is_refused_with_the_next_working_moment(task, alice, bob):
    with pytest.raises(services.ReplyByOutsideWorkingTime) as refused:
        services.do_send_request(alice, task, bob, message="Now.", reply_by=SUNDAY_NIGHT)

    assert refused.value.offer == MONDAY_MORNING
    assert "Mon 24 Nov, 09:00" in refused.value.message_dict["reply_by"][0]
    task.refresh_from_db()
    assert task.assignee is None and not WorkRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_request_says_what_is_asked(task, alice, bob):
    with pytest.raises(services.ValidationError) as refused:
        services.do_send_request(alice, task, bob, message="  ")

    assert "message" in refused.value.message_dict
    assert not WorkRequest.objects.exists()


# --- Quick add ----------------------------------------------------------------------------


def test_quick_add_sends_the_message_and_the_chosen_reply_by(client, project, alice, bob):
    client.force_login(alice)

    response = add_task(
        client,
        project,
        assignee=bob.pk,
        request_message="Restore **one** of them too.",
        reply_by="2025-11-21T18:00",
    )

    assert response.status_code == 302
    request = WorkRequest.objects.get()
    assert (request.assignee, request.message, request.reply_by) == (
        bob,
        "Restore **one** of them too.",
        FRIDAY_CLOSE,
    )
    # The person asked reads the message in their requests, and on the task as Markdown.
    client.force_login(bob)
    listed = client.get(reverse("work:requests")).content.decode()
    assert "Restore **one** of them too." in listed
    page = client.get(reverse("work:task", args=[request.task_id])).content.decode()
    assert "Restore <strong>one</strong> of them too." in page


def test_quick_add_without_a_reply_by_proposes_one_from_their_hours(client, project, alice, bob):
    client.force_login(alice)

    add_task(client, project, assignee=bob.pk, request_message="Please.")

    request = WorkRequest.objects.get()
    assert request.reply_by == services.reply_by_for(bob, NOW, project)


def test_quick_add_refuses_a_request_without_a_message(client, project, alice, bob):
    client.force_login(alice)

    response = add_task(client, project, assignee=bob.pk, request_message=" ")

    assert response.status_code == 400
    assert "Say what you ask of them." in response.content.decode()
    assert not Task.objects.exists() and not WorkRequest.objects.exists()


def test_assigning_yourself_needs_no_message(client, project, alice):
    client.force_login(alice)

    add_task(client, project, assignee=alice.pk)

    assert Task.objects.get().assignee == alice
    assert not WorkRequest.objects.exists()


def test_quick_add_refuses_sunday_night_and_offers_monday_morning(client, project, alice, bob):
    client.force_login(alice)

    response = add_task(
        client, project, assignee=bob.pk, request_message="Now.", reply_by="2025-11-23T03:00"
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "outside Bob Lee&#x27;s working hours" in page
    assert "Mon 24 Nov, 09:00" in page
    # The offer is in the field: one more click sends it.
    assert 'value="2025-11-24T09:00"' in page
    assert not Task.objects.exists() and not WorkRequest.objects.exists()


def test_a_message_without_anyone_to_ask_is_an_error(client, project, alice):
    client.force_login(alice)

    response = add_task(client, project, request_message="For whom?")

    assert response.status_code == 400
    assert "A request needs someone to go to" in response.content.decode()
    assert not Task.objects.exists()


def test_the_project_page_shows_the_request_box(client, project, alice):
    client.force_login(alice)

    page = client.get(reverse("work:project", args=[project.pk])).content.decode()

    assert 'name="request_message"' in page
    assert 'name="reply_by"' in page and 'type="datetime-local"' in page
    assert 'name="urgent_reason"' in page


# --- The reply-by fragment (htmx, when the assignee changes) ------------------------------


def test_picking_someone_prefills_their_reply_by(client, project, alice, bob):
    client.force_login(alice)

    response = client.get(
        reverse("work:reply_by_field"),
        {"project": project.pk, "prefix": "subtask", "subtask-assignee": bob.pk},
        headers=HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    expected = services.reply_by_for(bob, NOW, project).astimezone(SEOUL)
    assert f'value="{expected:%Y-%m-%dT%H:%M}"' in page
    assert 'name="subtask-reply_by"' in page


def test_picking_yourself_or_nobody_empties_the_reply_by(client, project, alice):
    client.force_login(alice)

    for picked in (alice.pk, ""):
        page = client.get(
            reverse("work:reply_by_field"), {"project": project.pk, "assignee": picked}
        ).content.decode()
        assert 'name="reply_by"' in page and "value=" not in page


def test_the_fragment_hides_projects_you_cannot_see(client, alice, bob, charlie, project):
    client.force_login(charlie)

    response = client.get(
        reverse("work:reply_by_field"), {"project": project.pk, "assignee": bob.pk}
    )

    assert response.status_code == 404


# --- The task edit form and subtasks ------------------------------------------------------


def edit_data(task, **overrides):
    data = {
        "version": task.version,
        "title": task.title,
        "description": "",
        "assignee": "",
        "priority": task.priority,
        **overrides,
    }
    return data


def test_reassigning_in_the_edit_form_sends_the_message_and_reply_by(client, task, alice, bob):
    client.force_login(alice)

    response = client.post(
        reverse("work:edit_task", args=[task.pk]),
        edit_data(
            task, assignee=bob.pk, request_message="Take it over.", reply_by="2025-11-21T18:00"
        ),
    )

    assert response.status_code == 302
    request = WorkRequest.objects.get()
    assert (request.message, request.reply_by) == ("Take it over.", FRIDAY_CLOSE)
    task.refresh_from_db()
    assert task.assignee == bob


def test_the_edit_form_refuses_sunday_night(client, task, alice, bob):
    client.force_login(alice)

    response = client.post(
        reverse("work:edit_task", args=[task.pk]),
        edit_data(task, assignee=bob.pk, request_message="Now.", reply_by="2025-11-23T03:00"),
    )

    assert response.status_code == 400
    assert 'value="2025-11-24T09:00"' in response.content.decode()
    task.refresh_from_db()
    assert task.assignee is None and task.version == 1
    assert not WorkRequest.objects.exists()


def test_a_subtask_for_someone_else_carries_the_request(client, task, alice, bob):
    client.force_login(alice)

    client.post(
        reverse("work:add_subtask", args=[task.pk]),
        {
            "subtask-title": "Check the dump",
            "subtask-assignee": bob.pk,
            "subtask-request_message": "Does it restore?",
            "subtask-reply_by": "2025-11-21T18:00",
        },
    )

    request = WorkRequest.objects.get()
    assert (request.task.parent, request.message, request.reply_by) == (
        task,
        "Does it restore?",
        FRIDAY_CLOSE,
    )


# --- Ask -----------------------------------------------------------------------------------


def ask(client, task, **fields):
    return client.post(reverse("work:ask", args=[task.pk]), fields)


def test_ask_for_a_review_keeps_the_assignee(client, project, alice, bob):
    task = services.do_create_task(alice, project, title="Write the runbook", assignee=alice)
    client.force_login(alice)

    response = ask(
        client,
        task,
        **{"ask-person": bob.pk, "ask-request_message": "Review it, please."},
    )

    assert response.status_code == 302
    request = WorkRequest.objects.get()
    assert (request.requester, request.assignee, request.message) == (
        alice,
        bob,
        "Review it, please.",
    )
    task.refresh_from_db()
    assert task.assignee == alice
    assert Notification.objects.filter(recipient=bob).exists()
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "Alice Kim asked Bob Lee for a reply" in page


def test_ask_can_hand_the_task_over(client, task, alice, bob):
    client.force_login(alice)

    ask(
        client,
        task,
        **{"ask-person": bob.pk, "ask-request_message": "Yours now.", "ask-reassign": "on"},
    )

    task.refresh_from_db()
    assert task.assignee == bob
    assert WorkRequest.objects.get().assignee == bob


def test_ask_needs_a_message_and_a_working_reply_by(client, task, alice, bob):
    client.force_login(alice)

    empty = ask(client, task, **{"ask-person": bob.pk, "ask-request_message": ""})
    sunday = ask(
        client,
        task,
        **{
            "ask-person": bob.pk,
            "ask-request_message": "Now.",
            "ask-reply_by": "2025-11-23T03:00",
        },
    )

    assert (empty.status_code, sunday.status_code) == (400, 400)
    assert "Say what you ask of them." in empty.content.decode()
    assert 'value="2025-11-24T09:00"' in sunday.content.decode()
    assert not WorkRequest.objects.exists()


def test_the_task_page_offers_ask(client, task, alice):
    client.force_login(alice)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    assert 'id="ask-form"' in page and 'name="ask-request_message"' in page


def test_ask_is_not_for_readers_or_outsiders(client, alice, bob, charlie, team):
    from workmate.work.models import Visibility

    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    hidden = services.do_create_task(alice, private, title="Secret")
    org = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    readable = services.do_create_task(alice, org, title="Handbook")
    client.force_login(charlie)

    outsider = ask(client, hidden, **{"ask-person": alice.pk, "ask-request_message": "Hi"})
    reader = ask(client, readable, **{"ask-person": alice.pk, "ask-request_message": "Hi"})

    assert (outsider.status_code, reader.status_code) == (404, 403)
    assert not WorkRequest.objects.exists()


# --- The API: the same service and rule ----------------------------------------------------


def test_api_refuses_sunday_night_with_the_offer(task, alice, bob):
    response = token_client(alice).post(
        f"/api/v1/tasks/{task.pk}/requests",
        {"assignee_id": bob.pk, "message": "Now.", "reply_by": SUNDAY_NIGHT.isoformat()},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert "Mon 24 Nov, 09:00" in str(response.json())
    task.refresh_from_db()
    assert task.assignee is None and not WorkRequest.objects.exists()


def test_api_request_needs_a_message(task, alice, bob):
    response = token_client(alice).post(
        f"/api/v1/tasks/{task.pk}/requests", {"assignee_id": bob.pk}, content_type=JSON
    )

    assert response.status_code == 400
    assert "message" in response.json()["errors"]
    assert not WorkRequest.objects.exists()


def test_api_asks_for_a_reply_without_reassigning(project, alice, bob):
    task = services.do_create_task(alice, project, title="Runbook", assignee=alice)

    response = token_client(alice).post(
        f"/api/v1/tasks/{task.pk}/requests",
        {"assignee_id": bob.pk, "message": "Review?", "reassign": False},
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    task.refresh_from_db()
    assert task.assignee == alice
    assert WorkRequest.objects.get().assignee == bob


def test_api_task_create_takes_the_reply_by_and_checks_it(project, alice, bob):
    api = token_client(alice)
    base = {"project_id": project.pk, "title": "Keys", "assignee_id": bob.pk}

    refused = api.post(
        "/api/v1/tasks",
        {**base, "request_message": "Now", "request_reply_by": SUNDAY_NIGHT.isoformat()},
        content_type=JSON,
    )
    created = api.post(
        "/api/v1/tasks",
        {**base, "request_message": "Fri", "request_reply_by": FRIDAY_CLOSE.isoformat()},
        content_type=JSON,
    )

    assert refused.status_code == 400
    assert created.status_code == 201, created.content
    assert Task.objects.count() == 1
    assert WorkRequest.objects.get().reply_by == FRIDAY_CLOSE


def test_declining_a_request_for_a_reply_keeps_the_assignee(client, project, alice, bob):
    task = services.do_create_task(alice, project, title="Runbook", assignee=alice)
    request = services.do_send_request(alice, task, bob, message="Review?", reassign=False)

    services.do_hand_back_request(bob, request, "Not my area.")

    task.refresh_from_db()
    assert task.assignee == alice
    client.force_login(alice)
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "Bob Lee declined the request from Alice Kim" in page


def test_the_ask_form_gets_its_reply_by_too(client, project, alice, bob):
    client.force_login(alice)

    page = client.get(
        reverse("work:reply_by_field"),
        {"project": project.pk, "prefix": "ask", "ask-person": bob.pk},
        headers=HTMX,
    ).content.decode()

    expected = services.reply_by_for(bob, NOW, project).astimezone(SEOUL)
    assert 'name="ask-reply_by"' in page and f'value="{expected:%Y-%m-%dT%H:%M}"' in page
