"""The queue pages' prepared reads (`queue_sql`): the ORM's rows and count, the same index
in order, compiled once per shape, and never stale (issue 18, bench/README.md)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.models import F
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
        assignee=int(filters["assignee"]) if filters.get("assignee", "").isdigit() else None,
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
        if queue == "unassigned":
            continue  # A range per team on both (the plan tests at the end).
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


@pytest.fixture
def spread(policy, team, bob, customer_a, contact_a):
    """Unassigned tickets in three teams (TE, bob's; SE; OPS) and what the queue leaves out:
    a triage ticket (no customer), a taken one, a solved one, a merged one."""
    from workmate.testing.factories import make_team

    teams = {"TE": team, "SE": make_team(code="SE"), "OPS": make_team(code="OPS")}
    with time_machine.travel(NOW - datetime.timedelta(days=1), tick=False):
        tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(12)]
    for number, ticket in enumerate(tickets):
        # Due moments out of the pk order, and two tickets of one due moment.
        due = NOW + datetime.timedelta(hours=(number * 5) % 7)
        code = ("TE", "SE", "OPS")[number % 3]
        Ticket.objects.filter(pk=ticket.pk).update(team=teams[code], resolution_due=due)
    Ticket.objects.filter(pk=tickets[0].pk).update(customer=None)
    Ticket.objects.filter(pk=tickets[1].pk).update(assignee=bob)
    Ticket.objects.filter(pk=tickets[2].pk).update(status=Status.SOLVED)
    Ticket.objects.filter(pk=tickets[4].pk).update(resolution_due=None)
    Ticket.objects.filter(pk=tickets[5].pk).update(merged_into=tickets[6])
    return teams


@pytest.mark.parametrize(
    ("codes", "ranges"),
    [((), 6), (("TE",), 6), (("TE", "SE"), 6), (("TE", "SE"), 1), (("TE", "SE", "OPS"), 0)],
)
def test_unassigned_is_its_viewers_teams_tickets_nobody_took(
    client, bob, spread, codes, ranges, django_assert_num_queries, monkeypatch
):
    """The prepared rows and capped count of a viewer with no team, one and two teams equal
    a plain filter of the tickets (the ORM's queue aside). On SQLite, the teams past the
    ranges of their own (`ranges`: one, none) share one sorted range: the same rows."""
    from workmate.accounts.models import Membership
    from workmate.testing.factories import add_member, make_user

    monkeypatch.setattr(queue_sql, "SQLITE_TEAM_RANGES", ranges)
    monkeypatch.setattr(queue_sql, "QUERIES", queue_sql.QueueQueries())
    viewer = make_user(email="viewer@example.com")
    for code in codes:
        add_member(spread[code], viewer)
    expected = list(
        Ticket.objects.filter(
            team__in=[spread[code] for code in codes],
            assignee=None,
            customer__isnull=False,
            merged_into=None,
        )
        .exclude(status__in=[Status.SOLVED, Status.CLOSED])
        .order_by(F("resolution_due").asc(nulls_last=True), "pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) == {0: 0, 1: 3, 2: 6, 3: 8}[len(codes)]  # the fixture's shape
    assert Membership.objects.filter(user=viewer).count() == len(codes)
    with time_machine.travel(NOW, tick=False):
        bound = _bound(viewer, "unassigned", {}, None)
        assert [row.pk for row in bound.rows(0)] == expected
        assert [row.pk for row in bound.rows(2)] == expected[2:]  # a later page
        assert bound.count() == len(expected)
        login(client, viewer)
        if not codes:  # not an agent: no desk at all
            assert client.get(reverse("desk:unassigned")).status_code == 403
            return
        client.get(reverse("desk:unassigned"))  # Warm the session.
        # As many for one team as for two: the teams are a subquery of each statement.
        with django_assert_num_queries(11):
            response = client.get(reverse("desk:unassigned"))
    assert [row.pk for row in response.context["listing"].page.object_list] == expected
    # The filter bar narrows each team's range too: one team of the viewer's, a status.
    team = spread[codes[-1]]
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("desk:unassigned"), {"team": team.pk, "status": "new"})
    narrowed = Ticket.objects.filter(pk__in=expected, team=team, status=Status.NEW)
    assert narrowed.exists()
    shown = [row.pk for row in response.context["listing"].page.object_list]
    assert shown == [pk for pk in expected if pk in set(narrowed.values_list("pk", flat=True))]


def test_unassigned_by_team_keeps_each_filter_of_the_bar(bob, spread, customer_a):
    """Every shape of the filter bar reads the team index by range (SQLite is told the
    index: a shape it could not use it for would fail) and lists the ORM's rows."""
    Ticket.objects.filter(team=spread["TE"]).update(priority=1)
    for filters in (
        {"status": "new"},
        {"status": "open"},
        {"priority": 1},
        {"assignee": "me"},
        {"assignee": "none"},
        {"assignee": str(bob.pk)},
        {"customer": True},
        {"customer": True, "assignee": "none", "priority": 1},
    ):
        with time_machine.travel(NOW, tick=False):
            expected = list(
                _narrowed(bob, "unassigned", dict(filters), customer_a).values_list("pk")
            )
            bound = _bound(bob, "unassigned", filters, customer_a)
            assert [(row.pk,) for row in bound.rows(0)] == expected, filters
            assert [(row.pk,) for row in bound.rows(1)] == expected[1:], filters
            assert bound.count() == len(expected), filters
    assert len(expected) == 3  # bob's team TE: three unassigned of a customer


def _generic_plan(bound: queue_sql.Bound, sql: str, base: tuple, slots: dict) -> str:
    """EXPLAIN of `sql` prepared and planned generically, as the app sends it."""
    params = bound.params(base, slots)
    numbers = iter(range(1, len(params) + 1))
    text = queue_sql._MARKER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)
    with connection.cursor() as cursor:
        # A few test rows would otherwise be read whole.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE unassigned_plan AS {text}")
        try:
            markers = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN EXECUTE unassigned_plan({markers})", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE unassigned_plan")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_unassigned_reads_a_range_per_team_from_its_index_on_postgresql(bob, spread):
    """The capped count and the page's rows, prepared and planned generically as the app
    sends them, read a range of each of the viewer's teams from ticket_unassigned_team_idx.
    Over the due-order index they read every unassigned ticket and tested its team (the
    count 9,896 rows at 200,000 tickets: 10-14 ms; the rows of a viewer whose teams hold
    none: 6-7 ms; bench/README.md "Unassigned on PostgreSQL by team")."""
    from workmate.accounts.models import Membership

    assert Membership.objects.filter(user=bob).count() == 1  # TE: 3 of the 8 unassigned
    bound = _bound(bob, "unassigned", {}, None)
    compiled = queue_sql.QUERIES.compiled(bound.shape)
    count = _generic_plan(bound, compiled.count_sql, compiled.count_params, compiled.count_slots)
    assert "Index Only Scan using ticket_unassigned_team_idx" in count, count
    assert "ticket_active_unassigned_idx" not in count, count
    rows = _generic_plan(bound, compiled.rows_sql, compiled.rows_params, compiled.rows_slots)
    # Each team's range in the queue's order (an equality on the team, no sort of it).
    assert "using ticket_unassigned_team_idx" in rows, rows
    assert "Index Cond: (team_id = teams.team_id)" in rows, rows
    assert "Seq Scan on desk_ticket" not in rows, rows
    assert bound.count() == 3
    assert len(bound.rows(0)) == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite plan")
