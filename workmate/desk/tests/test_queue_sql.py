"""The queue pages' prepared reads (`queue_sql`): the ORM's rows and count, the same index
in order, compiled once per shape, and never stale (issue 18, bench/README.md)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workmate.desk import agent, queue_sql, services
from workmate.desk.models import Status, Ticket
from workmate.desk.tests.helpers import login
from workmate.desk.tests.test_queue_active import FILTERS, _narrowed, _plan_as_at_full_size
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)  # Tuesday 11:00 in Seoul


def _shape(queue: str, filters: dict, start: int = 0) -> queue_sql.Shape:
    assignee = filters.get("assignee", "")
    return queue_sql.Shape(
        queue=queue,
        status=filters.get("status", ""),
        priority=filters.get("priority"),
        category="",
        assignee=assignee if assignee in ("", "me", "none") else "id",
        customer=bool(filters.get("customer")),
        team=False,
        start=start,
    )


def _bound(user, queue, filters, customer, now=NOW) -> queue_sql.Bound:
    return queue_sql.QUERIES.bind(
        _shape(queue, filters),
        user=user.pk,
        now=now,
        customer=customer.pk if filters.get("customer") else None,
    )


@pytest.fixture
def desk(policy, alice, bob, customer_a, contact_a):
    """Tickets for each queue: bob's, alice's, unassigned, pending, P1, breached, at risk."""
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(8)]
    for ticket in tickets[:3]:
        Ticket.objects.filter(pk=ticket.pk).update(assignee=bob)
    Ticket.objects.filter(pk=tickets[3].pk).update(assignee=alice, status=Status.PENDING)
    Ticket.objects.filter(pk=tickets[4].pk).update(priority=1, status=Status.OPEN)
    Ticket.objects.filter(pk=tickets[5].pk).update(
        resolution_due=NOW + datetime.timedelta(hours=1),
        resolution_risk_at=NOW - datetime.timedelta(minutes=5),
        first_responded_at=NOW - datetime.timedelta(hours=2),
    )
    return tickets


def test_prepared_reads_are_the_orms_rows_through_the_same_index(bob, team, customer_a, desk):
    """Each queue and filter of test_queue_active's list (the history aside: keyset pages
    through the ORM): the ORM's rows and count, from the same index, in order, no sort."""
    for queue, filters, index in FILTERS:
        if agent.reads_history(filters.get("status", "")):
            continue
        with time_machine.travel(NOW, tick=False):
            expected = list(_narrowed(bob, queue, dict(filters), customer_a).values_list("pk"))
            bound = _bound(bob, queue, filters, customer_a)
            assert [(row.pk,) for row in bound.rows(0)] == expected, (queue, filters)
            assert bound.count() == len(expected), (queue, filters)
        compiled = queue_sql.QUERIES.compiled(bound.shape)
        # The model's constants are written into the SQL (the partial indexes' condition).
        assert "'solved'" in compiled.count_sql and "'solved'" in compiled.rows_sql
        # PostgreSQL counts any 1,001 rows (with the queue's order it read and sorted every
        # unassigned ticket); SQLite walks the queue's index in its order (the plan below).
        assert ("ORDER BY" in compiled.count_sql) == (connection.vendor == "sqlite")
        _plan_as_at_full_size()
        for sql, params in (
            (compiled.rows_sql, bound.params(compiled.rows_params, compiled.rows_slots)),
            (compiled.count_sql, bound.params(compiled.count_params, compiled.count_slots)),
        ):
            _assert_plan(sql, params, index)


