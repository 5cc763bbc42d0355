"""The dashboard's active counts (`DeskActiveCount`) equal a count from scratch after every
kind of change to tickets, whoever makes it: the database triggers of migration 0013 keep
them in the change's own transaction (issue 18)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from workmate.desk import agent, services, stats
from workmate.desk.models import DeskActiveCount, Priority, Status, Ticket
from workmate.testing.factories import make_team, make_ticket

pytestmark = pytest.mark.django_db


def active_counts() -> list[tuple]:
    """The stored counts as (status, priority, team id, assignee id, count), 0 for none."""
    rows = DeskActiveCount.objects.filter(count__gt=0).values_list(
        "status", "priority", "team_id", "assignee_id", "count"
    )
    return sorted(rows)


def counted() -> list[tuple]:
    """The same counted from the tickets."""
    return sorted((s, p, t or 0, a or 0, n) for s, p, t, a, n in stats.counted_active())


def assert_counts_right() -> None:
    assert active_counts() == counted()
    assert not DeskActiveCount.objects.filter(count__lt=0).exists()


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
