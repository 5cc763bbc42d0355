from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from workmate.desk.models import Rating, Satisfaction, Status, Ticket
from workmate.success.health import assess
from workmate.success.models import (
    AccountProfile,
    FeedbackItem,
    FeedbackSource,
    Health,
    HealthInput,
    HealthRule,
    Meeting,
    MeetingKind,
)
from workmate.testing.factories import make_sla_policy, make_ticket

NOW = datetime.datetime(2026, 6, 10, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def only(db):
    """Replace the default rules with the ones a test names."""
    HealthRule.objects.all().delete()

    def add(input_, comparison, threshold, level=Health.WATCH, **fields):
        return HealthRule.objects.create(
            name=f"{input_} {comparison} {threshold}",
            input=input_,
            comparison=comparison,
            threshold=threshold,
            level=level,
            **fields,
        )

    return add


def report(customer):
    return assess([customer], now=NOW)[customer.pk]


def test_default_rules_are_installed(db):
    assert HealthRule.objects.filter(input=HealthInput.SLA_BREACHES).count() == 2


def test_no_rule_matching_is_healthy(customer_a, only):
    only(HealthInput.OPEN_TICKETS, "gte", 1)
    assert report(customer_a).level == Health.HEALTHY
    assert report(customer_a).reasons == []


def test_sla_breaches_in_window_count(customer_a, only):
    make_sla_policy(
        tier=customer_a.tier, priority=3, first_response_minutes=30, resolution_minutes=60
    )
    only(HealthInput.SLA_BREACHES, "gte", 2, Health.AT_RISK, window_days=30)
    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        late = make_ticket(customer=customer_a, priority=3)
        make_ticket(customer=customer_a, priority=3)
    with time_machine.travel(NOW - datetime.timedelta(days=45), tick=False):
        make_ticket(customer=customer_a, priority=3)  # breached, but outside the window
    Ticket.objects.filter(pk=late.pk).update(
        status=Status.SOLVED, solved_at=late.resolution_due + datetime.timedelta(hours=1)
    )
    health = report(customer_a)
    assert health.level == Health.AT_RISK
    assert [r.text for r in health.reasons] == ["2 SLA breaches in 30 days"]


def test_csat_percent(customer_a, only):
    only(HealthInput.CSAT_PERCENT, "lte", 60, Health.AT_RISK, window_days=90)
    for rating in (Rating.GOOD, Rating.BAD, Rating.BAD, Rating.GOOD, Rating.GOOD):
        ticket = make_ticket(customer=customer_a)
        Satisfaction.objects.create(
            ticket=ticket, rating=rating, created_at=NOW - datetime.timedelta(days=5)
        )
    assert report(customer_a).reasons[0].value == 60
    assert report(customer_a).reasons[0].text == "CSAT 60 % over 90 days"
    assert report(customer_a).level == Health.AT_RISK


def test_csat_without_ratings_sets_nothing(customer_a, only):
    only(HealthInput.CSAT_PERCENT, "lte", 100)
    assert report(customer_a).level == Health.HEALTHY


def test_days_since_meeting(customer_a, sam, only):
    only(HealthInput.DAYS_SINCE_MEETING, "gte", 90)
    Meeting.objects.create(
        customer=customer_a,
        held_on=datetime.date(2026, 3, 7),
        kind=MeetingKind.CHECK_IN,
        title="Check-in",
        created_by=sam,
    )
    health = report(customer_a)
    assert health.level == Health.WATCH
    assert health.reasons[0].text == "no meeting for 95 days"


def test_never_met_counts_from_becoming_a_customer(customer_a, only):
    only(HealthInput.DAYS_SINCE_MEETING, "gte", 30)
    customer_a.__class__.objects.filter(pk=customer_a.pk).update(
        created_at=NOW - datetime.timedelta(days=40)
    )
    assert report(customer_a).reasons[0].value == 40


def test_open_tickets_and_feedback(customer_a, only):
    only(HealthInput.OPEN_TICKETS, "gte", 2)
    only(HealthInput.OPEN_FEEDBACK, "gte", 1, Health.AT_RISK)
    make_ticket(customer=customer_a)
    make_ticket(customer=customer_a)
    FeedbackItem.objects.create(
        customer=customer_a, words="Slow", source=FeedbackSource.MAIL, area="performance"
    )
    health = report(customer_a)
    assert health.level == Health.AT_RISK
    assert [r.text for r in health.reasons] == ["1 feedback item not answered", "2 open tickets"]


def test_days_to_renewal_and_tier(customer_a, customer_b, only):
    only(HealthInput.DAYS_TO_RENEWAL, "lte", 30, tier=customer_a.tier)
    customer_b.tier = "enterprise"
    customer_b.save()
    for customer in (customer_a, customer_b):
        AccountProfile.objects.create(customer=customer, renewal_on=datetime.date(2026, 6, 30))
    reports = assess([customer_a, customer_b], now=NOW)
    assert reports[customer_a.pk].reasons[0].text == "renewal in 20 days"
    assert reports[customer_b.pk].level == Health.HEALTHY  # the rule is for another tier


def test_inactive_rule_is_ignored(customer_a, only):
    only(HealthInput.OPEN_TICKETS, "gte", 0, is_active=False)
    assert report(customer_a).level == Health.HEALTHY


def test_override_replaces_level_but_keeps_reasons(customer_a, only):
    only(HealthInput.OPEN_TICKETS, "gte", 0, Health.AT_RISK)
    AccountProfile.objects.create(
        customer=customer_a, health_override=Health.HEALTHY, health_override_reason="Signed"
    )
    health = report(customer_a)
    assert (health.level, health.computed) == (Health.HEALTHY, Health.AT_RISK)
    assert health.reasons and health.override_reason == "Signed"


def test_override_needs_a_reason(customer_a):
    with pytest.raises(IntegrityError):
        AccountProfile.objects.create(customer=customer_a, health_override=Health.WATCH)


def test_contract_must_end_after_it_starts(customer_a):
    with pytest.raises(IntegrityError):
        AccountProfile.objects.create(
            customer=customer_a,
            contract_start=datetime.date(2026, 2, 1),
            contract_end=timezone.localdate().replace(year=2025),
        )
