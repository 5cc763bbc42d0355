"""Setting and removing a task's repeat rule from the task detail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project
from workmate.work import recurrence, services
from workmate.work.models import Frequency, Recurrence, Visibility

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Operations", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Weekly report")


def set_url(task) -> str:
    return reverse("work:set_recurrence", args=[task.pk])


def remove_url(task) -> str:
    return reverse("work:remove_recurrence", args=[task.pk])


WEEKLY = {
    "recurrence-frequency": Frequency.WEEKLY,
    "recurrence-interval": "1",
    "recurrence-weekdays": ["0", "2", "4"],
    "recurrence-skip_holidays": "on",
}


def test_logged_out_goes_to_login(client, task):
    response = client.post(set_url(task), WEEKLY)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Recurrence.objects.exists()


def test_get_is_refused(client, task, bob):
    client.force_login(bob)

    assert client.get(set_url(task)).status_code == 405
    assert client.get(remove_url(task)).status_code == 405


def test_outsider_gets_404(client, task, charlie):
    client.force_login(charlie)

    assert client.post(set_url(task), WEEKLY).status_code == 404
    assert not Recurrence.objects.exists()


def test_read_only_viewer_gets_403(client, team, alice, charlie):
    org_project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = services.do_create_task(alice, org_project, title="Visible to all")
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.DAILY)
    client.force_login(charlie)

    assert client.post(set_url(task), WEEKLY).status_code == 403
    assert client.post(remove_url(task)).status_code == 403
    assert Recurrence.objects.get().frequency == Frequency.DAILY
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "Every day · skips days off" in page
    assert 'id="recurrence-form"' not in page


def test_member_sets_a_weekly_rule(client, task, bob):
    client.force_login(bob)

    response = client.post(set_url(task), WEEKLY)

    assert response.status_code == 302
    rule = Recurrence.objects.get(task=task)
    assert (rule.frequency, rule.weekdays, rule.skip_holidays) == (
        Frequency.WEEKLY,
        [0, 2, 4],
        True,
    )
    page = client.get(response.url).content.decode()
    assert "Every week on Mon, Wed, Fri · skips days off" in page


def test_htmx_gets_the_part_back(client, task, bob):
    client.force_login(bob)

    response = client.post(set_url(task), WEEKLY, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<section class="task-part rhythm-part" id="task-recurrence">')
    assert "<html" not in body
    assert "Every week on Mon, Wed, Fri" in body


def test_bad_rule_shows_the_error_without_saving(client, task, bob):
    client.force_login(bob)

    response = client.post(set_url(task), {**WEEKLY, "recurrence-weekdays": []})

    assert response.status_code == 400
    assert "Choose at least one weekday." in response.content.decode()
    assert "<html" in response.content.decode()
    assert not Recurrence.objects.exists()


def test_bad_rule_over_htmx_is_a_part_with_the_error(client, task, bob):
    client.force_login(bob)
    data = {"recurrence-frequency": Frequency.MONTHLY_DAY, "recurrence-interval": "1"}

    response = client.post(set_url(task), data, headers=HTMX)

    body = response.content.decode()
    assert "Choose a day of the month from 1 to 31." in body
    assert "<html" not in body
    assert not Recurrence.objects.exists()


def test_stop_repeating(client, task, alice):
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.DAILY)
    client.force_login(alice)

    response = client.post(remove_url(task), headers=HTMX)

    assert response.status_code == 200
    assert "Does not repeat." in response.content.decode()
    assert not Recurrence.objects.exists()


def test_completing_from_the_page_creates_the_next(client, task, alice):
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.DAILY)
    client.force_login(alice)

    client.post(reverse("work:toggle_task", args=[task.pk]))
    client.post(reverse("work:toggle_task", args=[task.pk]))  # reopens: nothing new

    assert task.project.tasks.count() == 2
    assert Recurrence.objects.get().task.title == "Weekly report"
    assert Recurrence.objects.get().task_id != task.pk
