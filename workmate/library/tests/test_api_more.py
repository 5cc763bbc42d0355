"""The API for what links to a page, comments and new pages from templates, against the
schema; private spaces 404 to non-members."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.inbox.models import Kind, Notification
from workmate.library import page_templates
from workmate.library.models import Page, PageComment
from workmate.testing.factories import make_customer, make_page
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

JSON = "application/json"
BASE = "/api/v1/library"

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def call(document, client, method, path, *, data=None, status=200):
    send = getattr(client, method.lower())
    kwargs = {"data": data, "content_type": JSON} if data is not None else {}
    response = send(path, **kwargs)
    assert response.status_code == status, response.content
    assert_matches_schema(document, method, path, response)
    return response


def test_references_list_only_what_the_caller_may_see(document, space, private_space, alice, bob):
    target = make_page(space=space, owner=alice, title="런북")
    make_page(space=space, owner=alice, title="공개 문서", body="[[런북]]")
    make_page(space=private_space, owner=alice, title="비밀 문서", body="[[런북]]")
    url = f"{BASE}/pages/{target.pk}/references"
    mine = call(document, token_client(alice), "GET", url).json()
    assert sorted(ref["title"] for ref in mine) == ["공개 문서", "비밀 문서"]
    theirs = call(document, token_client(bob), "GET", url).json()
    assert [(ref["kind"], ref["title"]) for ref in theirs] == [("page", "공개 문서")]


def test_comment_reply_and_resolve(document, space, alice, bob):
    page = make_page(space=space, owner=alice, title="런북")
    url = f"{BASE}/pages/{page.pk}/comments"
    posted = call(
        document, token_client(bob), "POST", url, data={"body": "@Alice Kim 봐 주세요"}, status=201
    ).json()
    assert posted["body"] == f"@**Alice Kim|{alice.pk}** 봐 주세요"
    assert Notification.objects.filter(recipient=alice, kind=Kind.MENTION).count() == 1
    call(
        document,
        token_client(alice),
        "POST",
        url,
        data={"body": "네", "parent_id": posted["id"]},
        status=201,
    )
    resolved = call(
        document,
        token_client(alice),
        "POST",
        f"{BASE}/comments/{posted['id']}/resolve",
        data={"resolved": True},
    ).json()
    assert resolved["resolved_by_id"] == alice.pk
    threads = call(document, token_client(bob), "GET", url).json()
    assert [len(thread["replies"]) for thread in threads] == [1]
    assert threads[0]["resolved_at"] is not None


def test_bad_comments_are_400_and_write_nothing(document, space, alice, bob):
    page = make_page(space=space, owner=alice)
    url = f"{BASE}/pages/{page.pk}/comments"
    call(document, token_client(bob), "POST", url, data={"body": "  "}, status=400)
    call(document, token_client(bob), "POST", url, data={"body": "@Nobody Here"}, status=400)
    assert not PageComment.objects.exists()


def test_private_page_comments_are_404_to_outsiders(document, private_space, alice, bob):
    page = make_page(space=private_space, owner=alice)
    comment = PageComment.objects.create(page=page, author=alice, body="비밀")
    client = token_client(bob)
    call(document, client, "GET", f"{BASE}/pages/{page.pk}/comments", status=404)
    call(document, client, "GET", f"{BASE}/pages/{page.pk}/references", status=404)
    url = f"{BASE}/pages/{page.pk}/comments"
    call(document, client, "POST", url, data={"body": "hi"}, status=404)
    resolve = f"{BASE}/comments/{comment.pk}/resolve"
    call(document, client, "POST", resolve, data={"resolved": True}, status=404)
    comment.refresh_from_db()
    assert comment.resolved_at is None and PageComment.objects.count() == 1


def test_page_from_template(document, space, alice, charlie):
    template = page_templates.do_create_template(
        alice, space, name="보고서", body="{{customer}} / {{author}}"
    )
    customer = make_customer(name="한빛")
    url = f"{BASE}/spaces/{space.key}/pages/from-template"
    data = {"template_id": template.pk, "title": "첫 보고", "customer_id": customer.pk}
    body = call(document, token_client(alice), "POST", url, data=data, status=201).json()
    page = Page.objects.get(pk=body["id"])
    assert page.current_revision.body == "한빛 / Alice Kim"
    assert body["template_revision_id"] == template.latest_revision().pk
    # A reader of the space may not; an unknown template is 400.
    call(document, token_client(charlie), "POST", url, data=data, status=403)
    data["template_id"] = 999999
    call(document, token_client(alice), "POST", url, data=data, status=400)
    assert Page.objects.count() == 1
