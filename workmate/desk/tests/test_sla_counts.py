"""The dashboard's breached and at-risk counts (`DeskSlaCount`, migration 0015) equal a
count from scratch over the tickets at any moment after every kind of change to tickets,
whoever makes it, before and after the clock folds the moments passed; the triggers only
insert, so no two ticket writers wait on one row (issue 18 point 4)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from workmate.desk import agent, dashboard, services, stats
from workmate.desk.models import DeskSlaCount, Priority, Status, Ticket, sla_conditions
from workmate.desk.tests.helpers import kst
from workmate.desk.tests.test_active_counts import in_other_connection, postgresql  # noqa: F401
from workmate.search.tests.test_concurrent_refresh import wait_for_a_blocked_lock
from workmate.testing.factories import make_team, make_ticket

pytestmark = pytest.mark.django_db

NOW = kst(2026, 11, 24, 16, 0)  # a Tuesday afternoon
HOUR = datetime.timedelta(hours=1)
# When the counts are compared, from now: while today's tickets turn at risk and breached,
# and long after, when every running ticket is breached.
LATER = [datetime.timedelta(hours=h) for h in (0, 1, 20, 1440)]


def counted(now: datetime.datetime) -> dict[int | None, tuple[int, int]]:
    """{assignee id: (breached, at risk)} counted over the tickets (`sla_conditions`)."""
    breached_now, at_risk_now = sla_conditions(now)
    per_agent = (
        Ticket.objects.active()
        .order_by()
        .values_list("assignee_id")
        .annotate(
            breached=Count("pk", filter=breached_now), at_risk=Count("pk", filter=at_risk_now)
        )
    )
    return {agent: (b, r) for agent, b, r in per_agent if b or r}


def assert_counts_right() -> None:
    """The ledger's figures equal the tickets' now and LATER, before and after the clock
    folds them (which leaves one row per kind and agent before its bound)."""
    now = timezone.now()
    for moment in [now + offset for offset in LATER]:
        assert dashboard._breached_and_at_risk(moment) == counted(moment), moment
    stats.compact_sla_counts()
    assert_folded(now - stats.SLA_FOLD_MARGIN)
    for moment in [now + offset for offset in LATER]:
        assert dashboard._breached_and_at_risk(moment) == counted(moment), moment
    breached = sum(b for b, _r in counted(now).values())
    assert breached == Ticket.objects.breached(now).count()  # what the breached queue lists


def assert_folded(bound: datetime.datetime) -> None:
    passed = DeskSlaCount.objects.filter(at__lte=bound)
    per_key = passed.values_list("kind", "assignee_id").annotate(n=Count("pk"))
    assert {n for *_key, n in per_key} <= {1}
    assert not passed.filter(count=0).exists()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_every_kind_of_change_keeps_the_counts(clock, policy, alice, bob, customer_a, contact_a):
    other = make_team(code="OT", name="Other team")
    with time_machine.travel(NOW - 3 * 24 * HOUR, tick=False):
        late = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(3)]
        services.do_reply(alice, late[0], "Looking.")  # answered, then breached
    with time_machine.travel(NOW - datetime.timedelta(minutes=50), tick=False):
        today = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(4)]
    triage = services.do_create_ticket(
        subject="Who?", customer=None, requester=None, from_email="x@unknown.example"
    )
    assert_counts_right()
    assert counted(NOW) and counted(NOW + 2 * HOUR) != counted(NOW)  # the moments matter

    services.do_assign(alice, late[1], bob)
    assert_counts_right()
    services.do_set_priority(alice, today[0], Priority.P1)
    assert_counts_right()
    services.do_reply(bob, today[1], "Logs please?", status=Status.PENDING)  # paused
    assert_counts_right()
    clock.shift(HOUR)
    services.do_customer_reply(contact_a, today[1], "Here they are.")  # resumed, due moved
    assert_counts_right()
    services.do_reply(alice, today[2], "On it.")  # the first response sent
    assert_counts_right()
    services.do_change_status(alice, late[2], Status.SOLVED)
    assert_counts_right()
    agent.do_bulk_assign(alice, [t.pk for t in [*late, *today]], alice)
    assert_counts_right()
    agent.do_merge(alice, today[3], today[0])
    assert_counts_right()
    agent.do_triage(alice, triage, customer_a, contact_a.email)
    assert_counts_right()

    # Writes that pass no service and send no signal.
    Ticket.objects.filter(pk=today[0].pk).update(team=other, status=Status.ON_HOLD)
    assert_counts_right()
    Ticket.objects.filter(pk__in=[t.pk for t in late]).update(assignee=None)
    assert_counts_right()
    Ticket.objects.filter(pk=late[2].pk).update(status=Status.OPEN)  # reopened
    assert_counts_right()
    Ticket.objects.filter(pk=today[2].pk).update(
        resolution_due=NOW - HOUR, first_responded_at=None
    )  # a due moved by hand
    assert_counts_right()
    moved = list(Ticket.objects.filter(pk__in=[late[1].pk, triage.pk]))
    for ticket in moved:
        ticket.assignee, ticket.resolution_risk_at = bob, NOW - 5 * HOUR
    Ticket.objects.bulk_update(moved, ["assignee", "resolution_risk_at"])
    assert_counts_right()
    copies = [
        Ticket(subject=f"Copy {n}", customer=customer_a, status=status, assignee=bob,
               resolution_due=NOW + n * HOUR, resolution_risk_at=NOW + (n - 2) * HOUR)
        for n, status in enumerate([Status.OPEN, Status.NEW, Status.CLOSED, Status.PENDING], 1)
    ]  # fmt: skip
    Ticket.objects.bulk_create(copies)
    assert_counts_right()
    Ticket.objects.filter(subject__startswith="Copy").delete()
    assert_counts_right()
    Ticket.objects.filter(pk=today[3].pk).update(merged_into=None)  # unmerged
    assert_counts_right()
    clock.shift(3 * 24 * HOUR)  # the clock folds the moments passed meanwhile too
    assert_counts_right()


def test_a_rolled_back_change_leaves_the_counts(clock, policy, alice, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    before = list(DeskSlaCount.objects.values_list("pk", "kind", "assignee_id", "at", "count"))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_assign(alice, ticket, bob)
        Ticket.objects.filter(pk=ticket.pk).update(resolution_due=NOW - HOUR)
        raise RuntimeError
    after = list(DeskSlaCount.objects.values_list("pk", "kind", "assignee_id", "at", "count"))
    assert after == before
    assert_counts_right()


def test_the_triggers_insert_only_when_a_moment_moves(
    clock, policy, alice, bob, customer_a, contact_a
):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    ticket.refresh_from_db()
    due, risk = ticket.first_response_due, ticket.first_response_risk_at

    def ledger() -> list[tuple]:
        return list(
            DeskSlaCount.objects.order_by("pk").values_list("kind", "assignee_id", "at", "count")
        )

    assert ledger() == [("due", 0, due, 1), ("risk", 0, risk, 1)]
    services.do_set_priority(alice, ticket, ticket.priority)  # saved, no moment moved
    Ticket.objects.filter(pk=ticket.pk).update(subject="Renamed", status=Status.OPEN)
    assert len(ledger()) == 2
    services.do_assign(alice, ticket, bob)
    assert sorted(ledger()[2:]) == [
        ("due", 0, due, -1),
        ("due", bob.pk, due, 1),
        ("risk", 0, risk, -1),
        ("risk", bob.pk, risk, 1),
    ]


def test_compaction_folds_the_passed_moments_and_keeps_those_ahead(
    clock, policy, alice, customer_a, contact_a
):
    with time_machine.travel(NOW - 3 * 24 * HOUR, tick=False):
        late = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(3)]
    services.do_change_status(alice, late[0], Status.SOLVED)  # -1 rows at passed moments
    ahead = make_ticket(customer=customer_a, requester=contact_a)
    assert DeskSlaCount.objects.count() == 10

    assert stats.compact_sla_counts() == 10 - 2 - 2  # into a due and a risk row, 2 ahead
    bound = NOW - stats.SLA_FOLD_MARGIN
    assert sorted(DeskSlaCount.objects.filter(at__lte=bound).values_list("kind", "count")) == [
        ("due", 2),
        ("risk", 2),
    ]
    assert DeskSlaCount.objects.filter(at__gt=NOW).count() == 2  # `ahead`'s, one per kind
    assert dashboard._breached_and_at_risk(NOW) == counted(NOW) == {None: (2, 0)}
    ahead.refresh_from_db()
    later = ahead.first_response_due
    assert dashboard._breached_and_at_risk(later) == counted(later) == {None: (3, 0)}


def test_compaction_with_nothing_to_fold_writes_nothing(
    clock, policy, customer_a, contact_a, django_assert_num_queries
):
    with time_machine.travel(NOW - 3 * 24 * HOUR, tick=False):
        make_ticket(customer=customer_a, requester=contact_a)
        make_ticket(customer=customer_a, requester=contact_a)
    assert stats.compact_sla_counts() > 0
    folded = list(DeskSlaCount.objects.values_list("pk", "count"))
    with django_assert_num_queries(1):  # the check alone
        assert stats.compact_sla_counts() == 0
    assert list(DeskSlaCount.objects.values_list("pk", "count")) == folded


def test_the_dashboard_reads_a_range_of_the_ledger_index(clock, policy, customer_a, contact_a):
    make_ticket(customer=customer_a, requester=contact_a)
    counts = dashboard.sla_counts(NOW)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = counts.explain()
    if connection.vendor == "sqlite":
        assert "COVERING INDEX desk_sla_count_at_idx (at<?)" in plan, plan
    else:
        assert "Index Only Scan using desk_sla_count_at_idx" in plan, plan
    assert list(counts) == []  # a new ticket is not at risk yet


def test_the_command_rebuilds_wrong_counts(clock, policy, alice, customer_a, contact_a):
    with time_machine.travel(NOW - 3 * 24 * HOUR, tick=False):
        for _ in range(3):
            make_ticket(customer=customer_a, requester=contact_a)
    make_ticket(customer=customer_a, requester=contact_a)
    DeskSlaCount.objects.filter(kind="due").update(count=99)
    DeskSlaCount.objects.create(kind="risk", assignee_id=alice.pk, at=NOW - HOUR, count=5)
    out = io.StringIO()
    call_command("rebuild_desk_stats", stdout=out)
    assert "SLA moments into 4 rows" in out.getvalue()  # 2 folded, 2 ahead
    assert_counts_right()
    assert dashboard._breached_and_at_risk(NOW) == {None: (3, 0)}


def test_the_clock_folds_the_ledger():
    from workmate.desk import tasks
    from workmate.inbox import clock

    assert "workmate.desk.tasks.compact_desk_sla_counts" in clock.PERIODIC_TASKS
    assert tasks.compact_desk_sla_counts.func is not None


def test_the_triggers_exist_on_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'desk_ticket'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'desk_ticket'::regclass"
                " AND NOT tgisinternal"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert len({name for name in names if name.startswith("desk_ticket_sla")}) >= 2


# --- Two connections at once (PostgreSQL; SQLite runs one write transaction at a time) ----

DUE = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)


def breached_ticket(subject: str) -> Ticket:
    """A running unassigned ticket breached since DUE: every such ticket has the same rows."""
    return Ticket.objects.create(
        subject=subject, status=Status.NEW, resolution_due=DUE, resolution_risk_at=DUE - HOUR
    )


def sums() -> list[tuple]:
    rows = DeskSlaCount.objects.order_by().values_list("kind", "assignee_id")
    return sorted(rows.annotate(total=Sum("count")).filter(total__gt=0))


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_the_same_moment_do_not_wait(postgresql):  # noqa: F811
    breached_ticket("Already counted")
    other, outcome = in_other_connection(lambda: breached_ticket("Second").pk, lock_timeout="1s")
    with transaction.atomic():
        breached_ticket("First, left open")
        other.start()
        other.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], int), outcome
    assert sums() == [("due", 0, 3), ("risk", 0, 3)]
    now = timezone.now()
    assert dashboard._breached_and_at_risk(now) == counted(now) == {None: (3, 0)}


@pytest.mark.django_db(transaction=True)
def test_compaction_beside_an_uncommitted_ticket_loses_and_doubles_nothing(
    postgresql,  # noqa: F811
):
    for n in range(3):
        breached_ticket(f"Committed {n}")
    other, outcome = in_other_connection(stats.compact_sla_counts, lock_timeout="1s")
    with transaction.atomic():
        Ticket.objects.filter(subject="Committed 0").update(
            resolution_due=None, resolution_risk_at=None
        )  # no SLA any more
        other.start()
        other.join(timeout=30)
    assert outcome == [4], outcome  # 6 rows into 2, without waiting for the changed one's
    assert DeskSlaCount.objects.count() == 4  # its two rows of -1 wait for the next fold
    now = timezone.now()  # after the fold's bound: a reading before it would miss the fold
    assert dashboard._breached_and_at_risk(now) == counted(now) == {None: (2, 0)}
    stats.compact_sla_counts()
    assert DeskSlaCount.objects.count() == 2
    assert sums() == [("due", 0, 2), ("risk", 0, 2)]


@pytest.mark.django_db(transaction=True)
def test_two_compactions_at_once_count_each_row_once(postgresql):  # noqa: F811
    for n in range(4):
        breached_ticket(f"Ticket {n}")
    other, outcome = in_other_connection(stats.compact_sla_counts)
    with transaction.atomic():
        assert stats.compact_sla_counts() == 6  # deleted, not yet committed
        other.start()
        wait_for_a_blocked_lock()  # the other DELETE waits on the same rows
    other.join(timeout=30)
    assert outcome == [0], outcome  # it skipped the rows this one deleted
    assert sums() == [("due", 0, 4), ("risk", 0, 4)]
    assert DeskSlaCount.objects.count() == 2
