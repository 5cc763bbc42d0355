"""Escalation rules: P1 unacknowledged after 15 minutes, breaches; each fires once."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.desk import escalation, services, tasks
from workmate.desk.models import ContractTier
from workmate.desk.tests.helpers import kst
from workmate.inbox import clock
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_sla_policy, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def p1(team, customer_a, contact_a, alice, bob):
    make_sla_policy(
        tier=ContractTier.BUSINESS,
        priority=1,
        first_response_minutes=30,
        resolution_minutes=240,
        around_the_clock=True,
    )
    with time_machine.travel(kst(2026, 11, 28, 3, 0), tick=False):  # Saturday night
        return make_ticket(customer=customer_a, requester=contact_a, priority=1, subject="Down")


def test_p1_unacknowledged_for_15_minutes_notifies_the_leads_once(p1, alice, bob):
    with time_machine.travel(kst(2026, 11, 28, 3, 14), tick=False):
        assert escalation.run_escalations() == 0
    assert not Notification.objects.exists()
    with time_machine.travel(kst(2026, 11, 28, 3, 15), tick=False):
        assert escalation.run_escalations() == 1
        assert escalation.run_escalations() == 0
    notification = Notification.objects.get()
    assert notification.recipient == alice  # The lead, not Bob.
    assert notification.kind == Kind.TICKET
    assert notification.group_key == f"ticket:{p1.pk}"
    assert notification.url == p1.get_absolute_url()
    p1.refresh_from_db()
    assert p1.escalated_unacknowledged_at == kst(2026, 11, 28, 3, 15)


def test_acknowledged_p1_is_not_escalated(p1, bob):
    with time_machine.travel(kst(2026, 11, 28, 3, 5), tick=False):
        services.do_reply(bob, p1, "Looking now.")
    with time_machine.travel(kst(2026, 11, 28, 3, 20), tick=False):
        assert escalation.run_escalations() == 0
    assert not Notification.objects.exists()


def test_p2_is_not_escalated_for_acknowledgement(team, customer_a, contact_a, alice):
    with time_machine.travel(kst(2026, 11, 25, 10, 0), tick=False):
        make_ticket(customer=customer_a, requester=contact_a, priority=2)
    with time_machine.travel(kst(2026, 11, 25, 11, 0), tick=False):
        assert escalation.escalate_unacknowledged(datetime.datetime.now(datetime.UTC)) == 0


def test_breach_notifies_the_leads_and_the_se_owner_once(p1, alice, bob, erin, customer_a):
    customer_a.se_owner = erin
    customer_a.save()
    with time_machine.travel(kst(2026, 11, 28, 3, 10), tick=False):
        services.do_reply(bob, p1, "Looking now.")  # Acknowledged, first response met.
    with time_machine.travel(kst(2026, 11, 28, 6, 59), tick=False):
        assert escalation.run_escalations() == 0
    with time_machine.travel(kst(2026, 11, 28, 7, 0), tick=False):  # 4 h, around the clock
        tasks.escalate_tickets.enqueue()
        tasks.escalate_tickets.enqueue()  # The clock ran twice.
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {alice.pk, erin.pk}
    assert Notification.objects.count() == 2
    p1.refresh_from_db()
    assert p1.escalated_breach_at == kst(2026, 11, 28, 7, 0)


def test_paused_ticket_does_not_breach(p1, bob):
    with time_machine.travel(kst(2026, 11, 28, 3, 10), tick=False):
        services.do_reply(bob, p1, "Logs?", status="pending")
    with time_machine.travel(kst(2026, 11, 29, 3, 0), tick=False):
        assert escalation.run_escalations() == 0


def test_the_clock_runs_the_escalation_task():
    assert "workmate.desk.tasks.escalate_tickets" in clock.PERIODIC_TASKS
