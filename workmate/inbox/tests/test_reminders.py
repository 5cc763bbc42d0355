"""Reply-by reminders: "approaching" in working time, "passed" once, however often it runs."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from workmate.inbox import delivery
from workmate.inbox.models import Kind, Notification
from workmate.testing import factories
from workmate.testing.factories import make_project
from workmate.work.models import RequestState, Visibility, WorkRequest


def make_task(**fields):
    """A task in an org-wide project, so whoever is told about it may see it (`notify`
    tells nobody who cannot)."""
    if "project" not in fields:
        fields["project"] = make_project(visibility=Visibility.ORG)
    return factories.make_task(**fields)


SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
# Due Monday 21 September 2026 at 10:00 in Seoul; bob works 09:00-18:00.
DUE = datetime.datetime(2026, 9, 21, 10, 0, tzinfo=SEOUL)


def seoul(day, hour, minute=0):
    return datetime.datetime(2026, 9, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def request_(alice, bob):
    task = make_task(title="Renew the certificate")
    return WorkRequest.objects.create(task=task, requester=alice, assignee=bob, reply_by=DUE)


def remind(moment):
    with time_machine.travel(moment, tick=False):
        return delivery.remind_reply_by(moment)


def told():
    return sorted((n.recipient.email, n.kind) for n in Notification.objects.all())


def test_soon_counts_working_time_across_the_weekend(request_, bob):
    # Friday 16:59: one working hour and a minute on Friday plus one on Monday is too much.
    assert remind(seoul(18, 16, 59)) == 0
    # Friday 17:00: exactly two working hours left (17-18 Friday, 9-10 Monday).
    assert remind(seoul(18, 17, 0)) == 1
    assert told() == [("bob@example.com", Kind.REPLY_BY_SOON)]
    # The weekend and Monday morning add nothing more.
    for moment in (seoul(19, 12), seoul(20, 23), seoul(21, 9, 30)):
        assert remind(moment) == 0
    assert Notification.objects.get().dedupe_key == f"replyby-soon:{request_.pk}"


def test_soon_does_not_fire_at_clock_time_when_working_time_is_long(alice, bob):
    # Due Tuesday 10:00: Monday 16:00 is 18 clock hours away but only 3 working hours;
    # Monday 17:00 leaves 2 (17-18 and 9-10).
    task = make_task()
    WorkRequest.objects.create(task=task, requester=alice, assignee=bob, reply_by=seoul(22, 10))
    assert remind(seoul(21, 16, 0)) == 0  # 16-18 Monday + 9-10 Tuesday = 3 hours
    assert remind(seoul(21, 17, 0)) == 1


def test_passed_tells_assignee_and_requester_once(request_):
    assert remind(seoul(21, 10, 1)) == 2
    assert told() == [
        ("alice@example.com", Kind.REPLY_BY_PASSED),
        ("bob@example.com", Kind.REPLY_BY_PASSED),
    ]
    for moment in (seoul(21, 10, 2), seoul(21, 15), seoul(22, 9)):
        assert remind(moment) == 0
    assert Notification.objects.count() == 2


def test_closed_requests_are_not_reminded(request_):
    request_.state = RequestState.ANSWERED
    request_.save(update_fields=["state"])
    assert remind(seoul(18, 17)) == 0
    assert remind(seoul(21, 11)) == 0
    assert not Notification.objects.exists()


def test_the_reminder_is_mailed_inside_working_hours(
    request_, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(seoul(18, 17), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        delivery.remind_reply_by(seoul(18, 17))
    [sent] = mailoutbox
    assert sent.to == ["bob@example.com"]
    assert sent.subject == "Reply-by in under two working hours: Renew the certificate"
