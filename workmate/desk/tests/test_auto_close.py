"""Solved tickets close by themselves after DESK_AUTO_CLOSE_DAYS without a customer reply."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.desk import csat, services
from workmate.desk.models import EntryKind, Status
from workmate.desk.tasks import close_solved_tickets
from workmate.inbox.clock import PERIODIC_TASKS
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def solved(customer_a, contact_a, bob, settings):
    settings.DESK_AUTO_CLOSE_DAYS = 4
    with time_machine.travel(START, tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
        services.do_change_status(bob, ticket, Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def test_closes_after_the_days_and_not_before(solved):
    with time_machine.travel(START + datetime.timedelta(days=3, hours=23), tick=False):
        assert csat.do_close_solved_tickets() == 0
    solved.refresh_from_db()
    assert solved.status == Status.SOLVED
    later = START + datetime.timedelta(days=4, minutes=1)
    with time_machine.travel(later, tick=False):
        assert close_solved_tickets.enqueue().return_value == 1
    solved.refresh_from_db()
    assert solved.status == Status.CLOSED
    assert solved.closed_at == later
    event = solved.entries.filter(kind=EntryKind.EVENT, field="status").last()
    assert (event.author, event.new_value) == (None, "closed")


def test_running_twice_closes_once(solved):
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        assert csat.do_close_solved_tickets() == 1
        assert csat.do_close_solved_tickets() == 0
    assert solved.entries.filter(kind=EntryKind.EVENT, new_value="closed").count() == 1


def test_customer_reply_keeps_it_open(solved, contact_a):
    with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
        services.do_customer_reply(contact_a, solved, "It broke again.")
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        assert csat.do_close_solved_tickets() == 0
    solved.refresh_from_db()
    assert solved.status == Status.OPEN


def test_solved_again_counts_from_the_new_solve(solved, contact_a, bob):
    with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
        services.do_customer_reply(contact_a, solved, "It broke again.")
        services.do_change_status(bob, solved, Status.SOLVED)
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        assert csat.do_close_solved_tickets() == 0
    with time_machine.travel(START + datetime.timedelta(days=6, minutes=1), tick=False):
        assert csat.do_close_solved_tickets() == 1


def test_other_statuses_are_left_alone(customer_a, contact_a, bob, settings):
    settings.DESK_AUTO_CLOSE_DAYS = 4
    with time_machine.travel(START, tick=False):
        pending = make_ticket(customer=customer_a, requester=contact_a)
        services.do_change_status(bob, pending, Status.PENDING)
        fresh = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        assert csat.do_close_solved_tickets() == 0
    pending.refresh_from_db()
    fresh.refresh_from_db()
    assert (pending.status, fresh.status) == (Status.PENDING, Status.NEW)


def test_the_clock_runs_it():
    assert "workmate.desk.tasks.close_solved_tickets" in PERIODIC_TASKS
