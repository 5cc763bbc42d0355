"""Queues and filters read active tickets through their own partial indexes; history
searches (solved, closed, any status) are paged by keyset (issue 18, bench/README.md)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.desk import agent, views
from workmate.desk.models import Status, Ticket
from workmate.desk.tests.helpers import login
from workmate.testing.factories import make_ticket
from workmate.testing.openapi import token_client

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [ticket.pk for ticket in response.context["listing"].page.object_list]


@pytest.fixture
def history(policy, customer_a, contact_a):
    """Two active tickets among five closed and solved ones."""
    active = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(2)]
    done = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(5)]
    Ticket.objects.filter(pk__in=[t.pk for t in done[:3]]).update(status=Status.CLOSED)
    Ticket.objects.filter(pk__in=[t.pk for t in done[3:]]).update(status=Status.SOLVED)
    return active, done


def test_all_tickets_lists_active_ones_unless_asked_for_history(client, bob, history):
    active, done = history
    login(client, bob)
    url = reverse("desk:all")

    assert set(shown(client.get(url))) == {t.pk for t in active}
    assert set(shown(client.get(url, {"status": "closed"}))) == {t.pk for t in done[:3]}
    assert set(shown(client.get(url, {"status": "any"}))) == {t.pk for t in active + done}
    open_of_customer = {"status": "open", "customer": active[0].customer_id}
    assert set(shown(client.get(url, open_of_customer))) == set()


def test_history_is_paged_by_keyset_in_due_order(client, bob, history, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    _active, done = history
    # One ticket without a due moment comes last (NULLS LAST), as in the numbered queues.
    Ticket.objects.filter(pk=done[0].pk).update(resolution_due=None)
    Ticket.objects.filter(pk=done[1].pk).update(resolution_due=done[2].resolution_due)
    expected = list(
        Ticket.objects.order_by(
            agent.queue_tickets(bob, "all").query.order_by[0], "pk"
        ).values_list("pk", flat=True)
    )
    login(client, bob)
    url = reverse("desk:all")
    seen: list[int] = []
    after = None
    for _ in range(10):
        params = {"status": "any", **({"after": after} if after else {})}
        response = client.get(url, params)
        page = response.context["listing"].page
        seen += shown(response)
        html = response.content.decode()
        assert ("First page" in html) == (after is not None)
        if not page.has_next:
            break
        assert f"status=any&amp;after={page.next_after}" in html
        after = page.next_after
    assert seen == expected
    assert seen[-1] == done[0].pk
    # A cursor that is no ticket of the list starts over.
    assert shown(client.get(url, {"status": "any", "after": "999999"})) == expected[:2]
    assert shown(client.get(url, {"status": "any", "after": "x"})) == expected[:2]


def test_history_pages_take_a_fixed_number_of_queries(
    client, bob, history, django_assert_num_queries
):
    login(client, bob)
    url = reverse("desk:all")
    client.get(url)  # Warm the session.
    with django_assert_num_queries(11):
        first = client.get(url, {"status": "any"}).context["listing"].page
    # The page after the first active ticket holds the other one: the cursor's due moment is
    # one more query.
    after = first.object_list[0].pk
    assert first.object_list[0].status not in {Status.SOLVED, Status.CLOSED}
    with django_assert_num_queries(12):
        client.get(url, {"status": "any", "after": after})
    # Numbered pages: no second read for tickets without a due moment.
    with django_assert_num_queries(9):
        client.get(url, {"status": "open"})


# sqlite_stat1 of the benchmark database at 200,000 tickets with 30 % active (60,000), so
# the planner weighs the indexes as it does there rather than on a few test rows.
BENCH_STATISTICS = {
    "desk_ticket_assignee_id_2ceb07a1": "200000 4879",
    "desk_ticket_customer_id_e1c6dc73": "200000 3279",
    "desk_ticket_merged_into_id_23004089": "200000 200000",
    "desk_ticket_requester_id_4610e20e": "200000 100",
    "desk_ticket_sla_policy_id_6d57a0eb": "200000 15385",
    "desk_ticket_team_id_e3f4b4e5": "200000 200000",
    "ticket_active_assignee_idx": "60000 1500 2 1",
    "ticket_active_unassigned_idx": "9896 2 1",
    "ticket_unassigned_team_idx": "7196 7196 21 1",
    "ticket_active_due_idx": "60000 2 1 1 1 1 1 1 1",
    "ticket_active_escalated_idx": "60000 6000 2 1",
    "ticket_active_status_idx": "60000 15000 2 1",
    "ticket_active_customer_idx": "60000 1000 2 1",
    "ticket_active_priority_idx": "60000 15000 2 1",
    "ticket_active_team_idx": "60000 60000 2 1",
    "ticket_active_dashboard_idx": "60000 15000 3750 3750 40 2 2 2 2 2",
    "ticket_active_created_idx": "60000 1 1",
    "ticket_created_idx": "200000 1",
    "ticket_solved_idx": "200000 2",
    "ticket_first_response_idx": "200000 2",
    "ticket_customer_idx": "200000 3279 1",
    "ticket_due_idx": "200000 2 1",
    "ticket_queue_idx": "200000 4879 837 3",
    "ticket_risk_idx": "200000 33334 4",
    "ticket_team_idx": "200000 200000 4879 837",
    "ticket_updated_idx": "200000 1 1",
}

FILTERS = [
    ("all", {}, "ticket_active_due_idx"),
    ("all", {"status": "open"}, "ticket_active_status_idx"),
    ("all", {"status": "pending"}, "ticket_active_status_idx"),
    ("all", {"customer": True}, "ticket_active_customer_idx"),
    ("all", {"priority": 1}, "ticket_active_priority_idx"),
    ("all", {"assignee": "me"}, "ticket_active_assignee_idx"),
    ("all", {"assignee": "none"}, "ticket_active_assignee_idx"),
    ("all", {"status": "closed"}, "ticket_due_idx"),
    ("mine", {}, "ticket_active_assignee_idx"),
    # (assignee, status, due): a range of active tickets only, in the queue's order.
    ("mine", {"status": "open"}, "ticket_queue_idx"),
    ("unassigned", {}, "ticket_active_assignee_idx"),  # PostgreSQL: ticket_active_unassigned_idx
    ("pending", {}, "ticket_active_status_idx"),
    ("at_risk", {}, "ticket_active_due_idx"),
    ("breached", {}, "ticket_active_due_idx"),
]


def _narrowed(user, queue, filters, customer):
    if filters.get("customer"):
        filters = {**filters, "customer": customer}
    return agent.narrow_tickets(agent.queue_tickets(user, queue), user, **filters)[:31]


def _plan_as_at_full_size() -> None:
    """SQLite: the benchmark's planner statistics; PostgreSQL: sequential scans, bitmap
    scans and sorts priced out (on a few test rows it would otherwise read them whole)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("DELETE FROM sqlite_stat1")
            for name, statistics in BENCH_STATISTICS.items():
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('desk_ticket', %s, %s)",
                    [name, statistics],
                )
            cursor.execute("ANALYZE sqlite_schema")
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")


