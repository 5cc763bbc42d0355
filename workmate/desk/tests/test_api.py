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
        "/api/v1/desk/tickets/{ticket_id}/escalation",
        "/api/v1/desk/suspended-mail",
        "/api/v1/desk/suspended-mail/{mail_id}",
        "/api/v1/desk/suspended-mail/{mail_id}/ticket",
        "/api/v1/desk/suspended-mail/{mail_id}/release",
        "/api/v1/desk/suspended-mail/{mail_id}/dismiss",
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
        # The badge's target, its due moment and the business time left to it.
        sla = call(document, api, "get", f"{TICKETS}/{mine.pk}").json()["sla"]
        assert sla == {
            "target": "first_response",
            "due": "2026-03-10T01:00:00Z",
            "state": "at_risk",
            "minutes_left": 5,
        }
        assert ids(updated_since=late.updated_at.isoformat()) == [late.pk]
    with time_machine.travel(tuesday + datetime.timedelta(minutes=61), tick=False):
        assert ids(queue="breached") == [mine.pk]
        listed = call(document, api, "get", TICKETS, {"assignee": "me"}).json()["items"]
        assert listed[0]["sla"]["state"] == "breached"
        assert listed[0]["sla"]["minutes_left"] == -1
    call(document, api, "get", TICKETS, {"assignee": "x"}, 400)
    call(document, api, "get", TICKETS, {"queue": "late"}, 422)
    call(document, api, "get", TICKETS, {"cursor": "nonsense"}, 400)


