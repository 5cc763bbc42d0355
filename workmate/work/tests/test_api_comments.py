"""Comments through the API: /api/v1/tasks/<id>/comments, with @mentions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workmate.testing.factories import make_project
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Comment, ProjectMember, ProjectRole, Visibility

JSON = "application/json"


@pytest.fixture
def task(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=alice)
    return services.do_create_task(alice, project, title="Check backups")


def comments_url(task) -> str:
    return f"/api/v1/tasks/{task.pk}/comments"


def test_comment_with_mention_makes_a_follower(task, alice, bob):
    response = token_client(alice).post(
        comments_url(task), {"body": "  @bob can you look?  "}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mentions"] == [bob.pk]
    assert body["author"]["id"] == alice.pk
    comment = Comment.objects.get(pk=body["id"])
    assert comment.body == "@bob can you look?"
    assert list(comment.mentions.all()) == [bob]
    assert task.followers.filter(pk=bob.pk).exists()


def test_unknown_mention_is_400_and_nothing_saved(task, alice):
    response = token_client(alice).post(
        comments_url(task), {"body": "@nobody hello"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"body": ["Nobody is called @nobody."]}
    assert not Comment.objects.exists()


def test_list_comments_in_order_with_pages_and_fixed_queries(task, alice, bob):
    api = token_client(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(comments_url(task), {"limit": 200}).status_code == 200
        return len(queries)

    for number in range(10):
        services.do_add_comment(alice, task, f"Note {number} for @bob")
    api.get(comments_url(task))
    ten = count()
    for number in range(10, 60):
        services.do_add_comment(bob, task, f"Note {number} for @alice")
    assert count() == ten
    first = api.get(comments_url(task), {"limit": 40}).json()
    rest = api.get(comments_url(task), {"limit": 40, "cursor": first["next_cursor"]}).json()
    bodies = [item["body"] for item in first["items"] + rest["items"]]
    assert bodies == [f"Note {n} for @{'bob' if n < 10 else 'alice'}" for n in range(60)]
    assert rest["next_cursor"] is None


def test_outsider_404_and_viewer_may_comment(team, alice, charlie):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    task = services.do_create_task(alice, private, title="Secret")
    services.do_add_comment(alice, task, "Hidden")
    outsider = token_client(charlie)
    assert outsider.get(comments_url(task)).status_code == 404
    assert outsider.post(comments_url(task), {"body": "Hi"}, content_type=JSON).status_code == 404
    assert Comment.objects.count() == 1
    # Commenting is reading work, not changing it: viewers may, as on the page.
    ProjectMember.objects.create(project=private, user=charlie, role=ProjectRole.VIEWER)
    assert outsider.post(comments_url(task), {"body": "Hi"}, content_type=JSON).status_code == 201
    assert Comment.objects.count() == 2
