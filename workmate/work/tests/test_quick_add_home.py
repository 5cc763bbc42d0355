"""The home page's quick add (POST /work/quick-add/): a task or a request in a project the
person picks, through the project page's own quick add; and the list of projects it
offers (`Project.objects.editable_by`), which must mean what `can_edit_project` means."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.accounts.tests.helpers import HTMX
from workmate.testing.factories import add_member, make_project, make_team, make_user
from workmate.work.models import Project, ProjectMember, ProjectRole, Task, Visibility, WorkRequest
from workmate.work.services import can_edit_project

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)  # A Wednesday.
URL = "/work/quick-add/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def test_the_url_is_named():
    assert reverse("work:quick_add") == URL


@time_machine.travel(NOW, tick=False)
def test_adds_a_task_and_comes_back_home(client, project, bob):
    client.force_login(bob)

    response = client.post(URL, {"project": project.pk, "title": "Renew the cert"}, follow=True)

    task = Task.objects.get()
    assert (task.project, task.title, task.created_by, task.assignee) == (
        project,
        "Renew the cert",
        bob,
        None,
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Task “Renew the cert” added." in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_assigning_someone_else_sends_them_a_request(client, project, alice, bob):
    client.force_login(bob)

    response = client.post(
        URL,
        {
            "project": project.pk,
            "title": "Review the plan",
            "assignee": alice.pk,
            "request_message": "Is the rollback step right?",
        },
    )

    assert response.status_code == 302 and response.url == reverse("home")
    request = WorkRequest.objects.get()
    assert (request.task.title, request.requester, request.assignee, request.message) == (
        "Review the plan",
        bob,
        alice,
        "Is the rollback step right?",
    )
    assert request.reply_by > NOW


@time_machine.travel(NOW, tick=False)
def test_a_request_from_home_without_its_message_is_refused(client, project, alice, bob):
    client.force_login(bob)

    response = client.post(
        URL, {"project": project.pk, "title": "Review the plan", "assignee": alice.pk}
    )

    assert response.status_code == 400
    assert not Task.objects.exists() and not WorkRequest.objects.exists()


def test_a_project_i_cannot_add_to_is_refused_on_the_home_page(client, alice, bob, team):
    private = make_project(name="Alice only", team=team, owner=alice, visibility="private")
    make_project(name="Migration", team=team, owner=alice)
    client.force_login(bob)

    response = client.post(URL, {"project": private.pk, "title": "Sneaky"})

    assert response.status_code == 400
    assert not Task.objects.exists()
    page = response.content.decode()
    assert 'id="today-quick-add"' in page and "Select a valid choice" in page
    assert 'value="Sneaky"' in page  # What was typed is kept.


def test_read_only_viewer_cannot_add(client, alice, bob, team):
    viewed = make_project(name="Handbook", team=team, owner=alice)
    ProjectMember.objects.create(project=viewed, user=bob, role=ProjectRole.VIEWER)
    client.force_login(bob)

    assert client.post(URL, {"project": viewed.pk, "title": "Sneaky"}).status_code == 400
    assert not Task.objects.exists()


def test_outsider_cannot_add(client, project, charlie):
    client.force_login(charlie)

    assert client.post(URL, {"project": project.pk, "title": "Sneaky"}).status_code == 400
    assert not Task.objects.exists()


def test_a_refused_task_shows_the_project_pages_quick_add_with_its_errors(client, project, bob):
    client.force_login(bob)

    response = client.post(URL, {"project": project.pk, "title": ""})

    assert response.status_code == 400
    assert not Task.objects.exists()
    page = response.content.decode()
    assert 'id="add-task-form"' in page and "This field is required." in page


def test_needs_log_in(client, project):
    response = client.post(URL, {"project": project.pk, "title": "Sneaky"})

    assert response.status_code == 302 and "login" in response.url
    assert not Task.objects.exists()


def test_refuses_other_methods(client, bob):
    client.force_login(bob)

    assert client.put(URL).status_code == 405


def test_picking_a_project_swaps_in_its_people(client, alice, bob, team):
    other_team = make_team(code="LE")
    architect = make_user(full_name="Ara Architect")
    add_member(other_team, architect)
    add_member(other_team, bob)
    theirs = make_project(name="Landing zone", team=other_team, owner=architect)
    make_project(name="Migration", team=team, owner=alice)
    client.force_login(bob)

    fragment = client.get(URL, {"project": theirs.pk}, headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert "Ara Architect" in fragment and "Alice Kim" not in fragment
    assert f"?project={theirs.pk}" in fragment  # The reply-by hint asks about that project.


def test_picking_a_project_i_cannot_add_to_shows_nothing_of_it(client, alice, bob, charlie):
    secret_team = make_team(code="SE")
    stranger = make_user(full_name="Stranger Danger")
    add_member(secret_team, stranger)
    secret = make_project(name="Secret", team=secret_team, owner=stranger)
    client.force_login(charlie)

    fragment = client.get(URL, {"project": secret.pk}, headers=HTMX).content.decode()

    assert "Stranger Danger" not in fragment


# --- editable_by ---------------------------------------------------------------------------


def test_editable_by_means_what_can_edit_project_means(alice, bob, charlie, team):
    """Every kind of project against every kind of person, one answer from each rule."""
    other_team = make_team()
    lead_elsewhere, member_elsewhere = make_user(), make_user()
    add_member(other_team, lead_elsewhere, TeamRole.LEAD)
    add_member(other_team, member_elsewhere)
    people = [alice, bob, charlie, lead_elsewhere, member_elsewhere]
    projects = []
    for owner, visibility, project_team in itertools.product(
        (alice, charlie), Visibility.values, (team, other_team)
    ):
        projects.append(make_project(owner=owner, visibility=visibility, team=project_team))
    # Charlie made an editor of one, Bob a viewer of another; one archived.
    ProjectMember.objects.create(project=projects[0], user=charlie, role=ProjectRole.EDITOR)
    ProjectMember.objects.create(project=projects[1], user=bob, role=ProjectRole.VIEWER)
    ProjectMember.objects.create(project=projects[2], user=member_elsewhere)
    Project.objects.filter(pk=projects[3].pk).update(archived_at=NOW)

    for person in people:
        expected = {
            p.pk
            for p in Project.objects.filter(pk__in=[p.pk for p in projects])
            if can_edit_project(person, p)
        }
        assert set(Project.objects.editable_by(person).values_list("pk", flat=True)) == expected
    assert set(Project.objects.editable_by(bob).values_list("pk", flat=True))  # Not vacuous.
