"""The results page, the quick search fragment, the portal's search and the API."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.desk import services as desk
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task, make_ticket
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client
from workmate.work.models import Visibility


@pytest.fixture
def data(db, alice, bob, team, customer_a, contact_a, contact_b, committed):
    with committed():
        project = make_project(owner=alice, team=team, visibility=Visibility.ORG)
        for n in range(25):
            make_task(project=project, title=f"배포 점검 {n}", description="API서버 재시작")
        secret = make_project(owner=alice, team=team, visibility=Visibility.PRIVATE)
        make_task(project=secret, title="배포 비밀 계획")
        ticket = make_ticket(customer=customer_a, requester=contact_a, subject="배포 후 오류")
        desk.do_reply(alice, ticket, "배포 롤백 예정", internal=True)
        make_ticket(requester=contact_b, customer=contact_b.customers.first(), subject="배포 문의")
    return {"ticket": ticket}


def test_results_page_groups_by_type_with_counts(client, data, alice):
    client.force_login(alice)
    response = client.get("/search/", {"q": "배포"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'Tasks <span class="muted">26</span>' in html
    assert 'Tickets <span class="muted">2</span>' in html
    assert "<mark>배포</mark> 비밀 계획" in html


def test_a_member_sees_no_count_of_a_private_project(client, data, bob):
    client.force_login(bob)
    html = client.get("/search/", {"q": "배포"}).content.decode()
    assert 'Tasks <span class="muted">25</span>' in html
    assert "비밀" not in html


def test_one_type_is_paginated(client, data, alice):
    client.force_login(alice)
    first = client.get("/search/", {"q": "배포", "type": "task"}).content.decode()
    assert first.count('class="search-hit"') == 20
    assert "page=2" in first
    second = client.get("/search/", {"q": "배포", "type": "task", "page": "2"}).content.decode()
    assert second.count('class="search-hit"') == 6


def test_unknown_qualifier_is_a_message_on_the_page(client, data, alice):
    client.force_login(alice)
    html = client.get("/search/", {"q": "배포 colour:red"}).content.decode()
    assert "is not a search filter" in html
    assert 'class="search-hit"' in html


def test_htmx_gets_the_fragment(client, data, alice):
    client.force_login(alice)
    response = client.get(
        "/search/", {"q": "배포"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert b"<html" not in response.content
    assert b"search-group" in response.content


def test_quick_search_lists_three_a_type_and_a_link_to_all(client, data, alice):
    client.force_login(alice)
    response = client.get("/search/quick/", {"q": "배포"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.count('class="quick-search-hit"') == 3 + 2
    assert "/search/?q=%EB%B0%B0%ED%8F%AC" in html


def test_the_top_bar_has_the_box_on_every_page(client, alice):
    client.force_login(alice)
    assert b'id="quick-search-q"' in client.get("/").content


def test_korean_page(client, data, alice):
    alice.language = "ko"
    alice.save()
    client.force_login(alice)
    html = client.get("/search/", {"q": "배포 nope:1"}).content.decode()
    assert "검색" in html


@pytest.mark.parametrize("url", ["/search/", "/search/quick/"])
def test_signed_out_is_sent_to_sign_in(client, url):
    assert client.get(url, {"q": "x"}).status_code == 302


def test_post_is_refused(client, alice):
    client.force_login(alice)
    assert client.post("/search/", {"q": "x"}).status_code == 405


def test_nul_is_refused_clearly(client, alice):
    client.force_login(alice)
    assert client.get("/search/", {"q": "배포\x00"}).status_code == 400


def test_pinned_query_counts(client, data, alice, bob, django_assert_num_queries):
    client.force_login(bob)
    client.get("/search/", {"q": "배포"})  # warm the session and caches
    # Session, user, roles, the hidden proposals (to find the member's own), one read of
    # the full-text index per type the person may see (seven for an agent: counts and
    # candidates), then the shown entries whole; the same for one type's page.
    with django_assert_num_queries(12):
        client.get("/search/", {"q": "배포"})
    with django_assert_num_queries(12):
        client.get("/search/", {"q": "배포", "type": "task"})
    with django_assert_num_queries(12):
        client.get("/search/quick/", {"q": "배포"})
    # A lead sees every proposal: no hidden-proposal query.
    client.force_login(alice)
    with django_assert_num_queries(11):
        client.get("/search/", {"q": "배포"})


def test_portal_search_shows_only_the_contacts_tickets(client, data, contact_a):
    client.post("/portal/login/", {"email": contact_a.email, "password": DEFAULT_PASSWORD})
    html = client.get("/portal/search/", {"q": "배포"}).content.decode()
    assert "<mark>배포</mark> 후 오류" in html
    assert "문의" not in html
    assert "롤백" not in html
    assert f"/portal/tickets/{data['ticket'].pk}/" in html
    assert 'class="search-hit"' not in client.get("/portal/search/", {"q": "롤백"}).content.decode()


def test_portal_search_needs_a_contact(client, alice):
    client.force_login(alice)
    assert client.get("/portal/search/", {"q": "x"}).status_code == 302


def test_api_answers_as_documented(data, alice, bob):
    document = fetch_schema(Client())
    api = token_client(alice)
    response = api.get("/api/v1/search", {"q": "배포"})
    assert response.status_code == 200
    assert_matches_schema(document, "get", "/api/v1/search", response)
    body = response.json()
    assert body["counts"] == {"task": 26, "ticket": 2}
    assert body["total"] == 28 and body["has_next"] is True
    first = body["results"][0]
    assert set(first) >= {"type", "id", "title", "snippet", "url"}
    assert first["title"].startswith("배포")
    member = token_client(bob).get("/api/v1/search", {"q": "배포", "type": "task", "per_page": 100})
    assert_matches_schema(document, "get", "/api/v1/search", member)
    assert len(member.json()["results"]) == 25
    assert all("비밀" not in hit["title"] for hit in member.json()["results"])
    bad = api.get("/api/v1/search", {"q": "배포 created:2026-99-01"})
    assert bad.status_code == 400
    assert_matches_schema(document, "get", "/api/v1/search", bad)
    assert "is not a date" in bad.json()["detail"]
    assert Client().get("/api/v1/search", {"q": "배포"}).status_code == 401
