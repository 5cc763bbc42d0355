"""From voice to work: a task or project made of a proposal; the proposal follows the task."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from workmate.testing.factories import add_member, make_project, make_team, make_user
from workmate.voice import leads, services
from workmate.voice.models import Answer, Area, Proposal, ProposalStatus
from workmate.work.models import Project, Task, TaskStatus
from workmate.work.services import do_complete_task, do_update_task


@pytest.fixture
def proposal(bob) -> Proposal:
    return services.do_post_proposal(
        bob, title="Shared calendar for rooms", problem="Rooms get double-booked.", area=Area.TOOLS
    )


@pytest.fixture
def project(alice, team) -> Project:
    return make_project(team=team, owner=alice, name="Office")


def test_make_task_links_both_ways_and_plans(alice, proposal, project):
    task = leads.do_make_task(alice, proposal, project)
    proposal.refresh_from_db()
    assert proposal.task == task and task.project == project
    assert task.title == "Shared calendar for rooms"
    assert f"{settings.SITE_URL}/voice/{proposal.pk}/" in task.description
    assert proposal.status == ProposalStatus.PLANNED
    assert "Office" in proposal.answers.get().body


def test_make_task_needs_a_lead_who_can_edit_the_project(alice, bob, proposal):
    with pytest.raises(PermissionDenied):
        leads.do_make_task(bob, proposal, make_project(owner=bob))
    with pytest.raises(PermissionDenied):
        leads.do_make_task(alice, proposal, make_project())  # Someone else's team.
    proposal.refresh_from_db()
    assert proposal.task is None and not Task.objects.exists()


def test_completing_the_task_makes_the_proposal_done(alice, bob, team, proposal, project):
    worker = make_user(full_name="Dana Worker")
    add_member(team, worker)
    task = leads.do_make_task(alice, proposal, project)
    do_update_task(worker, task, {"status": TaskStatus.DONE})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DONE
    answer = proposal.answers.last()
    assert answer.lead == worker and answer.body == "The work is done."
    assert (answer.from_status, answer.to_status) == (ProposalStatus.PLANNED, ProposalStatus.DONE)


def test_completing_other_tasks_changes_nothing(alice, proposal, project):
    leads.do_make_task(alice, proposal, project)
    other = Task.objects.create(project=project, title="Other", created_by=alice)
    do_complete_task(alice, other)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PLANNED
    assert Answer.objects.count() == 1


def test_make_project(alice, proposal, team):
    made = leads.do_make_project(alice, proposal, team)
    proposal.refresh_from_db()
    assert proposal.project == made and made.team == team and made.owner == alice
    assert f"/voice/{proposal.pk}/" in made.description
    assert proposal.status == ProposalStatus.PLANNED


def test_work_views(client, alice, bob, team, proposal, project):
    url = f"/voice/{proposal.pk}/make-task/"
    assert client.post(url, {"project": project.pk}).status_code == 302
    client.force_login(bob)
    assert client.post(url, {"project": project.pk}).status_code == 403
    client.force_login(alice)
    assert client.get(url).status_code == 405
    response = client.post(url, {"project": project.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    proposal.refresh_from_db()
    assert proposal.task is not None
    # The public page links to the task.
    page = client.get(f"/voice/{proposal.pk}/").content.decode()
    assert f"/work/tasks/{proposal.task_id}/" in page
    response = client.post(f"/voice/{proposal.pk}/make-project/", {"team": team.pk})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.project is not None and proposal.project.name == "Shared calendar for rooms"


def test_make_project_view_refuses_a_foreign_team(client, alice, proposal):
    client.force_login(alice)
    response = client.post(f"/voice/{proposal.pk}/make-project/", {"team": make_team().pk})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.project is None
