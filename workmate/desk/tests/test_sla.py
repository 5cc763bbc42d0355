"""SLA clocks: business hours of the support team, Korean holidays, pausing on the customer."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.desk import services, sla
from workmate.desk.models import ContractTier, Status, Ticket
from workmate.desk.tests.helpers import kst
from workmate.testing.factories import make_sla_policy, make_ticket

pytestmark = pytest.mark.django_db


def test_targets_count_business_hours_only(policy, customer_a, contact_a):
    with time_machine.travel(kst(2026, 11, 27, 17, 0), tick=False):  # Friday 17:00
        ticket = make_ticket(customer=customer_a, requester=contact_a, priority=3)
    assert ticket.sla_policy == policy
    assert ticket.first_response_due == kst(2026, 11, 27, 18, 0)
    # One hour left on Friday, seven on Monday.
    assert ticket.resolution_due == kst(2026, 11, 30, 16, 0)
    # 75 % of 8 h = 6 h: one on Friday, five on Monday.
    assert ticket.resolution_risk_at == kst(2026, 11, 30, 14, 0)


def test_chuseok_is_skipped(policy, customer_a, contact_a):
    with time_machine.travel(kst(2026, 9, 23, 14, 0), tick=False):  # Wed before Chuseok
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    # Wed 14–18 (4 h), Thu–Sun off (Chuseok and the weekend), Mon 09–13.
    assert ticket.resolution_due == kst(2026, 9, 28, 13, 0)


def test_clock_pauses_over_a_korean_holiday_weekend_and_resumes(
    policy, customer_a, contact_a, alice
):
    with time_machine.travel(kst(2026, 10, 2, 9, 0), tick=False):  # Friday
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 10, 2, 15, 0), tick=False):
        services.do_reply(alice, ticket, "Could you send the logs?", status=Status.PENDING)
        ticket.refresh_from_db()
        assert sla.time_left(ticket) == datetime.timedelta(hours=2)
    # Saturday is National Foundation Day, Monday its alternative holiday: while the
    # ticket waits, neither they nor the weekend nor Friday evening use up the target.
    with time_machine.travel(kst(2026, 10, 5, 12, 0), tick=False):
        ticket.refresh_from_db()
        assert ticket.sla_state() == "paused"
        assert sla.time_left(ticket) == datetime.timedelta(hours=2)
    with time_machine.travel(kst(2026, 10, 6, 10, 0), tick=False):
        services.do_customer_reply(contact_a, ticket, "Here they are.")
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
        assert ticket.paused_since is None
        # Paused: Fri 15–18 (3 h) and Tue 09–10 (1 h) of business time.
        assert ticket.paused_seconds == 4 * 3600
        assert sla.time_left(ticket) == datetime.timedelta(hours=2)
        assert ticket.resolution_due == kst(2026, 10, 6, 12, 0)
        assert ticket.sla_state() == "at_risk"


def test_first_response_stops_the_first_clock_but_not_resolution(
    policy, customer_a, contact_a, alice
):
    with time_machine.travel(kst(2026, 11, 25, 10, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 11, 25, 12, 0), tick=False):
        assert Ticket.objects.breached().filter(pk=ticket.pk).exists()  # No answer in 1 h.
        services.do_reply(alice, ticket, "Looking into it.")
        ticket.refresh_from_db()
        assert ticket.first_responded_at == kst(2026, 11, 25, 12, 0)
        assert ticket.status == Status.OPEN
        assert not Ticket.objects.breached().filter(pk=ticket.pk).exists()
        assert ticket.sla_state() == "ok"


def test_at_risk_and_breached_querysets(policy, customer_a, contact_a, alice):
    with time_machine.travel(kst(2026, 11, 25, 9, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
        services.do_reply(alice, ticket, "On it.")
    with time_machine.travel(kst(2026, 11, 25, 15, 30), tick=False):
        assert list(Ticket.objects.at_risk()) == [ticket]
        assert not Ticket.objects.breached().exists()
    with time_machine.travel(kst(2026, 11, 25, 17, 30), tick=False):
        assert list(Ticket.objects.breached()) == [ticket]
        assert not Ticket.objects.at_risk().exists()
        ticket.refresh_from_db()
        assert ticket.sla_state() == "breached"


def test_around_the_clock_policy_counts_nights_and_holidays(team, customer_a, contact_a):
    customer_a.tier = ContractTier.ENTERPRISE
    customer_a.save()
    make_sla_policy(
        tier=ContractTier.ENTERPRISE,
        priority=1,
        first_response_minutes=15,
        resolution_minutes=240,
        around_the_clock=True,
    )
    with time_machine.travel(kst(2026, 9, 24, 23, 0), tick=False):  # Chuseok eve, night
        ticket = make_ticket(customer=customer_a, requester=contact_a, priority=1)
    assert ticket.first_response_due == kst(2026, 9, 24, 23, 15)
    assert ticket.resolution_due == kst(2026, 9, 25, 3, 0)


def test_priority_change_reschedules(policy, customer_a, contact_a, alice):
    make_sla_policy(priority=2, first_response_minutes=30, resolution_minutes=120)
    with time_machine.travel(kst(2026, 11, 25, 9, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
        ticket = services.do_set_priority(alice, ticket, 2)
    assert ticket.resolution_due == kst(2026, 11, 25, 11, 0)
    assert ticket.entries.filter(field="priority").exists()


def test_no_policy_means_no_clock(team, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a, priority=4)
    assert ticket.sla_policy is None
    assert ticket.sla_state() == "none"
    assert sla.time_left(ticket) is None


def test_solved_in_time_is_met(policy, customer_a, contact_a, alice):
    with time_machine.travel(kst(2026, 11, 25, 9, 0), tick=False):
        ticket = make_ticket(customer=customer_a, requester=contact_a)
    with time_machine.travel(kst(2026, 11, 25, 11, 0), tick=False):
        services.do_reply(alice, ticket, "Fixed.", status=Status.SOLVED)
    ticket.refresh_from_db()
    assert ticket.solved_at == kst(2026, 11, 25, 11, 0)
    assert ticket.sla_state() == "met"
