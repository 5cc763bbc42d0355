"""Following a task (POST /work/tasks/<pk>/follow/) and the list of its followers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import services
from workmate.work.models import Activity, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def task(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=alice)
    return services.do_create_task(alice, project, title="Check backups")


def follow_url(task) -> str:
    return reverse("work:follow_task", args=[task.pk])


def test_logged_out_goes_to_login(client, task):
    response = client.post(follow_url(task))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_refuses_get(client, task, bob):
    client.force_login(bob)

    assert client.get(follow_url(task)).status_code == 405


def test_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.post(follow_url(task), {"follow": "1"}).status_code == 404
    assert charlie not in task.followers.all()


def test_followers_are_listed(client, task, alice, bob):
    client.force_login(bob)

    part = client.get(reverse("work:task", args=[task.pk])).content.decode()
    followers = part.split('id="followers"')[1].split("</section>")[0]

    assert '<span class="follower">Alice Kim</span>' in followers
    assert "Bob Lee" not in followers
    assert ">Follow</button>" in followers


def test_follows_then_stops(client, task, alice, bob):
    client.force_login(bob)

    followed = client.post(follow_url(task), {"follow": "1"}, follow=True)

    assert bob in task.followers.all()
    page = followed.content.decode()
    assert "You follow this task now." in page
    followers = page.split('id="followers"')[1].split("</section>")[0]
    assert '<span class="follower">Bob Lee</span>' in followers
    assert ">Stop following</button>" in followers
    assert "Bob Lee started following the task" in page.split('id="history"')[1]

    stopped = client.post(follow_url(task), {"follow": "0"}, headers=HTMX, follow=True)

    assert bob not in task.followers.all()
    fragment = stopped.content.decode()
    assert fragment.startswith('<article class="card task-detail')
    assert "You no longer follow this task." in fragment
    assert "Bob Lee stopped following the task" in fragment.split('id="history"')[1]


def test_following_twice_records_once(client, task, bob):
    client.force_login(bob)

    client.post(follow_url(task), {"follow": "1"})
    client.post(follow_url(task), {"follow": "1"})

    assert Activity.objects.filter(verb="followed").count() == 1


def test_a_read_only_viewer_may_follow(client, team, alice, charlie):
    task = make_task(project=make_project(team=team, owner=alice, visibility=Visibility.ORG))
    client.force_login(charlie)

    client.post(follow_url(task), {"follow": "1"})

    assert charlie in task.followers.all()