def _assert_plan(sql: str, params: list, index: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "TEMP B-TREE" not in plan, plan
            assert index in plan, plan
        else:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Sort" not in plan.replace("Sort Key", ""), plan
            assert "Seq Scan on desk_ticket" not in plan, plan


def test_one_compiled_sql_for_two_agents_each_reading_their_own(alice, bob, customer_a, desk):
    mine = _bound(bob, "mine", {}, customer_a)
    theirs = _bound(alice, "mine", {}, customer_a)
    assert {row.pk for row in mine.rows(0)} == {t.pk for t in desk[:3]}
    assert [row.pk for row in theirs.rows(0)] == [desk[3].pk]
    assert queue_sql.QUERIES.compiled(mine.shape) is queue_sql.QUERIES.compiled(theirs.shape)


def test_a_reassignment_and_a_status_change_show_on_the_next_page(client, alice, bob, desk):
    login(client, bob)

    def shown(name: str, **params: str) -> set[int]:
        response = client.get(reverse(f"desk:{name}"), params)
        return {row.pk for row in response.context["listing"].page.object_list}

    assert shown("mine") == {t.pk for t in desk[:3]}
    services.do_assign(alice, Ticket.objects.get(pk=desk[0].pk), alice)
    assert shown("mine") == {t.pk for t in desk[1:3]}
    assert desk[1].pk not in shown("pending")
    services.do_change_status(bob, Ticket.objects.get(pk=desk[1].pk), Status.PENDING)
    assert desk[1].pk in shown("pending")
    assert desk[1].pk not in shown("all", status="open")
    assert shown("all", assignee=str(alice.pk)) == {desk[0].pk, desk[3].pk}


def test_the_next_minutes_clock_is_read_fresh(client, bob, desk):
    """At risk and breached compare with the moment of each request, a parameter."""
    login(client, bob)
    risky = desk[6]
    Ticket.objects.filter(pk=risky.pk).update(
        resolution_due=NOW + datetime.timedelta(seconds=90),
        resolution_risk_at=NOW + datetime.timedelta(seconds=30),
        first_responded_at=NOW - datetime.timedelta(hours=2),
    )

    def shown(name: str) -> set[int]:
        response = client.get(reverse(f"desk:{name}"))
        return {row.pk for row in response.context["listing"].page.object_list}

    with time_machine.travel(NOW, tick=False):
        assert risky.pk not in shown("at_risk") | shown("breached")
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert risky.pk in shown("at_risk")
        assert risky.pk not in shown("breached")
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        assert risky.pk not in shown("at_risk")
        assert risky.pk in shown("breached")


def test_a_literal_is_quoted_and_a_percent_sign_kept():
    assert queue_sql._literal("o'k%") == "'o''k%%'"
    assert queue_sql._literal(3) == "3"
    assert queue_sql._literal(True) is None
    assert queue_sql._literal(timezone.now()) is None
    assert queue_sql._literal(Status.SOLVED) == "'solved'"


def test_a_page_number_past_any_end_is_an_empty_page_not_an_error(client, bob, desk, monkeypatch):
    """Past the counted tickets the page number is not clamped to the last page; a huge
    one made an OFFSET SQLite refused (a 500)."""
    from workmate.desk import views

    monkeypatch.setattr(views, "QUEUE_COUNT_LIMIT", 3)  # 8 tickets: "more than 3"
    login(client, bob)
    response = client.get(reverse("desk:all"), {"page": "9" * 30})
    assert response.status_code == 200
    assert response.context["listing"].page.object_list == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_plans_a_queue_once_per_session_and_again_after_a_reconnect(
    alice, bob, customer_a, desk
):
    """Each queue statement is prepared on the session on first use (planning it cost
    3–10 ms a request), run with each request's values, and prepared again on a new
    session; with connections closed after each request (PgBouncer) nothing is prepared."""

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            return {name for (name,) in cursor.fetchall() if name.startswith("workmate_queue_")}

    def mine(user) -> set[int]:
        with time_machine.travel(NOW, tick=False):
            return {row.pk for row in _bound(user, "mine", {}, customer_a).rows(0)}

    connection.close()
    assert prepared() == set()
    assert mine(bob) == {t.pk for t in desk[:3]}
    assert mine(alice) == {desk[3].pk}
    assert len(prepared()) == 1  # one statement, two agents' values
    assert _bound(bob, "mine", {}, customer_a).count() == 3
    assert len(prepared()) == 2
    connection.close()  # a new session starts with none, and prepares again
    assert prepared() == set()
    assert mine(bob) == {t.pk for t in desk[:3]}
    assert len(prepared()) == 1
    connection.close()
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        assert mine(bob) == {t.pk for t in desk[:3]}
        assert prepared() == set()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
