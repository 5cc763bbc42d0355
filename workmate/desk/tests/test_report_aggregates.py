"""Report aggregates (workmate/desk/stats.py): the reports page read from per-day rows
(stored for closed days, live for today and touched days) shows the same figures as
computing from the tickets alone, after edits, reopenings, merges, deletions and CSAT
changes, in two support time zones; in a constant number of queries."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from workmate.desk import agent, csat, dashboard, reports, services, sla, stats
from workmate.desk.models import (
    ContractTier,
    DeskDay,
    DeskDirtyDay,
    DeskStatsState,
    DeskTrendDay,
    Rating,
    Status,
    Ticket,
)
from workmate.desk.tests.helpers import kst
from workmate.testing.factories import make_sla_policy, make_team, make_ticket

pytestmark = pytest.mark.django_db
JANUARY = datetime.date(2026, 1, 1)
MARCH = datetime.date(2026, 3, 1)


def at(moment, action, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


def same_figures(now):
    """Every figure of every grouping, from the aggregates and from scratch."""
    for group in reports.GROUPS:
        built = reports.build_report(group, JANUARY, MARCH, now=now)
        scratch = reports.build_report_from_scratch(group, JANUARY, MARCH, now=now)
        assert built.rows == scratch.rows, group
        assert built.total == scratch.total, group
    return built


def same_trend(now):
    """The dashboard's trend (opened, solved per day) from the aggregates and counted from
    the tickets alone, over every day of the history and the dashboard's 30 days."""
    hours = sla.support_calendar()
    with time_machine.travel(now, tick=False):
        today = timezone.localtime(now, hours.zone).date()
        tomorrow = today + datetime.timedelta(days=1)
        built = stats.trend_days(datetime.date(2025, 12, 1), tomorrow, hours)
        board = dashboard.build_dashboard(now).trend
    scratch = dict.fromkeys(built, (0, 0))
    for created, solved in Ticket.objects.filter(merged_into=None).values_list(
        "created_at", "solved_at"
    ):
        day = timezone.localtime(created, hours.zone).date()
        scratch[day] = (scratch[day][0] + 1, scratch[day][1])
        if solved is not None:
            day = timezone.localtime(solved, hours.zone).date()
            scratch[day] = (scratch[day][0], scratch[day][1] + 1)
    assert built == scratch
    assert [(d.day, d.opened, d.solved) for d in board.days] == [
        (day, *scratch[day]) for day in sorted(scratch)[-dashboard.TREND_DAYS :]
    ]
    return built


def history(alice, customers, other_team, count):
    """`count` tickets from January to mid-March: answered, solved, rated, some late,
    some opened just before or after midnight (Seoul), two teams, all priorities."""
    made = []
    for n in range(count):
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=(n * 7) % 68)
        hour, minute = [(9, 0), (23, 40), (0, 20), (14, 5), (17, 55)][n % 5]
        opened = kst(day.year, day.month, day.day, hour, minute)
        customer, contact = customers[n % 2]
        ticket = at(opened, make_ticket, customer=customer, requester=contact,
                    priority=n % 4 + 1)  # fmt: skip
        if n % 3 == 0:
            at(opened, services.do_assign, alice, ticket, alice, team=other_team)
        if n % 5 != 4:
            answered = opened + datetime.timedelta(minutes=[10, 50, 130, 600][n % 4])
            at(answered, services.do_reply, alice, ticket, "On it.")
        if n % 5 in (0, 1, 2):
            solved = opened + datetime.timedelta(hours=[2, 9, 30][n % 3], minutes=n)
            at(solved, services.do_change_status, alice, ticket, Status.SOLVED)
            if n % 2:
                at(solved, csat.do_rate, ticket, Rating.GOOD if n % 4 == 1 else Rating.BAD)
        made.append(ticket)
    return made


