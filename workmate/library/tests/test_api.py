"""The library API against its schema: spaces, pages, revisions; If-Match/ETag with 409
and 428; private spaces 404 to non-members; the same rules as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.library import services
from workmate.library.models import Page, Revision, RevisionStatus, Space, SpaceKind, TrustState
from workmate.testing.factories import make_page
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

JSON = "application/json"
BASE = "/api/v1/library"

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def call(document, client, method, path, *, data=None, headers=None, status=200):
    send = getattr(client, method.lower())
    kwargs = {"headers": headers or {}}
    if data is not None:
        kwargs |= {"data": data, "content_type": JSON}
    response = send(path, **kwargs)
    assert response.status_code == status, response.content
    assert_matches_schema(document, method, path, response)
    return response


def test_every_library_route_is_documented(document):
    paths = {path for path in document["paths"] if path.startswith(BASE)}
    assert paths == {
        f"{BASE}/spaces",
        f"{BASE}/spaces/{{key}}",
        f"{BASE}/spaces/{{key}}/tree",
        f"{BASE}/spaces/{{key}}/pages",
        f"{BASE}/pages/{{page_id}}",
        f"{BASE}/pages/{{page_id}}/move",
        f"{BASE}/pages/{{page_id}}/verify",
        f"{BASE}/pages/{{page_id}}/needs-review",
        f"{BASE}/pages/{{page_id}}/revisions",
        f"{BASE}/pages/{{page_id}}/revisions/{{number}}",
        f"{BASE}/pages/{{page_id}}/diff",
        f"{BASE}/pages/{{page_id}}/revisions/{{number}}/restore",
        f"{BASE}/pages/{{page_id}}/revisions/{{number}}/approve",
        f"{BASE}/pages/{{page_id}}/revisions/{{number}}/reject",
        f"{BASE}/pages/{{page_id}}/references",
        f"{BASE}/pages/{{page_id}}/comments",
        f"{BASE}/comments/{{comment_id}}/resolve",
        f"{BASE}/spaces/{{key}}/pages/from-template",
    }
    put = document["paths"][f"{BASE}/pages/{{page_id}}"]["put"]
    assert "If-Match" in {parameter["name"] for parameter in put["parameters"]}
    assert {"409", "428"} <= set(put["responses"])


def test_spaces_list_leaves_out_private_spaces_of_others(document, space, private_space, bob):
    body = call(document, token_client(bob), "GET", f"{BASE}/spaces").json()
    assert [item["key"] for item in body["items"]] == ["TE"]


def test_create_a_private_space_and_a_page_in_it(document, bob):
    client = token_client(bob)
    space = call(
        document,
        client,
        "POST",
        f"{BASE}/spaces",
        data={"name": "내 메모", "key": "bob-notes", "kind": "private"},
        status=201,
    ).json()
    assert space["kind"] == "private"
    response = call(
        document,
        client,
        "POST",
        f"{BASE}/spaces/bob-notes/pages",
        data={"title": "할 일", "body": "# 목록", "tags": ["memo"]},
        status=201,
    )
    page = response.json()
    assert response["ETag"] == '"1"'
    assert (page["version"], page["body"], page["tags"]) == (1, "# 목록", ["memo"])
    assert page["trust"]["state"] == "needs_review"


def test_members_cannot_make_org_spaces(document, bob):
    response = call(
        document,
        token_client(bob),
        "POST",
        f"{BASE}/spaces",
        data={"name": "All", "key": "all", "kind": "org"},
        status=403,
    )
    assert response.json()["detail"]
    assert not Space.objects.filter(key="all").exists()


def test_a_duplicate_key_is_a_400_naming_the_field(document, space, alice):
    response = call(
        document,
        token_client(alice),
        "POST",
        f"{BASE}/spaces",
        data={"name": "Again", "key": "te", "kind": "private"},
        status=400,
    )
    assert "key" in response.json()["errors"]


def test_get_page_gives_its_etag(document, space, alice, bob):
    page = make_page(space=space, owner=alice, body="hello")
    response = call(document, token_client(bob), "GET", f"{BASE}/pages/{page.pk}")
    assert response["ETag"] == '"1"'
    assert response.json()["body"] == "hello"


def test_put_with_the_current_etag_saves_a_revision(document, space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    response = call(
        document,
        token_client(bob),
        "PUT",
        f"{BASE}/pages/{page.pk}",
        data={"title": "새 제목", "body": "v2", "summary": "api"},
        headers={"If-Match": '"1"'},
    )
    assert response["ETag"] == '"2"'
    page.refresh_from_db()
    assert (page.title, page.current_revision.body, page.current_revision.author) == (
        "새 제목",
        "v2",
        bob,
    )
    assert page.trust_state == TrustState.NEEDS_REVIEW


def test_put_with_a_stale_etag_is_409_and_writes_nothing(document, space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="alice")
    response = call(
        document,
        token_client(bob),
        "PUT",
        f"{BASE}/pages/{page.pk}",
        data={"title": page.title, "body": "bob"},
        headers={"If-Match": '"1"'},
        status=409,
    )
    body = response.json()
    assert body["current_version"] == 2
    assert "changed since you read it" in body["detail"]
    assert page.revisions.count() == 2
    page.refresh_from_db()
    assert page.current_revision.body == "alice"


def test_put_without_if_match_is_428(document, space, alice):
    page = make_page(space=space, owner=alice, body="v1")
    response = call(
        document,
        token_client(alice),
        "PUT",
        f"{BASE}/pages/{page.pk}",
        data={"title": page.title, "body": "v2"},
        status=428,
    )
    assert "If-Match" in response.json()["detail"]
    assert page.revisions.count() == 1


@pytest.mark.parametrize("value", ["*", '"abc"', '"99999999999999999999"'])
def test_a_malformed_if_match_is_refused(document, space, alice, value):
    page = make_page(space=space, owner=alice)
    response = token_client(alice).patch(
        f"{BASE}/pages/{page.pk}",
        data={"body": "x"},
        content_type=JSON,
        headers={"If-Match": value},
    )
    assert response.status_code in {400, 428}
    assert_matches_schema(document, "PATCH", f"{BASE}/pages/{page.pk}", response)
    assert page.revisions.count() == 1


def test_patch_changes_only_what_is_sent(document, space, alice):
    page = make_page(space=space, owner=alice, title="제목", body="v1", tags=["a"])
    client = token_client(alice)
    call(
        document,
        client,
        "PATCH",
        f"{BASE}/pages/{page.pk}",
        data={"body": "v2", "review_interval_days": 30},
        headers={"If-Match": 'W/"1"'},
    )
    page.refresh_from_db()
    assert (page.title, page.current_revision.body, page.review_interval_days) == (
        "제목",
        "v2",
        30,
    )
    assert [t.name for t in page.tags.all()] == ["a"]

    call(
        document,
        client,
        "PATCH",
        f"{BASE}/pages/{page.pk}",
        data={"tags": ["b", "c"]},
        headers={"If-Match": '"2"'},
    )
    assert sorted(t.name for t in page.tags.all()) == ["b", "c"]
    assert page.revisions.count() == 2


def test_patch_with_a_stale_etag_changes_nothing(document, space, alice):
    page = make_page(space=space, owner=alice, body="v1", tags=["a"])
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    call(
        document,
        token_client(alice),
        "PATCH",
        f"{BASE}/pages/{page.pk}",
        data={"tags": ["b"], "review_interval_days": 5},
        headers={"If-Match": '"1"'},
        status=409,
    )
    page.refresh_from_db()
    assert [t.name for t in page.tags.all()] == ["a"]
    assert page.review_interval_days != 5


def test_readers_get_403_and_nothing_is_written(document, space, alice, charlie):
    page = make_page(space=space, owner=alice)
    call(
        document,
        token_client(charlie),
        "PUT",
        f"{BASE}/pages/{page.pk}",
        data={"title": "x", "body": "y"},
        headers={"If-Match": '"1"'},
        status=403,
    )
    assert page.revisions.count() == 1


def test_private_pages_are_404_to_non_members_everywhere(
    document, private_space, alice, bob, executive
):
    page = make_page(space=private_space, owner=alice)
    for person in (bob, executive):
        client = token_client(person)
        for method, path in [
            ("GET", f"{BASE}/spaces/secret"),
            ("GET", f"{BASE}/spaces/secret/tree"),
            ("GET", f"{BASE}/spaces/secret/pages"),
            ("GET", f"{BASE}/pages/{page.pk}"),
            ("GET", f"{BASE}/pages/{page.pk}/revisions"),
            ("GET", f"{BASE}/pages/{page.pk}/revisions/1"),
            ("POST", f"{BASE}/pages/{page.pk}/verify"),
        ]:
            response = call(document, client, method, path, status=404)
            assert page.title not in response.content.decode()
        call(
            document,
            client,
            "PUT",
            f"{BASE}/pages/{page.pk}",
            data={"title": "x", "body": "y"},
            headers={"If-Match": '"1"'},
            status=404,
        )
    assert page.revisions.count() == 1


def test_pages_list_filters_by_state_and_tag(document, space, alice, bob):
    verified = make_page(space=space, owner=alice, title="ok", tags=["ops"])
    services.do_verify_page(alice, verified)
    make_page(space=space, owner=alice, title="old")
    client = token_client(bob)
    body = call(document, client, "GET", f"{BASE}/spaces/TE/pages?state=needs_review").json()
    assert [item["title"] for item in body["items"]] == ["old"]
    body = call(document, client, "GET", f"{BASE}/spaces/TE/pages?tag=OPS").json()
    assert [item["title"] for item in body["items"]] == ["ok"]
    assert body["items"][0]["trust"]["verified_by"]["name"] == "Alice Kim"


def test_tree_revisions_and_diff(document, space, alice, bob):
    top = make_page(space=space, owner=alice, title="top", body="a\nb")
    make_page(space=space, owner=alice, title="child", parent=top)
    services.do_save_page(alice, top, base_number=1, title="top", body="a\nB")
    client = token_client(bob)

    tree = call(document, client, "GET", f"{BASE}/spaces/TE/tree").json()
    assert [(n["title"], n["depth"]) for n in tree] == [("top", 0), ("child", 1)]
    revisions = call(document, client, "GET", f"{BASE}/pages/{top.pk}/revisions?limit=1").json()
    assert [r["number"] for r in revisions["items"]] == [2]
    more = call(
        document,
        client,
        "GET",
        f"{BASE}/pages/{top.pk}/revisions?cursor={revisions['next_cursor']}",
    ).json()
    assert [r["number"] for r in more["items"]] == [1]
    one = call(document, client, "GET", f"{BASE}/pages/{top.pk}/revisions/1").json()
    assert one["body"] == "a\nb"
    diff = call(document, client, "GET", f"{BASE}/pages/{top.pk}/diff?from=1&to=2").json()
    assert (diff["added"], diff["removed"]) == (1, 1)
    assert diff["rows"][1]["kind"] == "change"
    call(document, client, "GET", f"{BASE}/pages/{top.pk}/diff?from=1&to=9", status=404)
    call(document, client, "GET", f"{BASE}/pages/{top.pk}/diff?from=1", status=422)


def test_restore_needs_if_match(document, space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    client = token_client(bob)
    path = f"{BASE}/pages/{page.pk}/revisions/1/restore"
    call(document, client, "POST", path, status=428)
    call(document, client, "POST", path, headers={"If-Match": '"1"'}, status=409)
    response = call(document, client, "POST", path, headers={"If-Match": '"2"'})
    assert response.json()["body"] == "v1" and response["ETag"] == '"3"'


def test_move_under_its_own_child_is_400(document, space, alice):
    top = make_page(space=space, owner=alice)
    child = make_page(space=space, owner=alice, parent=top)
    response = call(
        document,
        token_client(alice),
        "POST",
        f"{BASE}/pages/{top.pk}/move",
        data={"parent_id": child.pk},
        status=400,
    )
    assert "parent" in response.json()["errors"]
    top.refresh_from_db()
    assert top.parent is None


def test_verify_and_flag(document, space, alice, bob):
    page = make_page(space=space, owner=alice)
    body = call(document, token_client(alice), "POST", f"{BASE}/pages/{page.pk}/verify").json()
    assert body["trust"]["state"] == "verified"
    call(document, token_client(bob), "POST", f"{BASE}/pages/{page.pk}/verify", status=403)
    body = call(document, token_client(bob), "POST", f"{BASE}/pages/{page.pk}/needs-review").json()
    assert body["trust"] == {**body["trust"], "state": "needs_review", "reason": "flagged"}


def test_approval_through_the_api(document, space, alice, bob):
    space.requires_approval = True
    space.save()
    page = make_page(space=space, owner=alice, body="v1")
    body = call(
        document,
        token_client(bob),
        "PUT",
        f"{BASE}/pages/{page.pk}",
        data={"title": page.title, "body": "bob's"},
        headers={"If-Match": '"1"'},
    ).json()
    assert (body["version"], body["body"], body["pending_drafts"]) == (1, "v1", [2])
    call(
        document,
        token_client(bob),
        "POST",
        f"{BASE}/pages/{page.pk}/revisions/2/approve",
        status=403,
    )
    body = call(
        document, token_client(alice), "POST", f"{BASE}/pages/{page.pk}/revisions/2/approve"
    ).json()
    assert (body["version"], body["body"], body["pending_drafts"]) == (2, "bob's", [])
    assert Revision.objects.get(page=page, number=2).status == RevisionStatus.PUBLISHED


def test_update_space_is_for_editors(document, space, alice, bob):
    call(document, token_client(bob), "PATCH", f"{BASE}/spaces/TE", data={"name": "x"}, status=403)
    body = call(
        document,
        token_client(alice),
        "PATCH",
        f"{BASE}/spaces/te",
        data={"requires_approval": True},
    ).json()
    assert body["requires_approval"] is True
    assert Space.objects.get(pk=space.pk).name == "TE 런북"


def test_list_query_count_is_constant(space, alice, django_assert_num_queries):
    for number in range(12):
        page = make_page(space=space, owner=alice, title=f"p{number}")
        if number % 2:
            services.do_verify_page(alice, page)
    client = token_client(alice)
    client.get(f"{BASE}/spaces/TE/pages")
    # token, space, pages
    with django_assert_num_queries(3):
        response = client.get(f"{BASE}/spaces/TE/pages")
    assert len(response.json()["items"]) == 12
    assert Page.objects.count() == 12
    assert SpaceKind.TEAM == "team"