def test_unassigned_reads_a_range_per_team_from_its_index_on_sqlite(bob, spread):
    """With the benchmark's statistics, the capped count and the page's rows read a range
    of each of the viewer's teams from ticket_unassigned_team_idx, in the queue's order.
    Through ticket_active_assignee_idx they walked every unassigned ticket and tested its
    team (9,896 rows at 200,000 tickets: count and rows ~18 ms of CPU each for a viewer
    whose teams hold none; bench/README.md "Unassigned on SQLite by team")."""
    bound = _bound(bob, "unassigned", {}, None)
    compiled = queue_sql.QUERIES.compiled(bound.shape)
    _plan_as_at_full_size()

    def plan(sql: str, base: tuple, slots: dict) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", bound.params(base, slots))
            return "\n".join(str(row[-1]) for row in cursor.fetchall())

    rng = "SEARCH desk_ticket USING INDEX ticket_unassigned_team_idx (team_id=?)"
    count = plan(compiled.count_sql, compiled.count_params, compiled.count_slots)
    assert rng in count, count
    assert "ticket_active_assignee_idx" not in count and "TEMP B-TREE" not in count, count
    rows = plan(compiled.rows_sql, compiled.rows_params, compiled.rows_slots)
    # A range per team in the queue's order (the teams past them: one range, sorted).
    assert rows.count(rng) == queue_sql.SQLITE_TEAM_RANGES + 1, rows
    assert rows.count("TEMP B-TREE") == 3, rows  # that range, the merge, the page's rows
    assert "ticket_active_assignee_idx" not in rows and "SCAN desk_ticket" not in rows, rows
    with time_machine.travel(NOW, tick=False):
        assert bound.count() == 3
        assert len(bound.rows(0)) == 3
