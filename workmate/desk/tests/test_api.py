"""The desk API: agents only, idempotent ticket creation, If-Match on changes, replies and
notes, every answer checked against the app's own OpenAPI document."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client

from workmate.desk import api as desk_api
from workmate.desk import services
from workmate.desk.models import (
    ContractTier,
    EntryKind,
    IdempotencyKey,
    Status,
    Ticket,
    TicketEntry,
)
from workmate.testing.factories import make_contact, make_sla_policy, make_ticket
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

JSON = "application/json"
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
TICKETS = "/api/v1/desk/tickets"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    # Building and checking the document takes a while; it is the same for every test.
    with django_db_blocker.unblock():
        return fetch_schema(Client())


@pytest.fixture
def api(alice):
    return token_client(alice)


def call(document, client, method, path, data=None, status=200, **extra):
    kwargs = {"content_type": JSON} if data is not None and method != "get" else {}
    response = getattr(client, method)(path, data, **kwargs, **extra)
    assert response.status_code == status, (path, response.content)
    assert_matches_schema(document, method, path, response)
    return response


def new_ticket(customer, contact, **extra):
    return {
        "customer_id": customer.pk,
        "requester_email": contact.email.upper(),
        "subject": "VPN down",
        "description": "Since 09:00.",
        "priority": 2,
        **extra,
    }


def test_desk_routes_are_in_the_schema(document):
    paths = {path for path in document["paths"] if path.startswith("/api/v1/desk/")}
    assert paths == {
        "/api/v1/desk/tickets",
        "/api/v1/desk/tickets/{ticket_id}",
        "/api/v1/desk/tickets/{ticket_id}/replies",
    }
    post = document["paths"]["/api/v1/desk/tickets"]["post"]
    assert "Idempotency-Key" in {parameter["name"] for parameter in post["parameters"]}
    patch = document["paths"]["/api/v1/desk/tickets/{ticket_id}"]["patch"]
    assert "If-Match" in {parameter["name"] for parameter in patch["parameters"]}
    assert "no API tokens" in " ".join(document["info"]["description"].split())


def test_agent_works_a_ticket_end_to_end(document, api, alice, bob, customer_a, contact_a):
    created = call(document, api, "post", TICKETS, new_ticket(customer_a, contact_a), 201).json()
    ticket = Ticket.objects.get()
    assert created["id"] == ticket.pk
    assert ticket.requester == contact_a and ticket.priority == 2
    assert created["entries"][0]["kind"] == EntryKind.NOTE

    path = f"{TICKETS}/{ticket.pk}"
    read = call(document, api, "get", path)
    assert read["ETag"] == read.json()["etag"]
    changed = call(
        document,
        api,
        "patch",
        path,
        {"status": "open", "priority": 1, "assignee_id": bob.pk, "tags": ["vpn", " VPN ", "net"]},
        HTTP_IF_MATCH=read["ETag"],
    ).json()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (Status.OPEN, 1, bob)
    assert ticket.tags == ["vpn", "net"]
    assert changed["etag"] != read.json()["etag"]
    fields = {entry["field"] for entry in changed["entries"] if entry["kind"] == "event"}
    assert fields == {"status", "priority", "assignee", "tags"}

    note = call(
        document,
        api,
        "post",
        f"{path}/replies",
        {"body": "Router firmware bug", "internal": True, "minutes": 15, "billable": True},
        201,
    ).json()
    assert note["kind"] == "note" and note["minutes"] == 15 and note["billable"] is True
    call(
        document,
        api,
        "post",
        f"{path}/replies",
        {"body": "Fixed, please check.", "status": "pending"},
        201,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.first_responded_at is not None
    # Agents see internal notes in the timeline.
    kinds = [entry["kind"] for entry in call(document, api, "get", path).json()["entries"]]
    assert "note" in kinds and "reply" in kinds


def test_outsider_gets_403_and_never_sees_notes(document, charlie, alice, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    services.do_reply(alice, ticket, "Password is in the vault", internal=True)
    outsider = token_client(charlie)
    path = f"{TICKETS}/{ticket.pk}"
    for method, url, data in [
        ("get", TICKETS, None),
        ("get", path, None),
        ("post", TICKETS, new_ticket(customer_a, contact_a)),
        ("patch", path, {"status": "solved"}),
        ("post", f"{path}/replies", {"body": "hi"}),
    ]:
        response = call(document, outsider, method, url, data, 403)
        assert b"vault" not in response.content
    assert Ticket.objects.count() == 1
    assert TicketEntry.objects.filter(ticket=ticket).count() == 2
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_no_token_gets_401_and_unknown_ticket_404(document, api):
    call(document, Client(), "get", TICKETS, status=401)
    call(document, api, "get", f"{TICKETS}/999", status=404)


def test_same_key_and_body_makes_one_ticket(document, api, alice, customer_a, contact_a):
    body = new_ticket(customer_a, contact_a)
    first = call(document, api, "post", TICKETS, body, 201, HTTP_IDEMPOTENCY_KEY="k-1")
    again = call(document, api, "post", TICKETS, body, 200, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.get().ticket_id == first.json()["id"]
    # Another key, or no key, opens another ticket.
    call(document, api, "post", TICKETS, body, 201, HTTP_IDEMPOTENCY_KEY="k-2")
    call(document, api, "post", TICKETS, body, 201)
    assert Ticket.objects.count() == 3


def test_same_key_with_another_body_is_refused(document, api, customer_a, contact_a):
    call(document, api, "post", TICKETS, new_ticket(customer_a, contact_a), 201,
         HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    response = call(
        document,
        api,
        "post",
        TICKETS,
        new_ticket(customer_a, contact_a, subject="Another"),
        422,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert "different request" in response.json()["detail"]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["VPN down"]


def test_keys_belong_to_their_owner(document, api, bob, customer_a, contact_a):
    body = new_ticket(customer_a, contact_a)
    call(document, api, "post", TICKETS, body, 201, HTTP_IDEMPOTENCY_KEY="k-1")
    call(document, token_client(bob), "post", TICKETS, body, 201, HTTP_IDEMPOTENCY_KEY="k-1")
    assert Ticket.objects.count() == 2


def test_a_concurrent_request_with_the_same_key_opens_no_second_ticket(
    monkeypatch, alice, customer_a, contact_a
):
    """Both requests miss the key at first; the loser's ticket rolls back with its key."""
    payload = desk_api.TicketIn(**new_ticket(customer_a, contact_a))
    winner, created = desk_api.create_ticket_once(alice, payload, "k-1")
    assert created
    real_replay = desk_api._replay
    calls = []

    def late_replay(user, key, digest):
        calls.append(key)
        # The first look happens before the winner committed: it finds nothing.
        return None if len(calls) == 1 else real_replay(user, key, digest)

    monkeypatch.setattr(desk_api, "_replay", late_replay)
    loser, created = desk_api.create_ticket_once(alice, payload, "k-1")
    assert (loser, created) == (winner, False)
    assert list(Ticket.objects.all()) == [winner]
    assert TicketEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_id": 0}, "customer"),
        ({"requester_email": "nobody@example.org"}, "requester"),
        ({"requester_email": None}, "requester"),
        ({"subject": "   "}, "subject"),
    ],
)
def test_bad_ticket_is_refused_and_nothing_written(
    document, api, customer_a, contact_a, change, field
):
    response = call(
        document, api, "post", TICKETS, new_ticket(customer_a, contact_a, **change), 400,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )  # fmt: skip
    assert field in response.json()["errors"]
    assert not Ticket.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_requester_of_another_customer_is_refused(document, api, customer_a, contact_b):
    response = call(document, api, "post", TICKETS, new_ticket(customer_a, contact_b), 400)
    assert "customer" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_schema_errors_are_422(document, api, customer_a, contact_a):
    call(document, api, "post", TICKETS, new_ticket(customer_a, contact_a, priority=9), 422)
    call(document, api, "post", TICKETS, {"subject": "x"}, 422)
    call(document, api, "post", TICKETS, new_ticket(customer_a, contact_a), 400,
         HTTP_IDEMPOTENCY_KEY="x" * 201)  # fmt: skip
    assert not Ticket.objects.exists()


