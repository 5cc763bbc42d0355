"""Ids no integer column can hold and stray `next=` words get form errors, not 500s."""

from __future__ import annotations

import pytest

from workmate.testing.factories import make_project, make_task
from workmate.voice.models import Proposal
from workmate.work.models import Task

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def test_a_proposal_for_a_team_id_beyond_any_integer_is_refused(client, bob):
    client.force_login(bob)

    response = client.post(
        "/voice/new/",
        {"title": "VPN", "problem": "Slow.", "area": "tools", "affected_teams": [HUGE]},
    )

    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    assert not Proposal.objects.exists()


def test_bulk_update_with_a_huge_task_id_changes_nothing(client, alice, team):
    project = make_project(team=team, owner=alice)
    task = make_task(project=project)
    client.force_login(alice)

    response = client.post(
        f"/work/projects/{project.pk}/bulk/", {"tasks": [task.pk, HUGE], "action": "complete"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completed_at is None
    assert Task.objects.filter(completed_at__isnull=False).count() == 0


@pytest.mark.parametrize("back", ["abc", "-1", "9999-12-31T23:59", "https://evil.example/"])
def test_bulk_update_goes_back_to_the_project_unless_next_is_a_path(client, alice, team, back):
    project = make_project(team=team, owner=alice)
    task = make_task(project=project)
    client.force_login(alice)

    response = client.post(
        f"/work/projects/{project.pk}/bulk/",
        {"tasks": [task.pk], "action": "complete", "next": back},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/work/projects/{project.pk}/"
    task.refresh_from_db()
    assert task.completed_at is not None


def test_bulk_update_keeps_a_path_of_the_site_as_next(client, alice, team):
    project = make_project(team=team, owner=alice)
    task = make_task(project=project)
    client.force_login(alice)
    back = f"/work/projects/{project.pk}/?status=open"

    response = client.post(
        f"/work/projects/{project.pk}/bulk/",
        {"tasks": [task.pk], "action": "complete", "next": back},
    )

    assert response["Location"] == back