@pytest.fixture
def desk(team, alice, customer_a, customer_b, contact_a, contact_b):
    for priority in (1, 2, 3, 4):
        make_sla_policy(tier=ContractTier.BUSINESS, priority=priority,
                        first_response_minutes=60 * priority, resolution_minutes=480 * priority,
                        around_the_clock=priority == 1)  # fmt: skip
    return alice, [(customer_a, contact_a), (customer_b, contact_b)], make_team(name="Second line")


@pytest.mark.parametrize("zone", ["Asia/Seoul", "America/New_York"])
def test_aggregates_show_the_same_figures_as_from_scratch(desk, team, zone):
    team.time_zone = zone
    team.save()
    alice, customers, other_team = desk
    tickets = history(alice, customers, other_team, 30)
    now = kst(2026, 3, 20, 12, 0)
    at(now, stats.roll_up)
    assert DeskDay.objects.exists() and not DeskDirtyDay.objects.exists()
    assert DeskTrendDay.objects.exists()
    same_figures(now)
    same_trend(now)

    # Changes to tickets of closed days: each marks its day dirty, read live until rolled up.
    later = now + datetime.timedelta(hours=1)
    mine = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("pk")
    unanswered = mine.filter(first_responded_at__isnull=True).first()
    at(later, services.do_reply, alice, unanswered, "Sorry for the wait.")
    solved = list(mine.filter(solved_at__isnull=False))
    at(later, services.do_change_status, alice, solved[0], Status.OPEN)  # reopened
    rated = next(t for t in solved if hasattr(t, "satisfaction"))
    at(later, csat.do_rate, rated, Rating.GOOD if rated.satisfaction.rating == "bad" else "bad")
    at(later, csat.do_rate, solved[2], Rating.GOOD)  # a new rating
    at(later, services.do_set_priority, alice, Ticket.objects.get(pk=tickets[5].pk), 1)
    at(later, services.do_assign, alice, Ticket.objects.get(pk=tickets[6].pk), alice,
       team=team)  # fmt: skip
    at(later, agent.do_merge, alice, Ticket.objects.get(pk=tickets[7].pk), tickets[8])
    Ticket.objects.get(pk=tickets[9].pk).delete()
    at(later, make_ticket, customer=customers[0][0], requester=customers[0][1])  # today
    # An import opens a ticket with an earlier date: its day is marked too.
    at(later, make_ticket, customer=customers[1][0], requester=customers[1][1],
       created_at=kst(2026, 2, 11, 10, 0))  # fmt: skip
    assert DeskDirtyDay.objects.count() >= 6
    same_figures(later)
    same_trend(later)

    # Rolled up again: the marks go, the stored rows are the figures, and again is the same.
    at(later, stats.roll_up)
    assert not DeskDirtyDay.objects.exists()
    fields = ("day", "team", "customer", "priority", "tickets", "first_response_minutes")
    rows = sorted(DeskDay.objects.values_list(*fields))
    at(later, stats.roll_up)
    assert rows == sorted(DeskDay.objects.values_list(*fields))
    same_figures(later)
    same_trend(later)
    # A day later, yesterday's ticket is stored too; the command rebuilds the same rows.
    tomorrow = later + datetime.timedelta(days=1)
    at(tomorrow, stats.roll_up)
    same_figures(tomorrow)
    same_trend(tomorrow)
    out = io.StringIO()
    at(tomorrow, call_command, "rebuild_desk_stats", stdout=out)
    assert "Rolled up" in out.getvalue() and DeskStatsState.objects.count() == 1
    same_figures(tomorrow)
    same_trend(tomorrow)