def test_stale_if_match_gets_409_and_writes_nothing(document, api, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    path = f"{TICKETS}/{ticket.pk}"
    etag = call(document, api, "get", path)["ETag"]
    call(document, api, "patch", path, {"priority": 1}, HTTP_IF_MATCH=etag)
    response = call(document, api, "patch", path, {"status": "solved"}, 409, HTTP_IF_MATCH=etag)
    assert "changed since" in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.priority == 1
    # Weak ETags and `*` are accepted too.
    etag = call(document, api, "get", path)["ETag"]
    call(document, api, "patch", path, {"tags": ["a"]}, HTTP_IF_MATCH=f"W/{etag}")
    call(document, api, "patch", path, {"tags": ["b"]}, HTTP_IF_MATCH="*")


def test_bad_patch_writes_nothing(document, api, charlie, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    path = f"{TICKETS}/{ticket.pk}"
    # The priority would apply first; the outsider as assignee rolls it back.
    response = call(document, api, "patch", path, {"priority": 1, "assignee_id": charlie.pk}, 400)
    assert "assignee" in response.json()["errors"]
    call(document, api, "patch", path, {"tags": ["x" * 51]}, 400)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.tags) == (3, None, [])
    assert not ticket.entries.filter(kind=EntryKind.EVENT).exists()
    call(document, api, "post", f"{path}/replies", {"body": "  "}, 400)
    call(document, api, "post", f"{path}/replies", {"body": "x", "minutes": -1}, 422)
    assert ticket.entries.count() == 1


def test_list_filters(
    document, api, alice, bob, team, customer_a, customer_b, contact_a, contact_b
):
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3, first_response_minutes=60,
                    resolution_minutes=480)  # fmt: skip
    tuesday = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SEOUL)
    with time_machine.travel(tuesday, tick=False):
        mine = make_ticket(customer=customer_a, requester=contact_a)
        services.do_assign(alice, mine, alice)
        other = make_ticket(customer=customer_b, requester=contact_b, priority=1)
    with time_machine.travel(tuesday + datetime.timedelta(minutes=50), tick=False):
        late = make_ticket(customer=customer_b, requester=contact_b)

    def ids(**query):
        page = call(document, api, "get", TICKETS, query).json()
        return [item["id"] for item in page["items"]]

    with time_machine.travel(tuesday + datetime.timedelta(minutes=55), tick=False):
        assert ids() == [mine.pk, other.pk, late.pk]
        assert ids(assignee="me") == [mine.pk]
        assert ids(assignee="none") == [other.pk, late.pk]
        assert ids(assignee=alice.pk) == [mine.pk]
        assert ids(customer=customer_b.pk) == [other.pk, late.pk]
        assert ids(priority=1) == [other.pk]
        assert ids(status="new", customer=customer_a.pk) == [mine.pk]
        # 55 minutes into a 60-minute first response: past 75 %, not breached.
        assert ids(queue="at_risk") == [mine.pk]
        assert ids(updated_since=late.updated_at.isoformat()) == [late.pk]
    with time_machine.travel(tuesday + datetime.timedelta(minutes=61), tick=False):
        assert ids(queue="breached") == [mine.pk]
    call(document, api, "get", TICKETS, {"assignee": "x"}, 400)
    call(document, api, "get", TICKETS, {"queue": "late"}, 422)
    call(document, api, "get", TICKETS, {"cursor": "nonsense"}, 400)


def test_list_pages_with_a_cursor_in_few_queries(
    document, api, customer_a, contact_a, django_assert_max_num_queries
):
    for _ in range(7):
        make_ticket(customer=customer_a, requester=make_contact(customer_a))
    seen = []
    cursor = None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(5):
            page = call(document, api, "get", TICKETS, query).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(Ticket.objects.values_list("pk", flat=True))
    assert len(seen) == 7
