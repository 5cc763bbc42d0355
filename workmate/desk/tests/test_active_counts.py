"""The dashboard's active counts (`DeskActiveCount`) equal a count from scratch after every
kind of change to tickets, whoever makes it, before and after the clock folds the ledger:
the database triggers of migration 0013 write it in the change's own transaction (issue
18), inserting only, so no two ticket writers wait on one counter row."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Count, Sum

from workmate.desk import agent, dashboard, services, stats
from workmate.desk.models import DeskActiveCount, Priority, Status, Ticket
from workmate.search.tests.test_concurrent_refresh import wait_for_a_blocked_lock
from workmate.testing.factories import make_team, make_ticket

pytestmark = pytest.mark.django_db


def active_counts() -> list[tuple]:
    """The stored counts as (status, priority, team id, assignee id, count), 0 for none: the
    ledger's sums by combination."""
    rows = (
        DeskActiveCount.objects.order_by()
        .values_list("status", "priority", "team_id", "assignee_id")
        .annotate(total=Sum("count"))
        .filter(total__gt=0)
    )
    return sorted(rows)


def counted() -> list[tuple]:
    """The same counted from the tickets."""
    return sorted((s, p, t or 0, a or 0, n) for s, p, t, a, n in stats.counted_active())


def dashboard_counts() -> list[tuple]:
    """What the dashboard reads, in the same shape."""
    return sorted((s, p, t or 0, a or 0, n) for s, p, t, a, n, *_ in dashboard._active_rows())


def assert_folded() -> None:
    """One row per combination, none of them 0."""
    per_key = DeskActiveCount.objects.values_list(
        "status", "priority", "team_id", "assignee_id"
    ).annotate(n=Count("pk"))
    assert {n for *_key, n in per_key} <= {1}
    assert not DeskActiveCount.objects.filter(count__lte=0).exists()


def assert_counts_right() -> None:
    """Right before and after a compaction (which leaves them folded)."""
    expected = counted()
    assert active_counts() == expected
    assert dashboard_counts() == expected
    stats.compact_active_counts()
    assert_folded()
    assert active_counts() == expected
    assert dashboard_counts() == expected


def test_every_kind_of_change_keeps_the_counts(alice, bob, team, customer_a, contact_a):
    other = make_team(code="OT", name="Other team")
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(4)]
    triage = services.do_create_ticket(
        subject="Who?", customer=None, requester=None, from_email="x@unknown.example"
    )
    assert_counts_right()
    assert DeskActiveCount.objects.filter(count__gt=0).exists()

    services.do_assign(alice, tickets[0], bob)
    assert_counts_right()
    services.do_set_priority(alice, tickets[0], Priority.P1)
    assert_counts_right()
    services.do_reply(bob, tickets[1], "Logs please?", status=Status.PENDING)
    assert_counts_right()
    services.do_change_status(alice, tickets[2], Status.SOLVED)
    assert_counts_right()
    agent.do_bulk_assign(alice, [t.pk for t in tickets], alice)
    assert_counts_right()
    agent.do_merge(alice, tickets[3], tickets[0])
    assert_counts_right()
    agent.do_triage(alice, triage, customer_a, contact_a.email)
    assert_counts_right()

    # Writes that pass no service and send no signal.
    Ticket.objects.filter(pk=tickets[0].pk).update(team=other, status=Status.ON_HOLD)
    assert_counts_right()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(assignee=None)
    assert_counts_right()
    Ticket.objects.filter(pk=tickets[2].pk).update(status=Status.OPEN)  # reopened
    assert_counts_right()
    moved = list(Ticket.objects.filter(pk__in=[tickets[1].pk, triage.pk]))
    for ticket in moved:
        ticket.priority, ticket.assignee = Priority.P2, bob
    Ticket.objects.bulk_update(moved, ["priority", "assignee"])
    assert_counts_right()
    copies = [
        Ticket(subject=f"Copy {n}", customer=customer_a, status=status, team=team, priority=n)
        for n, status in enumerate([Status.OPEN, Status.NEW, Status.CLOSED, Status.OPEN], 1)
    ]
    Ticket.objects.bulk_create(copies)
    assert_counts_right()
    Ticket.objects.filter(subject__startswith="Copy").delete()
    assert_counts_right()
    Ticket.objects.filter(pk=tickets[3].pk).update(merged_into=None)  # unmerged
    assert_counts_right()


