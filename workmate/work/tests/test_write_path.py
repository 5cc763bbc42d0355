"""What creating a task or a comment costs in statements (bench/README.md, "The write path"),
and that the checks made cheaper still refuse what they refused."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from workmate.testing.factories import make_project
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Activity, Comment, Task, TaskStatus


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


def test_validating_a_task_asks_the_database_nothing(project, alice):
    task = Task(project=project, created_by=alice, title="Check backups", position=1)

    with CaptureQueriesContext(connection) as queries:
        task.full_clean(exclude=["created_by", "project"])

    # Django would ask the database once for each check constraint (with a savepoint).
    assert len(queries) == 0


def test_a_finished_task_without_its_time_is_refused_before_the_database(project, alice):
    task = Task(project=project, created_by=alice, title="Done", status=TaskStatus.DONE)

    with pytest.raises(ValidationError, match="completion time"):
        task.full_clean(exclude=["created_by", "project"])
    task.completed_at = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    task.full_clean(exclude=["created_by", "project"])


def test_an_open_task_with_a_completion_time_is_refused(project, alice):
    task = Task(
        project=project,
        created_by=alice,
        title="Open",
        completed_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )

    with pytest.raises(ValidationError, match="completion time"):
        task.full_clean(exclude=["created_by", "project"])


def test_a_task_cannot_be_its_own_parent(project, alice):
    task = services.do_create_task(alice, project, title="Loop")
    task.parent_id = task.pk

    with pytest.raises(ValidationError) as caught:
        task.full_clean(exclude=["created_by", "project"])
    assert "parent" in caught.value.message_dict


def test_start_after_due_is_still_refused(project, alice):
    with pytest.raises(ValidationError) as caught:
        services.do_create_task(
            alice,
            project,
            title="Backwards",
            start_on=datetime.date(2026, 3, 2),
            due_on=datetime.date(2026, 3, 1),
        )
    assert "due_on" in caught.value.message_dict
    assert not Task.objects.exists()


def test_the_database_still_enforces_the_check_constraints(project, alice):
    task = services.do_create_task(alice, project, title="Done")

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=None)


# --- Statements a create costs -------------------------------------------------------------
# Pinned so that a change that adds one to every write is seen. Inside the test's
# transaction: the service's savepoint and release, the position, the task, its follower
# and its history (the search index writes after the commit, not run here); then the
# events outbox (automation): its savepoint and release, whether a rule listens, the event
# row, and the webhook endpoints that want it — five per event.


def test_creating_a_task_in_the_service(project, alice, django_assert_num_queries):
    with django_assert_num_queries(6 + 5):
        task = services.do_create_task(alice, project, title="Check backups")

    assert task.followers.get() == alice
    assert Activity.objects.get(task=task).verb == "created"


def test_creating_a_task_through_the_api(project, alice, django_assert_num_queries):
    api = token_client(alice)
    body = json.dumps({"project_id": project.pk, "title": "Check backups"})

    # Token and person; project; the create; reading it back with its tags.
    with django_assert_num_queries(11 + 5):
        response = api.post("/api/v1/tasks", body, content_type="application/json")

    assert response.status_code == 201
    task = Task.objects.get()
    assert response.json()["id"] == task.pk
    assert response["ETag"] == f'"{task.version}"'


def test_creating_a_task_through_the_page(client, project, alice, django_assert_num_queries):
    client.force_login(alice)
    # Session, person, project, the create (no request was asked: no query for one).
    with django_assert_num_queries(9 + 5):
        response = client.post(f"/work/projects/{project.pk}/tasks/", {"title": "Backups"})

    assert response.status_code == 302
    assert Task.objects.get().title == "Backups"


def test_creating_a_task_for_someone_else_names_the_request(client, project, alice, bob):
    client.force_login(alice)

    response = client.post(
        f"/work/projects/{project.pk}/tasks/",
        {"title": "Backups", "assignee": bob.pk, "request_message": "Could you?"},
        follow=True,
    )

    assert Task.objects.get().assignee == bob
    assert "Bob Lee is asked to reply by" in response.content.decode()


def test_commenting_through_the_api(project, alice, django_assert_num_queries):
    task = services.do_create_task(alice, project, title="Check backups")
    api = token_client(alice)

    with django_assert_num_queries(11 + 5):
        response = api.post(
            f"/api/v1/tasks/{task.pk}/comments",
            json.dumps({"body": "Looks fine"}),
            content_type="application/json",
        )

    assert response.status_code == 201
    assert Comment.objects.get().body == "Looks fine"
