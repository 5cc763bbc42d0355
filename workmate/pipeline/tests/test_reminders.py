"""Time-box reminders to the PoC's owner, through the inbox, in the owner's working time."""

from __future__ import annotations

import datetime

import time_machine

from workmate.inbox import clock
from workmate.inbox.models import Kind, Notification
from workmate.pipeline import services
from workmate.pipeline.models import PoC, Stage
from workmate.pipeline.tests.conftest import make_poc

UTC = datetime.UTC


def running(nina, nbd, ends_on: datetime.date) -> PoC:
    poc = make_poc(nina, nbd, title="Edge cache")
    PoC.objects.filter(pk=poc.pk).update(
        stage=Stage.RUNNING, starts_on=ends_on - datetime.timedelta(days=20), ends_on=ends_on
    )
    poc.refresh_from_db()
    return poc


def reminders():
    return Notification.objects.filter(group_key__startswith="poc:")


def test_reminded_two_working_days_before_the_end_in_working_time(nina, nbd):
    # Ends Tuesday 10 March 2026; Nina works Mon–Fri 09–18 in Seoul (the default).
    poc = running(nina, nbd, datetime.date(2026, 3, 10))

    # Friday 6 March 10:00 KST: three working days left (Fri, Mon, Tue) — not yet.
    assert services.remind_time_boxes(datetime.datetime(2026, 3, 6, 1, tzinfo=UTC)) == 0
    # Monday 9 March 07:00 KST: two left, but before her working hours.
    assert services.remind_time_boxes(datetime.datetime(2026, 3, 8, 22, tzinfo=UTC)) == 0
    assert not reminders().exists()
    # Monday 9 March 09:00 KST: at work — reminded once, however often the clock ticks.
    at_nine = datetime.datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert services.remind_time_boxes(at_nine) == 1
    assert services.remind_time_boxes(at_nine + datetime.timedelta(minutes=5)) == 0
    note = reminders().get()
    assert (note.recipient, note.kind, note.url) == (
        nina,
        Kind.REPLY_BY_SOON,
        poc.get_absolute_url(),
    )
    assert "Edge cache" in note.title and "2026-03-10" in note.title


def test_weekend_does_not_count_as_working_days(nina, nbd):
    # Ends Monday 9 March: on Friday 6 March two working days are left (Fri, Mon).
    running(nina, nbd, datetime.date(2026, 3, 9))

    assert services.remind_time_boxes(datetime.datetime(2026, 3, 6, 1, tzinfo=UTC)) == 1


def test_a_time_box_that_is_over_reminds_to_decide(nina, nbd):
    running(nina, nbd, datetime.date(2026, 3, 10))
    services.remind_time_boxes(datetime.datetime(2026, 3, 9, 1, tzinfo=UTC))

    # Wednesday 11 March 10:00 KST: over.
    assert services.remind_time_boxes(datetime.datetime(2026, 3, 11, 1, tzinfo=UTC)) == 1
    over = reminders().get(kind=Kind.REPLY_BY_PASSED)
    assert "write the decision" in over.title


def test_extending_the_time_box_reminds_again(nina, nbd):
    poc = running(nina, nbd, datetime.date(2026, 3, 10))
    services.remind_time_boxes(datetime.datetime(2026, 3, 9, 1, tzinfo=UTC))
    PoC.objects.filter(pk=poc.pk).update(ends_on=datetime.date(2026, 3, 20))

    assert services.remind_time_boxes(datetime.datetime(2026, 3, 19, 1, tzinfo=UTC)) == 1
    assert reminders().count() == 2


def test_only_running_pocs_are_reminded(nina, nbd):
    poc = running(nina, nbd, datetime.date(2026, 3, 10))
    PoC.objects.filter(pk=poc.pk).update(stage=Stage.DECIDED)

    assert services.remind_time_boxes(datetime.datetime(2026, 3, 9, 1, tzinfo=UTC)) == 0


def test_the_clock_runs_the_reminder(nina, nbd):
    running(nina, nbd, datetime.date(2026, 3, 10))
    moment = datetime.datetime(2026, 3, 9, 1, 0, tzinfo=UTC)

    with time_machine.travel(moment, tick=False):
        enqueued = clock.tick(moment)

    assert "workmate.pipeline.tasks.remind_time_boxes" in enqueued
    assert reminders().filter(recipient=nina).count() == 1
