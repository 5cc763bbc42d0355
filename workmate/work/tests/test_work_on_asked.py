"""The person asked can finish the work: the assignee and the people of an open request on
a task may change its status, add subtasks, log time and attach files there, whatever their
role in the project (`services.can_work_on`); everything else follows the project's role.

Tried from outside, on the web and through the API: Dana of another team (LE) is asked
for a review on an org-wide TE project she may only read.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.testing.factories import add_member, make_project, make_team, make_user
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Task, TaskStatus, TimeLog, Visibility, WorkRequest

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def dana(db):
    """A member of another team (LE)."""
    user = make_user(email="dana@example.com", full_name="Dana Yoon")
    add_member(make_team(code="LE", name="Lead Engineering"), user, TeamRole.MEMBER)
    return user


@pytest.fixture
def project(team, alice):
    # Org-wide: everyone reads it, only TE edits it.
    return make_project(name="Rollout", team=team, owner=alice, visibility=Visibility.ORG)


@pytest.fixture
def review(project, alice, dana):
    """A task alice gave dana, with a written request."""
    task = services.do_create_task(alice, project, title="Review the rollout plan")
    services.do_send_request(alice, task, dana, message="Please review the plan.")
    task.refresh_from_db()
    return task


def post(client, name, task, data=None, **extra):
    return client.post(reverse(f"work:{name}", args=[task.pk]), data or {}, **extra)


def test_the_asked_person_may_only_read_the_project(project, dana):
    # The premise: without the request, Dana reads the project and changes nothing.
    assert services.can_view_project(dana, project)
    assert not services.can_edit_project(dana, project)


def test_the_assignee_completes_it_on_the_web(client, review, dana):
    client.force_login(dana)

    page = client.get(reverse("work:task", args=[review.pk])).content.decode()
    response = post(client, "toggle_task", review)

    assert 'id="toggle-form"' in page and 'id="subtask-form"' in page
    assert 'id="attachment-form"' in page
    assert 'id="edit-link"' not in page  # Editing the task stays with the project's editors.
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == TaskStatus.DONE and review.completed_at is not None


def test_the_assignee_adds_a_subtask_logs_time_and_attaches(client, review, dana):
    client.force_login(dana)

    post(client, "add_subtask", review, {"subtask-title": "Check the rollback"})
    post(client, "log_time", review, {"time-duration": "1h 30m", "time-worked_on": "2025-11-19"})
    post(
        client,
        "add_attachment",
        review,
        {"file": SimpleUploadedFile("notes.txt", b"Looks good.", content_type="text/plain")},
    )

    subtask = review.subtasks.get()
    assert (subtask.title, subtask.created_by) == ("Check the rollback", dana)
    assert TimeLog.objects.get(task=review, user=dana).minutes == 90
    assert review.attachments.get().uploaded_by == dana
    # And the subtask she made is hers to complete too.
    assert post(client, "toggle_task", subtask).status_code == 302
    subtask.refresh_from_db()
    assert subtask.is_done


def test_the_assignee_cannot_rename_edit_or_reassign(client, review, alice, dana):
    client.force_login(dana)

    renamed = post(client, "rename_task", review, {"title": "Mine now"})
    edited = post(client, "edit_task", review, {"title": "Mine now", "version": review.version})
    asked = post(
        client,
        "ask",
        review,
        {"ask-person": alice.pk, "ask-request_message": "Yours", "ask-reassign": "on"},
    )

    assert (renamed.status_code, edited.status_code) == (403, 403)
    review.refresh_from_db()
    assert (review.title, review.assignee) == ("Review the rollout plan", dana)
    # Ask without the right to hand over asks for a reply: the task stays hers.
    assert asked.status_code == 302
    assert WorkRequest.objects.filter(requester=dana, assignee=alice).exists()


def test_the_assignee_works_through_the_api(review, dana):
    api = token_client(dana)

    done = api.patch(f"/api/v1/tasks/{review.pk}", {"status": "done"}, content_type=JSON)
    subtask = api.post(
        "/api/v1/tasks",
        {"project_id": review.project_id, "title": "Sign off", "parent_id": review.pk},
        content_type=JSON,
    )

    assert done.status_code == 200, done.content
    assert subtask.status_code == 201, subtask.content
    review.refresh_from_db()
    assert review.status == TaskStatus.DONE
    assert review.subtasks.get().title == "Sign off"


def test_the_api_keeps_everything_else_to_editors(review, dana):
    api = token_client(dana)

    renamed = api.patch(f"/api/v1/tasks/{review.pk}", {"title": "Mine"}, content_type=JSON)
    mixed = api.patch(
        f"/api/v1/tasks/{review.pk}", {"status": "done", "priority": 3}, content_type=JSON
    )
    deleted = api.delete(f"/api/v1/tasks/{review.pk}")
    top_level = api.post(
        "/api/v1/tasks", {"project_id": review.project_id, "title": "New"}, content_type=JSON
    )

    assert {renamed.status_code, mixed.status_code, deleted.status_code} == {403}
    assert top_level.status_code == 403
    review.refresh_from_db()
    assert (review.title, review.status, review.version) == (
        "Review the rollout plan",
        TaskStatus.OPEN,
        2,
    )
    assert Task.objects.count() == 1


def test_someone_asked_for_a_reply_may_finish_it_until_they_answer(project, alice, dana):
    task = services.do_create_task(alice, project, title="Plan", assignee=alice)
    request = services.do_send_request(alice, task, dana, message="Review?", reassign=False)

    assert services.can_work_on(dana, task)
    services.do_answer_request(dana, request, "Looks fine.")
    assert not services.can_work_on(dana, task)


def test_the_requester_may_work_on_it_too(team, alice, dana):
    # Dana's own LE project, private; she asks Alice, who then may work on that task.
    le_project = make_project(
        team=dana.teams.get(), owner=dana, visibility=Visibility.PRIVATE, name="LE"
    )
    from workmate.work.models import ProjectMember, ProjectRole

    ProjectMember.objects.create(project=le_project, user=alice, role=ProjectRole.VIEWER)
    task = services.do_create_task(dana, le_project, title="Answer the customer", assignee=dana)
    services.do_send_request(dana, task, alice, message="Can you check?", reassign=False)

    assert services.can_work_on(alice, task)
    assert not services.can_edit_project(alice, le_project)


def test_a_bystander_still_only_reads(client, review, charlie):
    client.force_login(charlie)

    response = post(client, "toggle_task", review)
    subtask = post(client, "add_subtask", review, {"subtask-title": "Sneaky"})
    logged = post(client, "log_time", review, {"time-duration": "1h"})

    assert (response.status_code, subtask.status_code, logged.status_code) == (403, 403, 403)
    review.refresh_from_db()
    assert not review.is_done and not review.subtasks.exists()
    assert not TimeLog.objects.exists()


def test_a_stranger_gets_404(client, team, alice, charlie):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    task = services.do_create_task(alice, private, title="Secret")
    client.force_login(charlie)

    codes = {
        post(client, name, task, {"subtask-title": "x", "time-duration": "1h"}).status_code
        for name in ("toggle_task", "add_subtask", "log_time", "add_attachment", "ask")
    }
    api = token_client(charlie).patch(
        f"/api/v1/tasks/{task.pk}", {"status": "done"}, content_type=JSON
    )

    assert codes == {404}
    assert api.status_code == 404
    task.refresh_from_db()
    assert not task.is_done


def test_an_archived_project_stays_closed_to_the_assignee(review, dana):
    from django.utils import timezone

    review.project.archived_at = timezone.now()
    review.project.save(update_fields=["archived_at"])

    assert not services.can_work_on(dana, review)
