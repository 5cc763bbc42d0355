"""Inline edit of a list row (title, assignee, due date, status) through htmx."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work.models import Activity, TaskStatus, Visibility, WorkRequest

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return make_task(project=project, title="Plan cutover", created_by=alice)


@pytest.fixture
def org_task(team, alice):
    project = make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)
    return make_task(project=project, title="Read me")


def edit_url(task) -> str:
    return reverse("work:edit_task_row", args=[task.pk])


def row_url(task) -> str:
    return reverse("work:task_row", args=[task.pk])


def form_data(task, **overrides) -> dict[str, object]:
    data = {"title": task.title, "assignee": "", "due_on": "", "status": task.status}
    data.update(overrides)
    return data


# --- The row -------------------------------------------------------------------------------


def test_row_needs_log_in(client, task):
    response = client.get(row_url(task))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_row_refuses_post(client, task, bob):
    client.force_login(bob)

    assert client.post(row_url(task), headers=HTMX).status_code == 405


def test_row_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.get(row_url(task), headers=HTMX).status_code == 404


def test_row_htmx_gets_the_row_and_a_plain_visit_goes_to_the_task(client, task, bob):
    client.force_login(bob)

    fragment = client.get(row_url(task), headers=HTMX).content.decode()
    response = client.get(row_url(task))

    assert fragment.startswith(f'<tr id="task-row-{task.pk}"')
    assert "Plan cutover" in fragment and "<html" not in fragment
    assert response.status_code == 302
    assert response.url == reverse("work:task", args=[task.pk])


# --- The edit form -------------------------------------------------------------------------


def test_edit_needs_log_in(client, task):
    response = client.post(edit_url(task), form_data(task, title="Sneaky"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    task.refresh_from_db()
    assert task.title == "Plan cutover"


def test_edit_refuses_other_methods(client, task, bob):
    client.force_login(bob)

    assert client.delete(edit_url(task)).status_code == 405


def test_edit_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.get(edit_url(task), headers=HTMX).status_code == 404
    response = client.post(edit_url(task), form_data(task, title="Sneaky"), headers=HTMX)
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.title == "Plan cutover"


def test_edit_read_only_viewer_gets_403(client, org_task, charlie):
    client.force_login(charlie)

    assert client.get(edit_url(org_task), headers=HTMX).status_code == 403
    response = client.post(edit_url(org_task), form_data(org_task, title="Sneaky"), headers=HTMX)
    assert response.status_code == 403
    org_task.refresh_from_db()
    assert org_task.title == "Read me"


def test_htmx_get_turns_the_row_into_a_form(client, task, bob):
    client.force_login(bob)

    fragment = client.get(edit_url(task), headers=HTMX).content.decode()

    assert fragment.startswith(f'<tr id="task-row-{task.pk}" class="list-row is-editing"')
    assert f'<form id="row-form-{task.pk}" method="post" action="{edit_url(task)}"' in fragment
    assert 'name="csrfmiddlewaretoken"' in fragment
    for name in ("title", "assignee", "due_on", "status"):
        assert f'form="row-form-{task.pk}"' in fragment.split(f'name="{name}"')[1].split(">")[0]
    assert 'value="Plan cutover"' in fragment


def test_plain_get_of_the_form_goes_to_the_task(client, task, bob):
    client.force_login(bob)

    response = client.get(edit_url(task))

    assert response.url == reverse("work:task", args=[task.pk])


def test_saving_updates_the_task_and_returns_the_row(client, task, bob):
    client.force_login(bob)

    response = client.post(
        edit_url(task),
        form_data(task, title=" Plan the cutover ", due_on="2025-12-01", status="in_progress"),
        headers=HTMX,
    )

    task.refresh_from_db()
    assert (task.title, task.due_on, task.status) == (
        "Plan the cutover",
        datetime.date(2025, 12, 1),
        TaskStatus.IN_PROGRESS,
    )
    assert task.version == 2
    assert set(Activity.objects.filter(task=task).values_list("field", flat=True)) == {
        "title",
        "due_on",
        "status",
    }
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith(f'<tr id="task-row-{task.pk}" class="list-row"')
    assert "Plan the cutover" in fragment and "In progress" in fragment
    assert '<p class="row-note" role="status">Saved.</p>' in fragment


def test_marking_done_sets_completed_at(client, task, bob):
    client.force_login(bob)

    client.post(edit_url(task), form_data(task, status="done"), headers=HTMX)

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None


def test_a_new_due_date_replaces_a_due_time(client, task, bob):
    task.due_at = datetime.datetime(2025, 11, 20, 15, 0, tzinfo=SEOUL)
    task.due_on = datetime.date(2025, 11, 20)
    task.save()
    client.force_login(bob)

    client.post(edit_url(task), form_data(task, due_on="2025-11-21"), headers=HTMX)

    task.refresh_from_db()
    assert (task.due_on, task.due_at) == (datetime.date(2025, 11, 21), None)


@time_machine.travel(NOW, tick=False)
def test_reassigning_sends_a_request_and_says_the_reply_by(client, task, alice, bob):
    client.force_login(alice)

    response = client.post(
        edit_url(task),
        form_data(task, assignee=bob.pk, request_message="Plan the cutover for Saturday."),
        headers=HTMX,
    )

    request = WorkRequest.objects.get()
    assert (request.task, request.requester, request.assignee) == (task, alice, bob)
    assert request.message == "Plan the cutover for Saturday."
    task.refresh_from_db()
    assert task.assignee == bob
    fragment = response.content.decode()
    assert "Saved. Bob Lee is asked to reply by Wed 19 Nov, 18:00." in fragment
    assert "Bob Lee" in fragment.split('class="cell-assignee"')[1]


def box_url(task) -> str:
    return reverse("work:row_request_box", args=[task.pk])


@time_machine.travel(NOW, tick=False)
def test_giving_it_to_someone_else_without_a_message_is_refused_in_the_row(
    client, task, alice, bob
):
    client.force_login(alice)

    response = client.post(edit_url(task), form_data(task, assignee=bob.pk), headers=HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200 and "is-editing" in fragment
    # The request box is open in the row, with the error beside the message.
    assert 'class="request-box-fields row-request-box"' in fragment
    assert f'id="row{task.pk}_request_message_error"' in fragment
    assert f'form="row-form-{task.pk}"' in fragment.split("row-request-box")[1]
    assert "Your request to Bob Lee" in fragment
    # The cursor goes to the message that is missing, not back to the title.
    assert re.search(r'<textarea[^>]*name="request_message"[^>]*autofocus', fragment)
    assert not re.search(r'<input[^>]*name="title"[^>]*autofocus', fragment)
    task.refresh_from_db()
    assert (task.assignee, task.version) == (None, 1)
    assert not WorkRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_reply_by_outside_their_hours_is_refused_in_the_row_with_the_next_moment(
    client, task, alice, bob
):
    client.force_login(alice)
    data = form_data(task, assignee=bob.pk, request_message="Plan it.")

    response = client.post(edit_url(task), {**data, "reply_by": "2025-11-23T03:00"}, headers=HTMX)

    fragment = response.content.decode()
    assert "outside Bob Lee&#x27;s working hours" in fragment
    assert 'value="2025-11-24T09:00"' in fragment
    task.refresh_from_db()
    assert task.assignee is None and not WorkRequest.objects.exists()


def test_keeping_or_taking_the_task_needs_no_message(client, task, alice):
    client.force_login(alice)

    client.post(edit_url(task), form_data(task, assignee=alice.pk), headers=HTMX)

    task.refresh_from_db()
    assert task.assignee == alice and not WorkRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_picking_someone_else_opens_the_box_with_their_proposed_reply_by(client, task, alice, bob):
    client.force_login(alice)

    response = client.get(box_url(task), {"assignee": bob.pk}, headers=HTMX)

    fragment = response.content.decode()
    assert f'id="row{task.pk}_request_message"' in fragment
    # Eight working hours from Wednesday 10:00 in Bob's calendar.
    assert 'value="2025-11-19T18:00"' in fragment
    assert f'form="row-form-{task.pk}"' in fragment
    assert "Your request to Bob Lee" in fragment
    # Picking oneself, nobody, or the current assignee closes it.
    for picked in (alice.pk, ""):
        assert client.get(box_url(task), {"assignee": picked}, headers=HTMX).content == b""
    task.assignee = bob
    task.save()
    assert client.get(box_url(task), {"assignee": bob.pk}, headers=HTMX).content == b""


def test_the_box_offers_no_one_the_project_cannot_see(client, task, alice, charlie):
    client.force_login(alice)

    response = client.get(box_url(task), {"assignee": charlie.pk}, headers=HTMX)

    assert response.content == b""


def test_the_box_is_for_editors_only(client, task, org_task, charlie):
    client.force_login(charlie)

    assert client.get(box_url(task), headers=HTMX).status_code == 404
    assert client.get(box_url(org_task), headers=HTMX).status_code == 403


def test_the_row_form_listens_for_a_new_assignee(client, task, bob):
    client.force_login(bob)

    fragment = client.get(edit_url(task), headers=HTMX).content.decode()

    assert f'hx-get="{box_url(task)}"' in fragment
    assert f'hx-trigger="change from:#row{task.pk}_assignee"' in fragment
    assert "row-request-box" not in fragment


def test_a_blank_title_shows_the_error_in_the_row(client, task, bob):
    client.force_login(bob)

    response = client.post(edit_url(task), form_data(task, title="  "), headers=HTMX)

    fragment = response.content.decode()
    # htmx swaps only 2xx answers: the row with its error comes back as 200.
    assert response.status_code == 200
    assert "is-editing" in fragment
    assert f'id="row{task.pk}_title_error"' in fragment
    task.refresh_from_db()
    assert (task.title, task.version) == ("Plan cutover", 1)


def test_cannot_assign_someone_who_cannot_see_the_project(client, task, bob, charlie):
    client.force_login(bob)

    response = client.post(edit_url(task), form_data(task, assignee=charlie.pk), headers=HTMX)

    assert f'id="row{task.pk}_assignee_error"' in response.content.decode()
    task.refresh_from_db()
    assert task.assignee is None
    assert not WorkRequest.objects.exists()


def test_without_htmx_saving_goes_back_to_the_list_with_a_message(client, task, bob):
    client.force_login(bob)

    response = client.post(edit_url(task), form_data(task, title="Renamed"), follow=True)

    assert response.redirect_chain == [(reverse("work:project", args=[task.project_id]), 302)]
    task.refresh_from_db()
    assert task.title == "Renamed"
    assert "Saved." in response.content.decode()


def test_without_htmx_an_error_becomes_a_message(client, task, bob):
    client.force_login(bob)

    response = client.post(edit_url(task), form_data(task, status="finished"), follow=True)

    assert "Select a valid choice" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_each_list_row_links_to_the_task_and_offers_the_edit(client, task, bob):
    client.force_login(bob)

    page = client.get(reverse("work:project", args=[task.project_id])).content.decode()

    row = page.split(f'id="task-row-{task.pk}"')[1].split("</tr>")[0]
    task_url = reverse("work:task", args=[task.pk])
    assert f'<a class="task-link" href="{task_url}"' in row
    assert f'href="{task_url}" hx-get="{edit_url(task)}"' in row


def test_a_subtask_row_can_be_edited_too(client, task, bob):
    subtask = make_task(project=task.project, parent=task, title="Parse CSV")
    client.force_login(bob)

    response = client.post(
        edit_url(subtask), form_data(subtask, title="Parse the CSV"), headers=HTMX
    )

    subtask.refresh_from_db()
    assert subtask.title == "Parse the CSV"
    assert "Parse the CSV" in response.content.decode()