def test_an_unanswered_ticket_turns_late_when_its_due_passes(desk):
    """A stored day whose unanswered first-response due lies ahead is read live."""
    _alice, customers, _other = desk
    # Friday 18:00 in Seoul: a P4 ticket's first response (4 business hours) is due Monday.
    opened = kst(2026, 3, 6, 17, 59)
    at(opened, make_ticket, customer=customers[0][0], requester=customers[0][1], priority=4)
    at(kst(2026, 3, 7, 12, 0), stats.roll_up)
    saturday = same_figures(kst(2026, 3, 7, 12, 0))
    assert (saturday.total.first_response_counted, saturday.total.tickets) == (0, 1)
    tuesday = same_figures(kst(2026, 3, 10, 12, 0))
    assert tuesday.total.first_response_counted == 1


def test_the_report_reads_a_constant_number_of_queries(desk, django_assert_num_queries):
    alice, customers, other_team = desk
    history(alice, customers, other_team, 5)
    now = kst(2026, 3, 20, 12, 0)
    at(now, stats.roll_up)
    with django_assert_num_queries(7):
        small = reports.build_report("customer", JANUARY, MARCH, now=now)
    history(alice, customers, other_team, 20)
    at(now, stats.rebuild)
    at(now, make_ticket, customer=customers[0][0], requester=customers[0][1])  # today: live
    with django_assert_num_queries(7):
        large = reports.build_report("customer", JANUARY, MARCH, now=now)
    assert (small.total.tickets, large.total.tickets) == (5, 26)


def test_a_changed_support_calendar_is_rebuilt(desk, team):
    alice, customers, other_team = desk
    history(alice, customers, other_team, 6)
    now = kst(2026, 3, 20, 12, 0)
    at(now, stats.roll_up)
    key = DeskStatsState.objects.get().calendar_key
    team.time_zone = "Europe/London"
    team.save()
    same_figures(now)  # stored rows of another calendar are not read
    at(now, stats.roll_up)
    assert DeskStatsState.objects.get().calendar_key != key
    same_figures(now)


def test_a_reopened_ticket_leaves_the_day_it_was_solved_on(desk):
    """The trend's stored day of a solve is recounted when the ticket is reopened, and
    today's solves are counted live, in a constant number of queries."""
    alice, customers, _other = desk
    opened = kst(2026, 3, 2, 10, 0)
    ticket = at(opened, make_ticket, customer=customers[0][0], requester=customers[0][1])
    at(opened + datetime.timedelta(days=1), services.do_change_status, alice, ticket,
       Status.SOLVED)  # fmt: skip
    now = kst(2026, 3, 20, 12, 0)
    at(now, stats.roll_up)
    assert same_trend(now)[datetime.date(2026, 3, 3)] == (0, 1)
    at(now, services.do_change_status, alice, Ticket.objects.get(pk=ticket.pk), Status.OPEN)
    assert DeskDirtyDay.objects.filter(day=datetime.date(2026, 3, 3)).exists()
    assert same_trend(now)[datetime.date(2026, 3, 3)] == (0, 0)
    at(now, services.do_change_status, alice, Ticket.objects.get(pk=ticket.pk), Status.SOLVED)
    assert same_trend(now)[datetime.date(2026, 3, 20)] == (0, 1)


def test_the_trend_reads_a_constant_number_of_queries(desk, django_assert_num_queries):
    alice, customers, other_team = desk
    history(alice, customers, other_team, 5)
    now = kst(2026, 3, 20, 12, 0)
    at(now, stats.roll_up)
    hours = sla.support_calendar()
    since, until = datetime.date(2026, 2, 19), datetime.date(2026, 3, 21)
    # The state, the stored days with the dirty marks, the live day (4 with the marks apart).
    with time_machine.travel(now, tick=False), django_assert_num_queries(3):
        small = stats.trend_days(since, until, hours)
    history(alice, customers, other_team, 20)
    at(now, stats.rebuild)
    at(now, make_ticket, customer=customers[0][0], requester=customers[0][1])  # today: live
    with time_machine.travel(now, tick=False), django_assert_num_queries(3):
        large = stats.trend_days(since, until, hours)
    assert sum(o for o, _s in small.values()) < sum(o for o, _s in large.values())
