"""The ticket page and the queues read what they show in a fixed number of queries, through
indexes, at the benchmark's size (bench/README.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workmate.desk.tests.helpers import login
from workmate.desk.tests.test_queue_active import BENCH_STATISTICS
from workmate.testing.factories import make_team, make_ticket

pytestmark = pytest.mark.django_db


def _bench_statistics(cursor, extra: dict[str, str]) -> None:
    """SQLite: the benchmark's planner statistics, with `extra` for the indexes a test
    reads, in place of what ANALYZE finds on a few test rows."""
    cursor.execute("ANALYZE")
    cursor.execute("DELETE FROM sqlite_stat1")
    for name, stat in {**BENCH_STATISTICS, **extra}.items():
        cursor.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('desk_ticket', %s, %s)",
            [name, stat],
        )
    cursor.execute("ANALYZE sqlite_schema")


def test_merged_tickets_are_read_through_their_partial_index(customer_a, contact_a):
    """With 200,000 tickets none merged, SQLite's statistics say the FK's index holds one
    value for every row, so without the partial index it walked the created index through
    every ticket (a 335 ms query on each ticket page)."""
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    merged = ticket.merged_tickets.all()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            _bench_statistics(cursor, {"ticket_merged_idx": "20 2 1"})
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = merged.explain()
    assert "ticket_merged_idx" in plan, plan
    assert list(merged) == []


def test_a_queue_page_does_not_read_each_team_of_its_filter_again(client, bob, customer_a):
    """The filter's team choices show code and name; reading only the name made each
    team's code one more query (23 queries instead of 13 with the benchmark's 11 teams)."""
    login(client, bob)
    url = reverse("desk:mine")
    client.get(url)  # Warm the session.

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        make_team()
    assert count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner rule")
def test_unassigned_is_walked_in_order_on_postgresql(bob, customer_a):
    """PostgreSQL derives no order from `assignee_id IS NULL`, so over the assignee index it
    read all unassigned active tickets and sorted them (60 ms at 200,000 tickets); the
    queue has its own partial index in its order (EXPLAIN ANALYZE at full size: 0.6 ms)."""
    from workmate.desk import agent

    tickets = agent.narrow_tickets(agent.queue_tickets(bob, "unassigned"), bob)[:31]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = tickets.explain()
    assert "ticket_active_unassigned_idx" in plan, plan


def test_the_trend_counts_its_live_day_from_the_indexes_alone(customer_a, contact_a):
    """Today's opened and solved tickets are two index ranges read alone: one conditional
    count over both (SQLite's OR over two indexes) read each ticket from the table."""
    from django.utils import timezone

    from workmate.desk import sla, stats

    make_ticket(customer=customer_a, requester=contact_a)
    hours = sla.support_calendar()
    today = timezone.localtime(timezone.now(), hours.zone).date()
    with CaptureQueriesContext(connection) as queries:
        assert stats._count_live([today], hours.zone) == {today: (1, 0)}
    (query,) = queries.captured_queries
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            unmerged = {
                "ticket_created_unmerged_idx": "200000 1 1",
                "ticket_solved_unmerged_idx": "200000 2 2",
            }
            _bench_statistics(cursor, unmerged)
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " ".join(row[-1] for row in cursor.fetchall())
        assert "COVERING INDEX ticket_created_unmerged_idx (created_at>? AND" in plan, plan
        assert "COVERING INDEX ticket_solved_unmerged_idx (solved_at>? AND" in plan, plan


def test_todays_attainment_reads_only_its_covering_indexes(customer_a, contact_a):
    """Today's first responses and solved in time: ranges of indexes holding the due they
    are compared with (27 ms of SQL at 200,000 tickets when each was read from the table)."""
    from workmate.desk import dashboard

    make_ticket(customer=customer_a, requester=contact_a)
    start, end = dashboard._today(timezone.now())
    query = dashboard.attainment_counts(start, end)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            met = {
                "ticket_first_response_met_idx": "197300 2 2",
                "ticket_solved_met_idx": "197300 2 2",
            }
            _bench_statistics(cursor, met)
        plan = query.explain()
        assert "COVERING INDEX ticket_first_response_met_idx (first_responded_at>?" in plan
        assert "COVERING INDEX ticket_solved_met_idx (solved_at>?" in plan, plan
    assert sorted(query) == [("first_responded_at", 0, 0), ("solved_at", 0, 0)]
