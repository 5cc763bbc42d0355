"""Reminders in the SE owner's working time, through the inbox, each once (frozen clock)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.desk.models import Customer
from workmate.inbox.models import Kind, Notification
from workmate.success.models import AccountProfile, FeedbackItem, Meeting
from workmate.success.reminders import remind

pytestmark = pytest.mark.django_db

# Wednesday 11 November 2026, 10:00 in Seoul (the SE's working time).
WEDNESDAY = datetime.datetime(2026, 11, 11, 1, 0, tzinfo=datetime.UTC)
SATURDAY = datetime.datetime(2026, 11, 14, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def owned(owned_a):
    # A customer for long enough that "no meeting" does not fire unless a test wants it.
    Customer.objects.filter(pk=owned_a.pk).update(created_at=WEDNESDAY - datetime.timedelta(days=5))
    return owned_a


def notes(sam):
    return list(Notification.objects.filter(recipient=sam, kind=Kind.CUSTOMER))


def test_renewal_reminded_once_per_threshold(sam, owned, settings):
    settings.SUCCESS_RENEWAL_REMIND_DAYS = [90, 30]
    AccountProfile.objects.create(customer=owned, renewal_on=datetime.date(2026, 12, 6))
    assert remind(WEDNESDAY) == {"renewal": 1}
    assert remind(WEDNESDAY + datetime.timedelta(minutes=1)) == {}
    [note] = notes(sam)
    assert note.title == f"{owned.name} renews in 25 days"


def test_no_reminder_outside_working_time(sam, owned):
    AccountProfile.objects.create(customer=owned, renewal_on=datetime.date(2026, 12, 6))
    assert remind(SATURDAY) == {}
    assert notes(sam) == []


def test_far_renewal_is_quiet(sam, owned):
    AccountProfile.objects.create(customer=owned, renewal_on=datetime.date(2027, 6, 1))
    assert remind(WEDNESDAY) == {}


def test_no_meeting_by_tier(sam, owned, settings):
    settings.SUCCESS_MEETING_GAP_DAYS = {"business": 60, "enterprise": 30, "standard": 90}
    Meeting.objects.create(
        customer=owned,
        held_on=datetime.date(2026, 9, 1),
        kind="check_in",
        title="x",
        created_by=sam,
    )
    assert remind(WEDNESDAY) == {"meeting": 1}
    assert remind(WEDNESDAY) == {}
    Meeting.objects.create(
        customer=owned,
        held_on=datetime.date(2026, 11, 10),
        kind="check_in",
        title="y",
        created_by=sam,
    )
    Notification.objects.all().delete()
    assert remind(WEDNESDAY) == {}


def test_meeting_gap_longer_for_standard_tier(sam, owned, settings):
    settings.SUCCESS_MEETING_GAP_DAYS = {"business": 60, "enterprise": 30, "standard": 90}
    Customer.objects.filter(pk=owned.pk).update(tier="standard")
    Meeting.objects.create(
        customer=owned,
        held_on=datetime.date(2026, 9, 1),
        kind="check_in",
        title="x",
        created_by=sam,
    )
    assert remind(WEDNESDAY) == {}


def test_feedback_unanswered_in_working_days(sam, owned, settings):
    settings.SUCCESS_ANSWER_WORKING_DAYS = 3
    with time_machine.travel(datetime.datetime(2026, 11, 6, 2, 0, tzinfo=datetime.UTC)):
        item = FeedbackItem.objects.create(customer=owned, words="w", source="mail", area="service")
    # Tuesday: two working days (the weekend does not count).
    assert remind(WEDNESDAY - datetime.timedelta(days=1)) == {}
    assert remind(WEDNESDAY) == {"unanswered": 1}
    assert remind(WEDNESDAY) == {}
    assert notes(sam)[0].url.endswith(f"/success/feedback/{item.pk}/")


def test_answered_feedback_is_not_reminded(sam, owned, settings):
    settings.SUCCESS_ANSWER_WORKING_DAYS = 1
    with time_machine.travel(datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC)):
        FeedbackItem.objects.create(
            customer=owned,
            words="w",
            source="mail",
            area="service",
            state="answered",
            answer="done",
            answered_at=datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC),
        )
    assert remind(WEDNESDAY) == {}


def test_the_clock_runs_it():
    from workmate.inbox.clock import PERIODIC_TASKS

    assert "workmate.success.tasks.remind_customers" in PERIODIC_TASKS