def test_a_rolled_back_change_leaves_the_counts(alice, bob, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    before = active_counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_assign(alice, ticket, bob)
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.OPEN, priority=Priority.P1)
        raise RuntimeError
    assert active_counts() == before
    assert_counts_right()


def test_the_command_rebuilds_wrong_counts(alice, team, customer_a, contact_a):
    for _ in range(3):
        make_ticket(customer=customer_a, requester=contact_a)
    DeskActiveCount.objects.update(count=99)
    DeskActiveCount.objects.create(status=Status.OPEN, priority=1, team_id=0, count=5)
    out = io.StringIO()
    call_command("rebuild_desk_stats", stdout=out)
    assert "counted active tickets into 1 rows" in out.getvalue()
    assert list(DeskActiveCount.objects.values_list("count", flat=True)) == [3]  # folded
    assert_counts_right()
    assert active_counts() == [(Status.NEW, Priority.P3, team.pk, 0, 3)]


def test_the_triggers_exist_on_this_database():
    """One set per database (migration 0013), as the search app's full-text triggers."""
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
    assert {name for name in names if name.startswith("desk_ticket_count")}


def ledger() -> list[tuple]:
    return list(
        DeskActiveCount.objects.order_by("pk").values_list(
            "pk", "status", "priority", "team_id", "assignee_id", "count"
        )
    )


def test_the_triggers_only_insert(alice, bob, team, customer_a, contact_a):
    first = make_ticket(customer=customer_a, requester=contact_a)
    before = ledger()
    second = make_ticket(customer=customer_a, requester=contact_a)  # the same combination
    services.do_assign(alice, first, bob)
    key = (Status.NEW, Priority.P3, team.pk)
    # The rows already there are untouched; each change added a row of +1 or -1.
    assert ledger()[: len(before)] == before
    assert [row[1:] for row in ledger()[len(before) :]] == [
        (*key, 0, 1),  # second created
        (*key, 0, -1),  # first leaves the unassigned combination
        (*key, bob.pk, 1),  # and joins bob's
    ]
    assert active_counts() == [(*key, 0, 1), (*key, bob.pk, 1)]
    Ticket.objects.filter(pk=second.pk).delete()
    assert ledger()[-1][1:] == (*key, 0, -1)
    assert active_counts() == [(*key, bob.pk, 1)]


def test_compaction_folds_one_row_per_combination_and_drops_zeros(
    alice, bob, team, customer_a, contact_a
):
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(3)]
    services.do_assign(alice, tickets[0], bob)
    services.do_change_status(alice, tickets[1], Status.SOLVED)
    solved = make_ticket(customer=customer_a, requester=contact_a, priority=Priority.P1)
    services.do_change_status(alice, solved, Status.SOLVED)  # its combination sums to 0
    rows = DeskActiveCount.objects.count()
    assert rows == 8

    assert stats.compact_active_counts() == 6
    key = (Status.NEW, Priority.P3, team.pk)
    assert sorted(row[1:] for row in ledger()) == [(*key, 0, 1), (*key, bob.pk, 1)]
    assert active_counts() == counted()


def test_compaction_with_nothing_to_fold_writes_nothing(
    alice, bob, customer_a, contact_a, django_assert_num_queries
):
    tickets = [make_ticket(customer=customer_a, requester=contact_a) for _ in range(2)]
    services.do_assign(alice, tickets[0], bob)
    assert stats.compact_active_counts() > 0
    folded = ledger()
    with django_assert_num_queries(1):  # the check alone
        assert stats.compact_active_counts() == 0
    assert ledger() == folded


def test_the_clock_folds_the_ledger():
    from workmate.desk import tasks
    from workmate.inbox import clock

    assert "workmate.desk.tasks.compact_desk_active_counts" in clock.PERIODIC_TASKS
    assert tasks.compact_desk_active_counts.func is not None


# --- Two connections at once (PostgreSQL; SQLite runs one write transaction at a time) ----


