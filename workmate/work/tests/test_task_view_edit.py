"""Editing a task (GET/POST /work/tasks/<pk>/edit/): full page and side panel, with the
version read by the editor so a stale form overwrites nothing."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work import services
from workmate.work.models import Activity, Priority, Section, Tag, Task, Visibility

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Check backups", description="Old")


def edit_url(task) -> str:
    return reverse("work:edit_task", args=[task.pk])


def form_data(task, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "version": task.version,
        "title": task.title,
        "description": task.description,
        "assignee": "",
        "start_on": "",
        "due_on": "",
        "due_time": "",
        "priority": task.priority,
        "tags": "",
        "section": "",
        "parent": "",
    }
    data.update(overrides)
    return data


def test_logged_out_goes_to_login(client, task):
    response = client.get(edit_url(task))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={edit_url(task)}"


def test_wrong_method_is_refused(client, task, bob):
    client.force_login(bob)

    assert client.put(edit_url(task)).status_code == 405


def test_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.get(edit_url(task)).status_code == 404
    assert client.post(edit_url(task), form_data(task, title="Mine")).status_code == 404
    task.refresh_from_db()
    assert task.title == "Check backups"


def test_read_only_viewer_gets_403(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    assert client.get(edit_url(task)).status_code == 403
    assert client.post(edit_url(task), form_data(task, title="Mine")).status_code == 403
    task.refresh_from_db()
    assert task.title != "Mine"


def test_full_page_form_shows_the_current_values(client, project, alice, bob):
    section = Section.objects.create(project=project, name="Doing")
    task = services.do_create_task(
        alice,
        project,
        title="Check backups",
        description="**Raw** text",
        assignee=bob,
        section=section,
        start_on=datetime.date(2025, 11, 17),
        due_on=datetime.date(2025, 11, 20),
        due_at=datetime.datetime(2025, 11, 20, 15, 30, tzinfo=SEOUL),
        priority=Priority.HIGH,
    )
    task.tags.add(Tag.objects.create(name="backup"), Tag.objects.create(name="ops"))
    client.force_login(bob)

    page = client.get(edit_url(task)).content.decode()

    assert "<html" in page and '<h1 class="task-heading">Edit task</h1>' in page
    assert f'name="version" value="{task.version}"' in page
    assert 'name="title" value="Check backups"' in page
    assert "**Raw** text</textarea>" in page
    assert f'<option value="{bob.pk}" selected>Bob Lee</option>' in page
    assert 'name="start_on" value="2025-11-17"' in page
    assert 'name="due_on" value="2025-11-20"' in page
    assert 'name="due_time" value="15:30"' in page
    assert '<option value="3" selected>High</option>' in page
    assert 'name="tags" value="backup, ops"' in page
    assert f'<option value="{section.pk}" selected>Doing</option>' in page
    # Outsiders to the project are not offered as assignees.
    outsider = make_user(full_name="Zed Outsider")
    assert "Zed Outsider" not in client.get(edit_url(task)).content.decode()
    assert outsider.pk


def test_htmx_gets_the_form_for_the_side_panel(client, task, bob):
    client.force_login(bob)

    fragment = client.get(edit_url(task), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert fragment.startswith('<article class="card task-detail task-edit"')
    assert '<h2 class="task-heading">Edit task</h2>' in fragment
    assert f'hx-post="{edit_url(task)}" hx-target="#task-panel"' in fragment


def test_the_detail_links_to_the_form_for_editors_only(client, team, task, alice, charlie):
    client.force_login(alice)
    assert f'href="{edit_url(task)}" hx-get="{edit_url(task)}"' in (
        client.get(reverse("work:task", args=[task.pk])).content.decode()
    )
    handbook = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)
    page = client.get(reverse("work:task", args=[handbook.pk])).content.decode()
    assert 'id="edit-link"' not in page


def test_saves_every_field(client, project, task, alice, bob):
    section = Section.objects.create(project=project, name="Doing")
    parent = services.do_create_task(alice, project, title="Migration plan")
    Tag.objects.create(name="Ops")
    client.force_login(alice)

    response = client.post(
        edit_url(task),
        form_data(
            task,
            title="  Check all backups ",
            description="## Steps\n\n1. Look",
            assignee=bob.pk,
            request_message="Check them all, please.",
            start_on="2025-11-17",
            due_on="2025-11-21",
            due_time="09:30",
            priority=Priority.URGENT,
            tags="ops, nightly , ,Nightly",
            section=section.pk,
            parent=parent.pk,
        ),
        follow=True,
    )

    task.refresh_from_db()
    assert response.redirect_chain == [(reverse("work:task", args=[task.pk]), 302)]
    assert task.title == "Check all backups"
    assert task.description == "## Steps\n\n1. Look"
    assert task.assignee == bob
    assert task.start_on == datetime.date(2025, 11, 17)
    assert task.due_on == datetime.date(2025, 11, 21)
    assert task.due_at == datetime.datetime(2025, 11, 21, 9, 30, tzinfo=SEOUL)
    assert task.priority == Priority.URGENT
    assert sorted(task.tags.values_list("name", flat=True)) == ["Ops", "nightly"]
    assert Tag.objects.count() == 2  # "ops" reused the existing "Ops"
    assert (task.section, task.parent) == (section, parent)
    assert task.version == 2
    page = response.content.decode()
    assert "Task saved." in page
    assert "<h2>Steps</h2>" in page
    history = page.split('id="history"')[1]
    assert "Alice Kim set tags to nightly, Ops" in history
    assert "Alice Kim changed title from Check backups to Check all backups" in history
    # Giving the task to Bob asks him to take it on.
    assert task.requests.get().assignee == bob


def test_a_date_without_time_clears_the_time(client, project, alice):
    task = services.do_create_task(
        alice,
        project,
        title="Call",
        due_on=datetime.date(2025, 11, 20),
        due_at=datetime.datetime(2025, 11, 20, 15, 0, tzinfo=SEOUL),
    )
    client.force_login(alice)

    client.post(edit_url(task), form_data(task, due_on="2025-11-22"))

    task.refresh_from_db()
    assert (task.due_on, task.due_at) == (datetime.date(2025, 11, 22), None)


def test_htmx_save_returns_the_detail(client, task, alice):
    client.force_login(alice)

    response = client.post(
        edit_url(task), form_data(task, title="Renamed"), headers=HTMX, follow=True
    )

    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert '<h2 class="task-heading">Renamed</h2>' in fragment
    assert "Task saved." in fragment
    task.refresh_from_db()
    assert task.title == "Renamed"


def test_due_before_start_is_a_field_error_and_nothing_is_saved(client, task, alice):
    client.force_login(alice)

    response = client.post(
        edit_url(task),
        form_data(task, title="Changed", start_on="2025-11-20", due_on="2025-11-18"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<p class="error" id="id_due_on_error">The due date cannot be before the start date.'
        in (page)
    )
    task.refresh_from_db()
    assert (task.title, task.start_on, task.due_on, task.version) == (
        "Check backups",
        None,
        None,
        1,
    )


def test_a_time_needs_a_date(client, task, alice):
    client.force_login(alice)

    response = client.post(edit_url(task), form_data(task, due_time="10:00"))

    assert response.status_code == 400
    assert "Pick a due date for this time." in response.content.decode()


def test_an_empty_title_is_refused(client, task, alice):
    client.force_login(alice)

    response = client.post(edit_url(task), form_data(task, title=" "))

    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "Check backups"


def test_a_parent_inside_its_own_subtree_is_refused(client, project, task, alice):
    child = services.do_create_task(alice, project, title="Child", parent=task)
    client.force_login(alice)

    response = client.post(edit_url(task), form_data(task, parent=child.pk))

    assert response.status_code == 400
    assert "A task cannot be inside its own subtask." in response.content.decode()
    task.refresh_from_db()
    assert task.parent is None


def test_htmx_errors_come_back_as_the_form(client, task, alice):
    client.force_login(alice)

    response = client.post(edit_url(task), form_data(task, title=""), headers=HTMX)

    # htmx swaps only 2xx answers, so the form with its errors comes back as 200.
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail task-edit"')
    assert 'id="id_title_error"' in fragment


def test_a_stale_version_overwrites_nothing_and_shows_the_current_values(client, task, alice, bob):
    stale = form_data(task, title="Alice's title", description="Alice's notes")
    services.do_update_task(bob, task, {"title": "Bob's title"})
    client.force_login(alice)

    response = client.post(edit_url(task), stale)

    assert response.status_code == 409
    task.refresh_from_db()
    assert (task.title, task.description, task.version) == ("Bob's title", "Old", 2)
    page = response.content.decode()
    assert "Someone changed this task meanwhile." in page
    assert "Your changes were not saved." in page
    assert 'name="title" value="Bob&#x27;s title"' in page
    assert 'name="version" value="2"' in page
    assert Activity.objects.filter(field="title").count() == 1


def test_tags_alone_bump_the_version(client, task, alice):
    client.force_login(alice)

    client.post(edit_url(task), form_data(task, tags="urgent"))

    task.refresh_from_db()
    assert task.version == 2
    assert list(task.tags.values_list("name", flat=True)) == ["urgent"]
    assert Task.objects.filter(tags__name="urgent").count() == 1


def test_reassigning_can_send_an_urgent_request(client, task, alice, bob):
    from workmate.inbox.models import Kind, Notification, UrgentMark

    client.force_login(alice)
    page = client.get(edit_url(task)).content.decode()
    assert 'name="urgent_reason"' in page
    response = client.post(
        edit_url(task),
        form_data(
            task,
            assignee=bob.pk,
            request_message="Restore it",
            urgent="on",
            urgent_reason="Restore before 7 am",
        ),
    )
    assert response.status_code == 302
    note = Notification.objects.get(recipient=bob, kind=Kind.REQUEST)
    assert note.urgent_reason == "Restore before 7 am"
    assert UrgentMark.objects.get().recipient == bob


def test_urgent_without_a_new_assignee_or_reason_saves_nothing(client, task, alice, bob):
    from workmate.inbox.models import Notification, UrgentMark

    client.force_login(alice)
    same = client.post(
        edit_url(task), form_data(task, title="Changed", urgent="on", urgent_reason="Now")
    )
    assert same.status_code == 400
    assert "A request needs someone to go to: choose who you ask." in same.content.decode()
    no_reason = client.post(
        edit_url(task), form_data(task, assignee=bob.pk, request_message="Do", urgent="on")
    )
    assert no_reason.status_code == 400
    assert "Say why this cannot wait for working hours." in no_reason.content.decode()
    task.refresh_from_db()
    assert (task.title, task.assignee, task.version) == ("Check backups", None, 1)
    assert not Notification.objects.exists() and not UrgentMark.objects.exists()
