"""Queue paging with a capped count, the clocks of a page, and the queues' partial indexes
(bench/README.md, "Desk queues")."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from workmate.desk import agent, services, sla, views
from workmate.desk.models import ContractTier, Status, Ticket
from workmate.desk.tests.helpers import kst
from workmate.testing.factories import DEFAULT_PASSWORD, make_sla_policy, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "QUEUE_COUNT_LIMIT", 5)


def shown(response) -> list[int]:
    return [ticket.pk for ticket in response.context["listing"].page.object_list]


def test_a_queue_under_the_limit_is_counted_and_paged(
    client, bob, customer_a, contact_a, small_pages
):
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(5)]
    client.login(email=bob.email, password=DEFAULT_PASSWORD)
    url = reverse("desk:all")

    first = client.get(url)
    assert "Page 1 of 3 · 5 tickets" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    last = client.get(url, {"page": "3"})
    assert len(shown(last)) == 1
    assert 'href="?page=2"' in last.content.decode()
    assert 'href="?page=4"' not in last.content.decode()
    # Past the end: the last page; nonsense: the first.
    assert shown(client.get(url, {"page": "9"})) == shown(last)
    assert shown(client.get(url, {"page": "x"})) == shown(first)
    assert shown(client.get(url, {"page": "²"})) == shown(first)
    seen = {pk for page in ("1", "2", "3") for pk in shown(client.get(url, {"page": page}))}
    assert seen == {ticket.pk for ticket in tickets}


def test_a_queue_over_the_limit_says_more_than(client, bob, customer_a, contact_a, small_pages):
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(7)]
    client.login(email=bob.email, password=DEFAULT_PASSWORD)
    url = reverse("desk:all")

    html = client.get(url, {"page": "3"}).content.decode()
    assert "Page 3 · more than 5 tickets" in html
    assert 'href="?page=4"' in html
    last = client.get(url, {"page": "4"})
    assert len(shown(last)) == 1
    assert 'href="?page=5"' not in last.content.decode()
    seen = {pk for page in "1234" for pk in shown(client.get(url, {"page": page}))}
    assert seen == {ticket.pk for ticket in tickets}


def test_page_clocks_agree_with_the_calendar_walk(alice, team, customer_a, contact_a):
    """attach_clocks walks the calendar once per page; sla.time_left walks it per ticket."""
    make_sla_policy(
        tier=ContractTier.BUSINESS, priority=3, first_response_minutes=60, resolution_minutes=480
    )
    make_sla_policy(
        tier=ContractTier.BUSINESS,
        priority=1,
        first_response_minutes=15,
        resolution_minutes=240,
        around_the_clock=True,
    )
    with time_machine.travel(kst(2026, 10, 5, 10, 0), tick=False):
        old = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 11, 20, 17, 30), tick=False):
        urgent = make_ticket(customer=customer_a, requester=contact_a, priority=1)
        paused = make_ticket(customer=customer_a, requester=contact_a)
        services.do_reply(alice, paused, "Logs?", status=Status.PENDING)
    with time_machine.travel(kst(2026, 11, 24, 11, 0), tick=False):
        fresh = make_ticket(customer=customer_a, requester=contact_a)
        now = kst(2026, 11, 24, 15, 45)
        rows = list(
            Ticket.objects.filter(pk__in=[old.pk, urgent.pk, paused.pk, fresh.pk])
            .select_related("sla_policy")
            .order_by("pk")
        )
        agent.attach_clocks(rows, now)
        for row in rows:
            assert row.clock.left == sla.time_left(row, now), row.subject
    assert rows[0].clock.left < -datetime.timedelta(days=10)  # weeks of working days late
    # Unanswered since 11:00, its first response (due 12:00) is 3 h 45 m late: the clock
    # counts to that target, not to resolution (due in 3 h 15 m).
    assert rows[3].clock.target == "first_response"
    assert rows[3].clock.left == -datetime.timedelta(hours=3, minutes=45)


# sqlite_stat1 of the benchmark database (200,000 tickets, 3,500 active), so the planner
# weighs the indexes as it does there rather than on a few test rows.
BENCH_STATISTICS = {
    "desk_ticket_assignee_id_2ceb07a1": "200000 4879",
    "desk_ticket_customer_id_e1c6dc73": "200000 3279",
    "desk_ticket_merged_into_id_23004089": "200000 200000",
    "desk_ticket_requester_id_4610e20e": "200000 100",
    "desk_ticket_sla_policy_id_6d57a0eb": "200000 15385",
    "desk_ticket_team_id_e3f4b4e5": "200000 200000",
    "ticket_active_assignee_idx": "3500 86 3 1",
    "ticket_active_due_idx": "3500 3 1 1 1 1 1 1 1",
    "ticket_active_escalated_idx": "3500 350 3 1",
    "ticket_active_status_idx": "3500 875 2 1",
    "ticket_active_customer_idx": "3500 60 2 1",
    "ticket_active_priority_idx": "3500 875 2 1",
    "ticket_active_team_idx": "3500 3500 2 1",
    "ticket_active_dashboard_idx": "3500 15000 3750 3750 40 2 2 2 2 2",
    "ticket_active_created_idx": "3500 1 1",
    "ticket_created_idx": "200000 1",
    "ticket_solved_idx": "200000 2",
    "ticket_first_response_idx": "200000 2",
    "ticket_customer_idx": "200000 3279 1",
    "ticket_due_idx": "200000 4 1",
    "ticket_queue_idx": "200000 4879 837 3",
    "ticket_risk_idx": "200000 33334 4",
    "ticket_team_idx": "200000 200000 4879 837",
    "ticket_updated_idx": "200000 1 1",
}


@pytest.mark.parametrize(
    ("queue", "index"),
    [
        ("mine", "ticket_active_assignee_idx"),
        ("escalated", "ticket_active_escalated_idx"),
        ("unassigned", "ticket_active_assignee_idx"),
        ("at_risk", "ticket_active_due_idx"),
        ("breached", "ticket_active_due_idx"),
        ("pending", "ticket_active_status_idx"),
        ("triage", "ticket_active_customer_idx"),
        ("all", "ticket_due_idx"),
    ],
)
def test_sqlite_answers_each_queue_from_its_index(bob, team, queue, index):
    """SQLite uses a partial index only when the query repeats its condition in a form it can
    match to the index's (`status = ?`, not `status IN (?, ?)`)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query planner only")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1; a few test rows say little
        cursor.execute("DELETE FROM sqlite_stat1")
        for name, statistics in BENCH_STATISTICS.items():
            cursor.execute(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('desk_ticket', %s, %s)",
                [name, statistics],
            )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics
    plan = agent.queue_tickets(bob, queue)[:31].explain()
    assert index in plan
    assert "TEMP B-TREE" not in plan  # the index gives the queue's order