def in_other_connection(work, *, lock_timeout: str | None = None) -> tuple[threading.Thread, list]:
    """Start `work` in a thread of its own (its own connection, its own transaction)."""
    outcome: list = []

    def run() -> None:
        try:
            with transaction.atomic():
                if lock_timeout:
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                outcome.append(work())
        except Exception as error:
            outcome.append(error)
        finally:
            connections["default"].close()

    return threading.Thread(target=run), outcome


def new_ticket(subject: str) -> Ticket:
    """A new unassigned P3 ticket of no team: every such ticket has the same combination."""
    return Ticket.objects.create(subject=subject, status=Status.NEW, priority=Priority.P3)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")


@pytest.mark.django_db(transaction=True)
def test_two_transactions_creating_like_tickets_do_not_wait(postgresql):
    # An UPSERT into one counter row held its lock until the first transaction committed:
    # the second waited (here: gave up after the lock timeout).
    new_ticket("Already counted")
    other, outcome = in_other_connection(lambda: new_ticket("Second").pk, lock_timeout="1s")
    with transaction.atomic():
        new_ticket("First, left open")
        other.start()
        other.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], int), outcome
    assert active_counts() == counted() == [(Status.NEW, Priority.P3, 0, 0, 3)]


@pytest.mark.django_db(transaction=True)
def test_compaction_beside_an_uncommitted_ticket_loses_and_doubles_nothing(postgresql):
    for n in range(3):
        new_ticket(f"Committed {n}")
    Ticket.objects.filter(subject="Committed 0").update(priority=Priority.P1)
    other, outcome = in_other_connection(stats.compact_active_counts, lock_timeout="1s")
    with transaction.atomic():
        new_ticket("Written while the clock folds")
        other.start()
        other.join(timeout=30)
    assert outcome == [3], outcome  # folded 5 rows into 2, without waiting
    expected = [(Status.NEW, Priority.P1, 0, 0, 1), (Status.NEW, Priority.P3, 0, 0, 3)]
    assert active_counts() == counted() == expected
    assert DeskActiveCount.objects.count() == 3  # the late row waits for the next fold
    stats.compact_active_counts()
    assert_folded()
    assert active_counts() == counted() == expected


@pytest.mark.django_db(transaction=True)
def test_two_compactions_at_once_count_each_row_once(postgresql):
    for n in range(4):
        new_ticket(f"Ticket {n}")
    other, outcome = in_other_connection(stats.compact_active_counts)
    with transaction.atomic():
        assert stats.compact_active_counts() == 3  # deleted, not yet committed
        other.start()
        wait_for_a_blocked_lock()  # the other DELETE waits on the same rows
    other.join(timeout=30)
    assert outcome == [0], outcome  # it skipped the rows this one deleted
    assert active_counts() == counted() == [(Status.NEW, Priority.P3, 0, 0, 4)]
    assert_folded()


@pytest.mark.django_db(transaction=True)
def test_two_multi_ticket_transactions_in_opposite_orders_do_not_deadlock(postgresql):
    # Each moves two tickets, the second touching the combination the other moved first:
    # with a counter row per combination they locked two rows in opposite orders and
    # PostgreSQL aborted one (deadlock detected).
    a, b, c, d = (new_ticket(name).pk for name in "abcd")
    Ticket.objects.filter(pk__in=[b, c]).update(priority=Priority.P2)

    def move(pk: int, priority: int) -> None:
        Ticket.objects.filter(pk=pk).update(priority=priority)

    holds, second_turn = threading.Event(), threading.Event()

    def other_transaction() -> bool:
        move(c, Priority.P4)  # P2 -> P4
        holds.set()
        second_turn.wait(timeout=10)
        move(d, Priority.P1)  # P3 -> P1, the combination this test moved into first
        return True

    other, outcome = in_other_connection(other_transaction)
    errors = []
    try:
        with transaction.atomic():
            move(a, Priority.P1)  # P3 -> P1
            other.start()
            assert holds.wait(timeout=10)
            second_turn.set()
            move(b, Priority.P4)  # P2 -> P4, the combination the other moved into first
    except Exception as error:
        errors.append(error)
    other.join(timeout=30)
    assert errors == [] and outcome == [True], (errors, outcome)
    assert (
        active_counts()
        == counted()
        == [
            (Status.NEW, Priority.P1, 0, 0, 2),
            (Status.NEW, Priority.P4, 0, 0, 2),
        ]
    )