def test_list_reads_the_related_objects_by_key_without_joins(
    document, api, alice, bob, team, customer_a, contact_a
):
    """The page's ticket query joins nothing: PostgreSQL planned the seven joins of the
    list in ~100 ms at 200,000 tickets (bench/README.md). What the joins gave comes by key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_sla_policy(tier=ContractTier.BUSINESS, priority=3)
    escalated = make_ticket(customer=customer_a, requester=contact_a)
    Ticket.objects.filter(pk=escalated.pk).update(
        assignee=alice,
        team=team,
        escalated_to=bob,
        escalated_by=alice,
        escalated_at=escalated.created_at,
        escalation_level="LE",
        escalation_note="Needs an architect.",
    )
    triage = make_ticket(customer=None, requester=None, from_email="who@example.com")
    with CaptureQueriesContext(connection) as captured:
        items = call(document, api, "get", TICKETS).json()["items"]
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "desk_ticket"' in q["sql"]]
    assert reads and not [sql for sql in reads if "JOIN" in sql]
    by_id = {item["id"]: item for item in items}
    first = by_id[escalated.pk]
    assert first["customer"]["name"] == customer_a.name
    assert first["requester"]["email"] == contact_a.email
    assert first["team_code"] == team.code
    assert first["assignee"]["id"] == alice.pk
    assert first["escalation"]["to"]["id"] == bob.pk
    assert first["escalation"]["by"]["id"] == alice.pk
    assert first["sla"]["target"] == "first_response"
    second = by_id[triage.pk]
    assert second["customer"] is None and second["requester"] is None
    assert second["assignee"] is None and second["escalation"] is None


def test_list_pages_with_a_cursor_in_few_queries(
    document, api, customer_a, contact_a, django_assert_max_num_queries
):
    for _ in range(7):
        make_ticket(customer=customer_a, requester=make_contact(customer_a))
    seen = []
    cursor = None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        # Token and person, the page, then its related objects by key (users, customers,
        # contacts, teams, SLA policies: agent.attach_related).
        with django_assert_max_num_queries(8):
            page = call(document, api, "get", TICKETS, query).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(Ticket.objects.values_list("pk", flat=True))
    assert len(seen) == 7


# --- Escalation and the "Escalated to me" queue ------------------------------------------


@pytest.fixture
def architect(customer_a):
    from workmate.testing.factories import add_member, make_team, make_user

    person = make_user(full_name="Dana Kim", language="ko")
    add_member(make_team(code="LE", name="LE"), person)
    customer_a.le_architect = person
    customer_a.save(update_fields=["le_architect"])
    return person


def test_escalate_through_the_api_and_find_it_in_the_les_queue(
    document, api, alice, architect, customer_a, contact_a
):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    path = f"{TICKETS}/{ticket.pk}/escalation"

    body = call(
        document, api, "post", path, {"to": "le", "note": "Disk layout?"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.escalated_to, ticket.escalated_by) == (alice, architect, alice)
    assert body["escalation"]["level"] == "LE"
    assert body["escalation"]["to"]["id"] == architect.pk
    assert body["escalation"]["by"]["id"] == alice.pk
    assert body["escalation"]["note"] == "Disk layout?"
    assert body["assignee"]["id"] == alice.pk
    # The LE finds it in their queue, and reads the desk's hand-off line in Korean.
    le = token_client(architect)
    page = call(document, le, "get", TICKETS, {"queue": "escalated"}).json()
    assert [item["id"] for item in page["items"]] == [ticket.pk]
    assert call(document, api, "get", TICKETS, {"queue": "escalated"}).json()["items"] == []
    read = call(document, le, "get", f"{TICKETS}/{ticket.pk}", HTTP_ACCEPT_LANGUAGE="ko").json()
    note = next(entry for entry in read["entries"] if entry["kind"] == "note")
    assert note["body"].startswith("Dana Kim 님(LE, 아키텍처)에게 에스컬레이션했습니다.")
    assert "Disk layout?" in note["body"]


def test_escalation_refusals_write_nothing(
    document, api, charlie, customer_a, customer_b, contact_a, contact_b, architect
):
    ticket = make_ticket(customer=customer_b, requester=contact_b)  # no LE on its record
    path = f"{TICKETS}/{ticket.pk}/escalation"
    refused = call(document, api, "post", path, {"to": "le"}, 400).json()
    assert refused["detail"] == "Maru Market has no LE architect on its record."
    call(document, api, "post", path, {"to": "ceo"}, 422)
    call(document, api, "post", f"{TICKETS}/999/escalation", {"to": "le"}, 404)
    other = make_ticket(customer=customer_a, requester=contact_a)
    call(document, token_client(charlie), "post", f"{TICKETS}/{other.pk}/escalation",
         {"to": "le"}, 403)  # fmt: skip
    assert not Ticket.objects.filter(escalated_to__isnull=False).exists()
    assert not TicketEntry.objects.filter(kind=EntryKind.NOTE).exists()


# --- Suspended mail ----------------------------------------------------------------------


MAIL = "/api/v1/desk/suspended-mail"


def test_agents_list_and_decide_suspended_mail(document, api, alice, customer_a, contact_a):
    from workmate.desk.models import InboundMessage, InboundStatus
    from workmate.desk.tests.test_views_suspended import held_mail

    first = held_mail(subject="Backup failed")
    second = held_mail(subject="Disk warning")
    third = held_mail(subject="Newsletter")

    page = call(document, api, "get", MAIL).json()
    assert [item["id"] for item in page["items"]] == [third.pk, second.pk, first.pk]
    assert "mailing list" in page["items"][0]["reason"]
    detail = call(document, api, "get", f"{MAIL}/{first.pk}").json()
    assert detail["subject"] == "Backup failed" and detail["ticket_id"] is None

    made = call(document, api, "post", f"{MAIL}/{first.pk}/ticket").json()
    first.refresh_from_db()
    assert made["ticket_id"] == first.ticket_id is not None
    assert first.handled_by == alice
    assert Ticket.objects.get(pk=made["ticket_id"]).requester == contact_a
    # Decided once: a second decision is a conflict and changes nothing.
    again = call(document, api, "post", f"{MAIL}/{first.pk}/release", status=409).json()
    assert again["detail"]
    assert Ticket.objects.count() == 1

    released = call(document, api, "post", f"{MAIL}/{second.pk}/release").json()
    triage = Ticket.objects.get(pk=released["ticket_id"])
    assert triage.customer is None
    call(document, api, "post", f"{MAIL}/{third.pk}/dismiss")
    third.refresh_from_db()
    assert third.status == InboundStatus.DISMISSED and third.ticket is None
    assert call(document, api, "get", MAIL).json()["items"] == []
    assert InboundMessage.objects.count() == 3
    call(document, api, "get", f"{MAIL}/999", status=404)
    call(document, api, "post", f"{MAIL}/999/dismiss", status=404)


def test_suspended_mail_is_for_agents_only(document, charlie, customer_a):
    from workmate.desk.models import InboundStatus
    from workmate.desk.tests.test_views_suspended import held_mail

    held = held_mail(subject="Backup failed")
    outsider = token_client(charlie)
    for method, url in [
        ("get", MAIL),
        ("get", f"{MAIL}/{held.pk}"),
        ("post", f"{MAIL}/{held.pk}/ticket"),
        ("post", f"{MAIL}/{held.pk}/release"),
        ("post", f"{MAIL}/{held.pk}/dismiss"),
    ]:
        response = call(document, outsider, method, url, status=403)
        assert b"Backup" not in response.content
    held.refresh_from_db()
    assert held.status == InboundStatus.AUTO_REPLY and not Ticket.objects.exists()
    call(document, Client(), "get", MAIL, status=401)


def test_suspended_mail_pages_in_few_queries(
    document, api, customer_a, django_assert_max_num_queries
):
    from workmate.desk.tests.test_views_suspended import held_mail

    for number in range(5):
        held_mail(subject=f"Backup {number} failed")
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(5):
            page = call(document, api, "get", MAIL, query).json()
        seen += [item["id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_sla_clocks_of_a_page_cost_the_same_for_three_rows_or_twenty(
    document, api, customer_a, contact_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_sla_policy(tier=ContractTier.BUSINESS, priority=3)
    for _ in range(3):
        make_ticket(customer=customer_a, requester=contact_a)
    with CaptureQueriesContext(connection) as three:
        page = call(document, api, "get", TICKETS, {"limit": 50}).json()
    assert {item["sla"]["target"] for item in page["items"]} == {"first_response"}
    for _ in range(17):
        make_ticket(customer=customer_a, requester=contact_a)
    with django_assert_max_num_queries(len(three.captured_queries)):
        page = call(document, api, "get", TICKETS, {"limit": 50}).json()
    assert len(page["items"]) == 20
