"""SLA clocks in business hours of the support calendar, paused while waiting on the customer.

A ticket's targets come from the SLA policy of its customer's tier and its priority. They
are measured in the support team's working time (Korean holidays and company days off
skipped), or around the clock for a 24×7 policy. The resolution clock stops while the
ticket waits on the customer: the business time spent waiting is added to the targets
when the clock resumes, so the due moments move by exactly that much. The first-response
clock does not pause (the customer is waiting for us until we first answer).

Due moments are stored on the ticket, so queues can filter "at risk" and "breached" in SQL.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from workmate.accounts.models import CompanyDayOff, Team
from workmate.desk.models import DONE_STATUSES, SLAPolicy, Ticket
from workmate.lib.workcalendar import WorkingHours, add_working_time, working_time_between

SLA_FIELDS = [
    "sla_policy",
    "first_response_due",
    "first_response_risk_at",
    "resolution_due",
    "resolution_risk_at",
    "paused_seconds",
    "paused_since",
]


def support_calendar(policy: SLAPolicy | None = None) -> WorkingHours:
    """The calendar a policy counts in: the support team's week, or every hour for 24×7."""
    team = Team.objects.filter(code=settings.DESK_SUPPORT_TEAM).first()
    if policy is not None and policy.around_the_clock:
        return WorkingHours.around_the_clock(team.time_zone if team else settings.TIME_ZONE)
    if team is None:
        return WorkingHours(
            time_zone=settings.TIME_ZONE,
            weekdays=frozenset(range(5)),
            start=datetime.time(9),
            end=datetime.time(18),
            holiday_country="KR",
            days_off=CompanyDayOff.objects.dates(),
        )
    return team.working_hours(CompanyDayOff.objects.dates())


def _minutes(value: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=value)


def schedule(ticket: Ticket, policy: SLAPolicy | None = None) -> None:
    """(Re)compute the due and at-risk moments from the policy, the start and time paused.

    Steps: no customer or no policy → no SLA; otherwise count the targets (plus the
    business time already paused, for resolution) from the ticket's creation in the
    policy's calendar. Sets fields on `ticket`; the caller saves `SLA_FIELDS`.
    """
    if policy is None and ticket.customer_id is not None:
        policy = ticket.customer.sla_policy(ticket.priority)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due = ticket.first_response_risk_at = None
        ticket.resolution_due = ticket.resolution_risk_at = None
        return
    calendar = support_calendar(policy)
    share = settings.DESK_AT_RISK_PERCENT / 100
    start = ticket.created_at
    paused = datetime.timedelta(seconds=ticket.paused_seconds)
    first, resolution = policy.first_response_minutes, policy.resolution_minutes
    ticket.first_response_due = add_working_time(calendar, start, _minutes(first))
    ticket.first_response_risk_at = add_working_time(calendar, start, _minutes(first * share))
    ticket.resolution_due = add_working_time(calendar, start, _minutes(resolution) + paused)
    ticket.resolution_risk_at = add_working_time(
        calendar, start, _minutes(resolution * share) + paused
    )


def pause(ticket: Ticket, now: datetime.datetime | None = None) -> None:
    """Stop the resolution clock (waiting on the customer); a paused clock stays paused."""
    if ticket.paused_since is None:
        ticket.paused_since = now or timezone.now()


def resume(ticket: Ticket, now: datetime.datetime | None = None) -> None:
    """Restart the clock, adding the business time spent waiting to the resolution target."""
    if ticket.paused_since is None:
        return
    now = now or timezone.now()
    if ticket.sla_policy_id is not None:
        calendar = support_calendar(ticket.sla_policy)
        waited = working_time_between(calendar, ticket.paused_since, now)
        ticket.paused_seconds += int(waited.total_seconds())
    ticket.paused_since = None
    schedule(ticket, ticket.sla_policy)


def time_left(ticket: Ticket, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """Business time left to the ticket's current target (`Ticket.sla_target`: the first
    response until it is sent, then resolution), negative once past; frozen while paused;
    None without an SLA or once solved."""
    due = ticket.sla_due()
    if due is None or ticket.status in DONE_STATUSES:
        return None
    moment = ticket.paused_since or now or timezone.now()
    return working_time_between(support_calendar(ticket.sla_policy), moment, due)