@pytest.mark.parametrize(("queue", "filters", "index"), FILTERS)
def test_each_queue_and_filter_walks_its_index_in_order(
    bob, team, customer_a, queue, filters, index
):
    """The page comes from the named index in the queues' order (no sort), on SQLite with
    the benchmark's statistics and on PostgreSQL with sequential scans and sorts priced out
    (a few test rows would otherwise be read whole)."""
    tickets = _narrowed(bob, queue, filters, customer_a)
    _plan_as_at_full_size()
    plan = tickets.explain()
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan
    else:
        assert "Sort" not in plan.replace("Sort Key", "")
        assert "Seq Scan" not in plan
        # Which of the active indexes PostgreSQL prices cheapest on an empty table varies;
        # that it reads one of them (or an equality range of active statuses) is the point.
        if index != "ticket_due_idx":
            assert "ticket_active_" in plan or "ticket_queue_idx" in plan, plan
            return
    assert index in plan, plan


def test_at_risk_starts_its_walk_past_the_breached_tickets(bob):
    """At risk is a range of the due index that starts at now: the walk no longer reads
    (and rejects) every breached ticket first (4 ms of SQLite at 200,000 tickets)."""
    tickets = agent.queue_tickets(bob, "at_risk")[:31]
    _plan_as_at_full_size()
    plan = tickets.explain()
    if connection.vendor == "sqlite":
        assert "ticket_active_due_idx (resolution_due>?)" in plan, plan
    else:
        assert "Index Cond: (resolution_due >" in plan, plan


