"""Dependencies on a task's page: "blocked by" with add and remove, cycles refused, a
prominent "Blocked" while blockers are open, and the tasks this one is blocking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import services
from workmate.work.models import Dependency, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Move the database")


@pytest.fixture
def disks(project, alice):
    return services.do_create_task(alice, project, title="Order disks")


def add_url(task) -> str:
    return reverse("work:add_dependency", args=[task.pk])


def remove_url(task, blocker) -> str:
    return reverse("work:remove_dependency", args=[task.pk, blocker.pk])


def page_of(client, task) -> str:
    return client.get(reverse("work:task", args=[task.pk])).content.decode()


def test_add_logged_out_goes_to_login(client, task, disks):
    response = client.post(add_url(task), {"blocked_by": disks.pk})

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Dependency.objects.exists()


def test_add_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(add_url(task)).status_code == 405


def test_add_outsider_gets_404(client, task, disks, charlie):
    client.force_login(charlie)

    assert client.post(add_url(task), {"blocked_by": disks.pk}).status_code == 404
    assert not Dependency.objects.exists()


def test_add_read_only_viewer_gets_403(client, team, alice, charlie):
    handbook = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task, other = make_task(project=handbook), make_task(project=handbook)
    client.force_login(charlie)

    assert client.post(add_url(task), {"blocked_by": other.pk}).status_code == 403
    assert not Dependency.objects.exists()


def test_offers_open_tasks_of_the_same_project_only(client, team, project, task, disks, alice):
    done = services.do_create_task(alice, project, title="Old work")
    services.do_complete_task(alice, done)
    elsewhere = make_task(project=make_project(team=team, owner=alice), title="Elsewhere")
    client.force_login(alice)

    form = page_of(client, task).split('id="dependency-form"')[1].split("</form>")[0]

    assert f'<option value="{disks.pk}">Order disks</option>' in form
    assert "Old work" not in form and "Elsewhere" not in form
    assert f'value="{task.pk}"' not in form
    assert elsewhere.pk


def test_adds_a_blocker_and_shows_blocked(client, task, disks, bob):
    client.force_login(bob)

    response = client.post(add_url(task), {"blocked_by": disks.pk}, follow=True)

    assert Dependency.objects.filter(task=task, blocked_by=disks).exists()
    page = response.content.decode()
    assert "Dependency added." in page
    assert 'id="blocked-badge"' in page and "<strong>Blocked</strong>" in page
    blocked_by = page.split('id="blocked-by"')[1].split('id="dependency-form"')[0]
    assert "Order disks" in blocked_by
    assert "Bob Lee marked it as blocked by Order disks" in page.split('id="history"')[1]
    # The blocker's page lists what it is blocking.
    blocking = page_of(client, disks).split('id="blocking"')[1].split("</div>")[0]
    assert "Move the database" in blocking


def test_htmx_add_returns_the_detail(client, task, disks, bob):
    client.force_login(bob)

    response = client.post(add_url(task), {"blocked_by": disks.pk}, headers=HTMX, follow=True)

    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert 'id="blocked-badge"' in fragment


def test_blocked_goes_once_the_blockers_are_done(client, task, disks, alice):
    services.do_add_dependency(alice, task, disks)
    services.do_complete_task(alice, disks)
    client.force_login(alice)

    page = page_of(client, task)

    assert 'id="blocked-badge"' not in page
    assert "Order disks" in page.split('id="blocked-by"')[1]


def test_a_cycle_is_refused_with_a_clear_message(client, project, task, disks, alice):
    cables = services.do_create_task(alice, project, title="Buy cables")
    services.do_add_dependency(alice, disks, cables)
    services.do_add_dependency(alice, cables, task)
    client.force_login(alice)

    response = client.post(add_url(task), {"blocked_by": disks.pk})

    assert response.status_code == 400
    assert (
        '<p class="error" id="id_blocked_by_error">That would make the tasks wait on each other '
        "in a loop.</p>" in response.content.decode()
    )
    assert not Dependency.objects.filter(task=task).exists()


def test_a_task_of_another_project_is_refused(client, team, task, alice):
    elsewhere = make_task(project=make_project(team=team, owner=alice))
    client.force_login(alice)

    response = client.post(add_url(task), {"blocked_by": elsewhere.pk})

    assert response.status_code == 400
    assert not Dependency.objects.exists()


def test_remove_refuses_get(client, task, disks, alice):
    services.do_add_dependency(alice, task, disks)
    client.force_login(alice)

    assert client.get(remove_url(task, disks)).status_code == 405


def test_remove_outsider_gets_404(client, task, disks, alice, charlie):
    services.do_add_dependency(alice, task, disks)
    client.force_login(charlie)

    assert client.post(remove_url(task, disks)).status_code == 404
    assert Dependency.objects.exists()


def test_remove_read_only_viewer_gets_403(client, team, alice, charlie):
    handbook = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task, other = make_task(project=handbook), make_task(project=handbook)
    Dependency.objects.create(task=task, blocked_by=other)
    client.force_login(charlie)

    assert client.post(remove_url(task, other)).status_code == 403
    assert Dependency.objects.exists()


def test_removes_a_blocker(client, task, disks, alice, bob):
    services.do_add_dependency(alice, task, disks)
    client.force_login(bob)

    response = client.post(remove_url(task, disks), headers=HTMX, follow=True)

    assert not Dependency.objects.exists()
    fragment = response.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert "Dependency removed." in fragment
    assert 'id="blocked-badge"' not in fragment
    assert "Bob Lee removed the block by Order disks" in fragment.split('id="history"')[1]
