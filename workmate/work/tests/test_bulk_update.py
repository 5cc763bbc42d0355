"""Bulk actions on the project list: complete, move to a section, assign."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import add_member, make_project, make_task, make_user
from workmate.work import services
from workmate.work.models import Activity, Section, Task, TaskStatus, Visibility, WorkRequest

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def tasks(project, alice):
    return [make_task(project=project, title=f"Task {n}", created_by=alice) for n in range(3)]


def url(project) -> str:
    return reverse("work:bulk_update", args=[project.pk])


# --- The service ---------------------------------------------------------------------------


def test_service_completes_each_task_with_one_version_bump_and_history_line(tasks, bob):
    done_already = tasks[2]
    services.do_update_task(bob, done_already, {"status": TaskStatus.DONE})

    changed = services.do_bulk_update(bob, tasks, {"status": TaskStatus.DONE})

    assert changed == 2
    for task in tasks[:2]:
        task.refresh_from_db()
        assert (task.status, task.version) == (TaskStatus.DONE, 2)
        assert task.completed_at is not None
        assert list(Activity.objects.filter(task=task).values_list("verb", flat=True)) == [
            "completed"
        ]
    done_already.refresh_from_db()
    assert done_already.version == 2


def test_service_assigning_without_a_message_is_a_plain_assignment(tasks, alice, bob):
    assert services.do_bulk_update(alice, tasks, {"assignee": bob}) == 3

    assert set(Task.objects.values_list("assignee", flat=True)) == {bob.pk}
    # Not a request (no "message —" in the requests list): each is told in Bob's inbox.
    assert not WorkRequest.objects.exists()
    told = Notification.objects.filter(recipient=bob)
    assert sorted(told.values_list("kind", "task")) == sorted(
        (Kind.ASSIGNED, task.pk) for task in tasks
    )


@time_machine.travel(NOW, tick=False)
def test_service_assigning_with_a_message_asks_each_with_their_reply_by(
    project, team, tasks, alice, bob
):
    berlin = make_user(
        profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}, full_name="Jonas"
    )
    add_member(team, berlin)
    services.do_update_task(alice, tasks[2], {"assignee": berlin})

    services.do_bulk_update(alice, tasks[:2], {"assignee": bob}, request_message="Check these.")
    services.do_bulk_update(alice, tasks[1:], {"assignee": berlin}, request_message="Yours now.")

    asked = WorkRequest.objects.order_by("pk")
    assert [(r.task_id, r.assignee, r.message) for r in asked] == [
        (tasks[0].pk, bob, "Check these."),
        (tasks[1].pk, bob, "Check these."),
        # Task 2 was already Jonas's: it is not asked again.
        (tasks[1].pk, berlin, "Yours now."),
    ]
    # Proposed from each one's working hours: 8 h from Wednesday 10:00 in Seoul, and from
    # Jonas's 09:00 in Berlin (02:00 here) on.
    assert asked[0].reply_by == NOW.replace(hour=18)
    assert asked[2].reply_by == datetime.datetime(2025, 11, 19, 17, 0, tzinfo=BERLIN)


def test_service_refuses_a_message_with_no_one_to_ask(tasks, alice):
    with pytest.raises(ValidationError):
        services.do_bulk_update(alice, tasks, {"assignee": None}, request_message="Anyone?")
    with pytest.raises(ValidationError):
        services.do_bulk_update(alice, tasks, {"assignee": alice}, request_message="Me?")
    assert set(Task.objects.values_list("version", flat=True)) == {1}


def test_service_refuses_other_fields(tasks, bob):
    with pytest.raises(ValueError):
        services.do_bulk_update(bob, tasks, {"title": "Same for all"})


def test_service_is_all_or_nothing(project, tasks, bob):
    elsewhere = Section.objects.create(project=make_project(team=project.team), name="Theirs")

    with pytest.raises(ValidationError):
        services.do_bulk_update(bob, tasks, {"section": elsewhere})

    assert not Task.objects.filter(section=elsewhere).exists()
    assert set(Task.objects.values_list("version", flat=True)) == {1}


def test_service_refuses_when_any_project_is_read_only(team, alice, charlie, tasks):
    org = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    read_only = make_task(project=org)
    mine = make_project(owner=charlie)

    with pytest.raises(PermissionDenied):
        services.do_bulk_update(charlie, [make_task(project=mine), read_only], {"status": "done"})
    assert not Task.objects.filter(status=TaskStatus.DONE).exists()


# --- The view ------------------------------------------------------------------------------


def test_needs_log_in(client, project, tasks):
    response = client.post(url(project), {"tasks": [tasks[0].pk], "action": "complete"})

    assert response.status_code == 302
    assert not Task.objects.filter(status=TaskStatus.DONE).exists()


def test_refuses_get(client, project, bob):
    client.force_login(bob)

    assert client.get(url(project)).status_code == 405


def test_outsider_gets_404(client, project, tasks, charlie):
    client.force_login(charlie)

    response = client.post(url(project), {"tasks": [tasks[0].pk], "action": "complete"})

    assert response.status_code == 404
    assert not Task.objects.filter(status=TaskStatus.DONE).exists()


def test_read_only_viewer_gets_403(client, team, alice, charlie):
    org = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = make_task(project=org)
    client.force_login(charlie)

    response = client.post(url(org), {"tasks": [task.pk], "action": "complete"})

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_completes_the_ticked_tasks_and_says_how_many(client, project, tasks, bob):
    client.force_login(bob)

    response = client.post(
        url(project),
        {"tasks": [tasks[0].pk, tasks[1].pk], "action": "complete", "next": ""},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("work:project", args=[project.pk]), 302)]
    assert set(Task.objects.filter(status=TaskStatus.DONE)) == {tasks[0], tasks[1]}
    assert "2 tasks changed." in response.content.decode()


def test_moves_to_a_section_or_out_of_sections(client, project, tasks, bob):
    build = Section.objects.create(project=project, name="Build")
    client.force_login(bob)

    client.post(
        url(project), {"tasks": [t.pk for t in tasks], "action": "move", "section": build.pk}
    )
    assert set(Task.objects.values_list("section", flat=True)) == {build.pk}

    client.post(url(project), {"tasks": [tasks[0].pk], "action": "move", "section": "none"})
    tasks[0].refresh_from_db()
    assert tasks[0].section is None
    assert Activity.objects.filter(task=tasks[0], field="section").count() == 2


def test_move_without_a_section_is_refused(client, project, tasks, bob):
    client.force_login(bob)

    response = client.post(url(project), {"tasks": [tasks[0].pk], "action": "move"}, follow=True)

    assert "Pick the section to move them to." in response.content.decode()
    assert set(Task.objects.values_list("version", flat=True)) == {1}


def test_assigns_to_a_person(client, project, tasks, alice, bob):
    client.force_login(alice)

    response = client.post(
        url(project),
        {"tasks": [tasks[0].pk], "action": "assign", "assignee": bob.pk},
        follow=True,
    )

    tasks[0].refresh_from_db()
    assert tasks[0].assignee == bob
    assert not WorkRequest.objects.exists()
    assert Notification.objects.get(recipient=bob).kind == Kind.ASSIGNED
    assert "1 task changed." in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_assigning_with_a_message_asks_each(client, project, tasks, alice, bob):
    client.force_login(alice)

    client.post(
        url(project),
        {
            "tasks": [tasks[0].pk, tasks[1].pk],
            "action": "assign",
            "assignee": bob.pk,
            "request_message": "  Review **both** today.  ",
        },
    )

    asked = WorkRequest.objects.order_by("pk")
    assert [(r.task_id, r.message, r.reply_by) for r in asked] == [
        (task.pk, "Review **both** today.", NOW.replace(hour=18)) for task in tasks[:2]
    ]


def test_a_message_without_assigning_is_refused(client, project, tasks, alice):
    client.force_login(alice)

    response = client.post(
        url(project),
        {"tasks": [tasks[0].pk], "action": "complete", "request_message": "Hello"},
        follow=True,
    )

    assert "A request needs someone to go to" in response.content.decode()
    tasks[0].refresh_from_db()
    assert tasks[0].status == TaskStatus.OPEN


def test_the_bar_says_what_assigning_does(client, project, tasks, alice):
    client.force_login(alice)

    page = client.get(reverse("work:project", args=[project.pk])).content.decode()

    bar = page.split('id="bulk-form"')[1].split("</form>")[0]
    assert 'name="request_message"' in bar
    assert "Without a message they are simply assigned" in bar


def test_cannot_assign_someone_who_cannot_see_the_project(client, project, tasks, bob, charlie):
    client.force_login(bob)

    client.post(url(project), {"tasks": [tasks[0].pk], "action": "assign", "assignee": charlie.pk})

    tasks[0].refresh_from_db()
    assert tasks[0].assignee is None


def test_tasks_of_another_project_are_refused(client, project, tasks, bob):
    other = make_task(project=make_project(team=project.team, owner=bob))
    client.force_login(bob)

    response = client.post(
        url(project), {"tasks": [tasks[0].pk, other.pk], "action": "complete"}, follow=True
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.filter(status=TaskStatus.DONE).exists()


def test_nothing_ticked_says_so(client, project, bob):
    client.force_login(bob)

    response = client.post(url(project), {"action": "complete"}, follow=True)

    assert "Tick the tasks to change first." in response.content.decode()


def test_goes_back_to_the_filtered_list(client, project, tasks, bob):
    client.force_login(bob)
    here = reverse("work:project", args=[project.pk]) + "?status=open"

    response = client.post(
        url(project), {"tasks": [tasks[0].pk], "action": "complete", "next": here}
    )
    elsewhere = client.post(
        url(project),
        {"tasks": [tasks[1].pk], "action": "complete", "next": "https://evil.example/"},
    )

    assert response.url == here
    assert elsewhere.url == reverse("work:project", args=[project.pk])


def test_htmx_gets_the_filtered_list_with_the_outcome(client, project, tasks, bob):
    client.force_login(bob)
    here = reverse("work:project", args=[project.pk]) + "?status=open"

    response = client.post(
        url(project),
        {"tasks": [tasks[0].pk], "action": "complete", "next": here},
        headers=HTMX,
    )

    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "1 task changed." in fragment
    # The list still shows open tasks only: the completed one has left it.
    assert "Task 0" not in fragment and "Task 1" in fragment


def test_the_list_has_checkboxes_tied_to_the_bulk_form(client, project, tasks, bob):
    Section.objects.create(project=project, name="Build")
    client.force_login(bob)

    page = client.get(reverse("work:project", args=[project.pk])).content.decode()

    assert f'<form method="post" action="{url(project)}"' in page
    assert f'name="tasks" value="{tasks[0].pk}" form="bulk-form"' in page
    assert '<option value="none">No section</option>' in page
    assert "Bob Lee</option>" in page.split('id="bulk_assignee"')[1]