def test_queues_leave_out_closed_tickets_whatever_the_filter(bob, history, customer_a):
    _active, done = history
    for queue, filters, _index in FILTERS:
        if agent.reads_history(filters.get("status", "")):
            continue
        found = set(_narrowed(bob, queue, filters, customer_a).values_list("pk", flat=True))
        assert not found & {t.pk for t in done}, (queue, filters)


def test_keyset_cursor_is_the_due_moment_then_the_number(bob, history):
    _active, done = history
    same = done[1].resolution_due + datetime.timedelta(0)
    Ticket.objects.filter(pk__in=[done[1].pk, done[2].pk]).update(resolution_due=same)
    tickets = agent.narrow_tickets(agent.queue_tickets(bob, "all"), bob, status="any")
    first = views._keyset_page(tickets, str(done[1].pk))
    assert done[2].pk in [t.pk for t in first.object_list]
    assert done[1].pk not in [t.pk for t in first.object_list]


def test_the_api_list_walks_the_last_change_index_without_sorting(bob, history):
    """`/api/v1/desk/tickets` pages by (updated_at, id): a walk of `ticket_updated_idx`.

    On PostgreSQL its page asked `ORDER BY updated_at ASC NULLS FIRST, id ASC NULLS FIRST`,
    which no (ASC NULLS LAST) index gives, so it sorted every ticket (898 ms at 200,000);
    the keys are never null, and the pager now asks NULLS FIRST only of a nullable key.
    """
    client = token_client(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/desk/tickets")
    assert response.status_code == 200 and len(response.json()["items"]) == 7
    page = [q["sql"] for q in queries.captured_queries if 'FROM "desk_ticket"' in q["sql"]]
    assert len(page) == 1 and "NULLS FIRST" not in page[0]
    _plan_as_at_full_size()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + page[0])
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "ticket_updated_idx" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan.replace("Sort Key", ""), plan


def test_the_ticket_page_reads_merged_tickets_through_their_index(client, bob, history):
    """The page's merged tickets are a lookup of `merged_into`, not a walk of every ticket
    in the default order (SQLite did that with full-size statistics: 335 ms at 200,000)."""
    ticket = history[0][0]
    login(client, bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    merged = [q["sql"] for q in queries.captured_queries if '"merged_into_id" IN' in q["sql"]]
    assert len(merged) == 1
    if connection.vendor != "sqlite":
        return
    _plan_as_at_full_size()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + merged[0])
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "merged_into" in plan and "SCAN" not in plan, plan


def test_the_ticket_page_reads_its_ticket_once(client, bob, history):
    """One read of the ticket with what the page shows, not a first read to check that it
    exists and then the full one (on PostgreSQL each wide join costs ms to plan)."""
    ticket = history[0][0]
    login(client, bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "desk_ticket"."id"')
        and f'WHERE "desk_ticket"."id" = {ticket.pk}' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert client.get(reverse("desk:ticket", args=[ticket.pk + 10**6])).status_code == 404
