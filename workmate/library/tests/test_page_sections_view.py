"""The page's "referenced by" and comment sections, through the client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.library.models import PageComment, SpaceKind
from workmate.testing.factories import make_page, make_project, make_space, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(space, alice):
    return make_page(space=space, owner=alice, title="백업 런북")


def test_a_page_with_30_backlinks_in_a_fixed_number_of_queries(
    client, space, private_space, target, alice, bob, team, django_assert_num_queries
):
    org = make_space(name="Org", key="org", kind=SpaceKind.ORG, team=None)
    project = make_project(team=team, owner=alice)
    for number in range(10):
        make_page(space=org, owner=alice, title=f"사용처 {number}", body="[[백업 런북]]")
        make_page(space=private_space, owner=alice, title=f"비밀 {number}", body="[[백업 런북]]")
        make_task(project=project, title=f"작업 {number}", description="[[백업 런북]]")
    client.force_login(bob)
    url = reverse("library:page", args=[target.pk])
    client.get(url)  # Warm the per-process caches.
    with django_assert_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    assert html.count("사용처 ") == 10
    assert html.count("작업 ") == 10
    assert "비밀" not in html
    client.force_login(alice)
    assert client.get(url).content.decode().count(">비밀 ") == 10


def test_comment_then_reply_then_resolve(client, target, alice, bob):
    client.force_login(bob)
    url = reverse("library:comment", args=[target.pk])
    response = client.post(url, {"body": "질문 있어요 @Alice Kim"})
    comment = PageComment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/library/pages/{target.pk}/#comment-{comment.pk}"
    assert Notification.objects.filter(recipient=alice, kind=Kind.MENTION).count() == 1

    client.force_login(alice)
    reply = {"body": "답변", "parent": comment.pk}
    response = client.post(url, reply, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "답변" in response.content.decode()
    assert PageComment.objects.get(body="답변").parent == comment

    response = client.post(reverse("library:resolve_comment", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.resolved_by == alice
    response = client.post(reverse("library:resolve_comment", args=[comment.pk]), {"resolved": "0"})
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_comment_errors_keep_the_form(client, target, bob):
    client.force_login(bob)
    url = reverse("library:comment", args=[target.pk])
    response = client.post(url, {"body": "@Nobody Here 안녕"})
    assert response.status_code == 400
    assert "Nobody is called" in response.content.decode()
    assert not PageComment.objects.exists()
    assert client.get(url).status_code == 405


def test_outsiders_cannot_see_or_comment_a_private_page(client, private_space, alice, bob):
    page = make_page(space=private_space, owner=alice, title="인수 계획")
    comment = PageComment.objects.create(page=page, author=alice, body="비밀 메모")
    client.force_login(bob)
    response = client.post(reverse("library:comment", args=[page.pk]), {"body": "hi"})
    assert response.status_code == 404
    response = client.post(reverse("library:resolve_comment", args=[comment.pk]))
    assert response.status_code == 404
    assert PageComment.objects.count() == 1
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_a_reader_may_comment_but_not_resolve_others_threads(client, space, target, alice, charlie):
    comment = PageComment.objects.create(page=target, author=alice, body="의견")
    client.force_login(charlie)
    response = client.post(reverse("library:comment", args=[target.pk]), {"body": "저도요"})
    assert response.status_code == 302
    response = client.post(reverse("library:resolve_comment", args=[comment.pk]))
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_the_page_speaks_korean(client, target, bob):
    bob.language = "ko"
    bob.save()
    client.force_login(bob)
    html = client.get(reverse("library:page", args=[target.pk])).content.decode()
    assert "참조하는 곳" in html
    assert "댓글" in html
