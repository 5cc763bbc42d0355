"""Report figures on a small known set of tickets: times in business hours, SLA attainment,
CSAT, grouping, and the business clock against the calendar's own arithmetic."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from workmate.desk import reports, services
from workmate.desk.models import ContractTier, Rating, Satisfaction, Status, Ticket
from workmate.desk.tests.helpers import kst
from workmate.lib.workcalendar import WorkingHours, working_time_between
from workmate.testing.factories import make_sla_policy, make_ticket

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)
pytestmark = pytest.mark.django_db


def work(agent, customer, contact, *, responded, solved=None, rating=None):
    """A P3 ticket opened Tuesday 10 March 2026 09:00, answered and maybe solved."""
    with time_machine.travel(kst(2026, 3, 10, 9, 0), tick=False):
        ticket = make_ticket(customer=customer, requester=contact)
    with time_machine.travel(responded, tick=False):
        services.do_reply(agent, ticket, "On it.")
    if solved is not None:
        with time_machine.travel(solved, tick=False):
            services.do_change_status(agent, ticket, Status.SOLVED)
    if rating is not None:
        Satisfaction.objects.create(ticket=ticket, rating=rating)
    return ticket


@pytest.fixture
def tickets(team, alice, customer_a, customer_b, contact_a, contact_b):
    """Targets: first response in 1 business hour, resolution in 8 (Mon–Fri 09–18)."""
    make_sla_policy(
        tier=ContractTier.BUSINESS, priority=3, first_response_minutes=60, resolution_minutes=480
    )
    a, b = (customer_a, contact_a), (customer_b, contact_b)
    first = work(alice, *a, responded=kst(2026, 3, 10, 9, 30), solved=kst(2026, 3, 10, 11, 0),
                 rating=Rating.GOOD)  # fmt: skip
    work(alice, *a, responded=kst(2026, 3, 10, 9, 45), solved=kst(2026, 3, 10, 13, 0),
         rating=Rating.BAD)  # fmt: skip
    # First response late (due 10:00); solved exactly at the resolution due.
    work(alice, *a, responded=kst(2026, 3, 10, 10, 30), solved=kst(2026, 3, 10, 17, 0))
    # Solved late, on Wednesday: 9 business hours on Tuesday and 1 on Wednesday.
    work(alice, *b, responded=kst(2026, 3, 10, 9, 10), solved=kst(2026, 3, 11, 10, 0))
    # A duplicate merged into the first does not count.
    with time_machine.travel(kst(2026, 3, 12, 9, 0), tick=False):
        duplicate = make_ticket(customer=customer_a, requester=contact_a)
    Ticket.objects.filter(pk=duplicate.pk).update(merged_into=first)
    # April: one ticket nobody answered, past its first-response due.
    with time_machine.travel(kst(2026, 4, 7, 9, 0), tick=False):
        make_ticket(customer=customer_a, requester=contact_a)


def report(group, first=MARCH, last=APRIL):
    return reports.build_report(group, first, last, now=kst(2026, 4, 7, 12, 0))


def test_by_month(tickets, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        figures = report("month", first=datetime.date(2026, 2, 1))
    assert [row.label for row in figures.rows] == ["2026-02", "2026-03", "2026-04"]
    february, march, april = figures.rows
    assert february.tickets == 0 and february.resolution_in_time is None
    assert march.tickets == 4
    assert (march.resolution_met, march.resolution_counted) == (3, 4)
    assert march.resolution_in_time == 75
    assert march.first_response_in_time == 75
    assert march.csat == 50
    # Business minutes: first responses 30, 45, 90 and 10; resolutions 2 h, 4 h, 8 h, 10 h.
    assert march.first_response_median == 37.5
    assert march.first_response_p90 == 90
    assert march.resolution_median == 360
    assert march.resolution_p90 == 600
    # April's ticket was never answered and is past due: it counts as late.
    assert (april.tickets, april.first_response_met, april.first_response_counted) == (1, 0, 1)
    assert april.first_response_median is None and april.csat is None
    total = figures.total
    assert (total.tickets, total.first_response_in_time, total.resolution_in_time) == (5, 60, 75)
    assert not figures.sampled


def test_by_customer(tickets, customer_a, customer_b):
    rows = {row.label: row for row in report("customer").rows}
    assert set(rows) == {customer_a.name, customer_b.name}
    hanbit, maru = rows[customer_a.name], rows[customer_b.name]
    assert (hanbit.tickets, hanbit.resolution_in_time, hanbit.csat) == (4, 100, 50)
    assert (maru.tickets, maru.resolution_in_time, maru.first_response_in_time) == (1, 0, 100)
    assert maru.resolution_median == 600


def test_by_priority_and_team(tickets, team):
    (p3,) = report("priority", last=MARCH).rows
    assert (p3.key, p3.tickets, p3.resolution_in_time) == (3, 4, 75)
    assert p3.label.startswith("P3")
    (support,) = report("team").rows
    assert (support.label, support.tickets) == (team.name, 5)


def test_months_outside_the_range_do_not_count(tickets):
    figures = report("month", first=APRIL)
    assert [row.tickets for row in figures.rows] == [1]
    assert figures.total.resolution_counted == 0


def test_waiting_on_the_customer_is_not_resolution_time(team, alice, customer_a, contact_a):
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3)
    with time_machine.travel(kst(2026, 3, 10, 9, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 3, 10, 10, 0), tick=False):
        services.do_reply(alice, ticket, "Logs, please?", status=Status.PENDING)
    with time_machine.travel(kst(2026, 3, 10, 14, 0), tick=False):
        ticket.refresh_from_db()
        services.do_customer_reply(contact_a, ticket, "Here.")
    with time_machine.travel(kst(2026, 3, 10, 15, 0), tick=False):
        services.do_change_status(alice, ticket, Status.SOLVED)
    (row,) = report("month", last=MARCH).rows
    # Six hours open, four of them waiting on the customer.
    assert row.resolution_median == 120


def test_around_the_clock_policies_count_every_hour(team, alice, customer_a, contact_a):
    make_sla_policy(tier=ContractTier.BUSINESS, priority=3, around_the_clock=True)
    with time_machine.travel(kst(2026, 3, 14, 22, 0), tick=False):  # Saturday night
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 3, 15, 1, 0), tick=False):
        services.do_reply(alice, ticket, "Looking.")
    assert report("month", last=MARCH).rows[0].first_response_median == 180


def test_percentiles():
    assert reports.percentile([], 0.9) is None
    assert reports.percentile([5], 0.9) == 5
    assert reports.percentile(list(range(1, 11)), 0.9) == 9
    assert reports.percentile(list(range(1, 11)), 0.5) == 5
    assert reports.median([1, 2, 3, 10]) == 2.5


# The support calendar's shape, built without the database (hypothesis reruns the test).
CALENDAR = WorkingHours(
    time_zone="Asia/Seoul",
    weekdays=frozenset(range(5)),
    start=datetime.time(9),
    end=datetime.time(18),
    holiday_country="KR",
    days_off=frozenset({datetime.date(2026, 9, 4)}),
)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=60 * 24 * 40),
    length=st.integers(min_value=0, max_value=60 * 24 * 30),
)
def test_business_clock_agrees_with_the_calendar(start, length):
    calendar = CALENDAR
    origin = kst(2026, 9, 1, 0, 0)  # Chuseok and National Foundation Day fall in here.
    a = origin + datetime.timedelta(minutes=start)
    b = a + datetime.timedelta(minutes=length)
    clock = reports.BusinessClock(calendar, origin, origin + datetime.timedelta(days=75))
    assert clock.seconds(a, b) == working_time_between(calendar, a, b).total_seconds()
