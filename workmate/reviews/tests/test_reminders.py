"""The clock's part: reminders for each step inside working time only, and results applied
and announced on the share date."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.accounts.models import WorkProfile
from workmate.inbox.clock import PERIODIC_TASKS
from workmate.inbox.digests import build_digest
from workmate.inbox.models import Kind, Notification
from workmate.levels.models import LevelChange, LevelChangeSource, PersonLevel
from workmate.reviews import services
from workmate.reviews.models import Salary, SalaryStatus
from workmate.reviews.reminders import remind_review_steps, share_due_results
from workmate.reviews.tests.conftest import level, participant_of, seoul


def reminders(person, *, key_part: str = "") -> list[Notification]:
    rows = Notification.objects.filter(recipient=person, kind=Kind.REVIEW).exclude(dedupe_key="")
    return [n for n in rows if key_part in n.dedupe_key]


def test_the_clock_runs_both_tasks():
    assert "workmate.reviews.tasks.remind_review_steps" in PERIODIC_TASKS
    assert "workmate.reviews.tasks.share_due_results" in PERIODIC_TASKS


def test_no_reminder_while_more_than_a_working_day_is_left(cycle, bob):
    remind_review_steps(seoul(2026, 11, 6, 17))  # Friday 17:00: Monday's 9 h + 1 h left.
    assert reminders(bob) == []


def test_self_review_due_soon_then_late_once_each(cycle, bob):
    remind_review_steps(seoul(2026, 11, 9, 9))
    remind_review_steps(seoul(2026, 11, 9, 9, 1))  # The clock again: nothing new.
    soon = reminders(bob, key_part=":self:")
    assert [n.dedupe_key for n in soon] == [f"reviews:{cycle.pk}:self:soon"]
    assert "due" in soon[0].title
    remind_review_steps(seoul(2026, 11, 10, 9))
    keys = sorted(n.dedupe_key for n in reminders(bob, key_part=":self:"))
    assert keys == [f"reviews:{cycle.pk}:self:late", f"reviews:{cycle.pk}:self:soon"]


def test_never_outside_working_hours(cycle, bob):
    remind_review_steps(seoul(2026, 11, 9, 8, 30))  # before work, last day
    remind_review_steps(seoul(2026, 11, 10, 22))  # at night, late
    remind_review_steps(seoul(2026, 11, 14, 11))  # Saturday
    assert reminders(bob) == []


def test_quiet_hours_hold_the_reminder(cycle, bob):
    WorkProfile.objects.filter(user=bob).update(
        quiet_start=datetime.time(9), quiet_end=datetime.time(10)
    )
    remind_review_steps(seoul(2026, 11, 9, 9, 30))
    assert reminders(bob) == []
    remind_review_steps(seoul(2026, 11, 9, 10))
    assert len(reminders(bob)) == 1


def test_a_reminder_waits_for_the_recipients_own_hours(cycle, bob):
    WorkProfile.objects.filter(user=bob).update(time_zone="Europe/Berlin", holiday_country="DE")
    remind_review_steps(seoul(2026, 11, 10, 10))  # 02:00 in Berlin
    assert reminders(bob) == []
    remind_review_steps(seoul(2026, 11, 10, 17))  # 09:00 in Berlin
    assert len(reminders(bob)) == 1


def test_submitted_self_review_is_not_reminded(cycle, bob):
    participant = participant_of(cycle, bob)
    participant.self_submitted_at = seoul(2026, 11, 5, 10)
    participant.save(update_fields=["self_submitted_at"])
    remind_review_steps(seoul(2026, 11, 9, 9))
    assert reminders(bob, key_part=":self:") == []


def test_unanswered_feedback_is_reminded_by_its_reply_by(cycle, bob, dana):
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        request = services.do_request_feedback(
            bob, participant_of(cycle, bob), colleague=dana, message="Hi"
        )
    assert request.reply_by == seoul(2026, 11, 10, 18)
    remind_review_steps(seoul(2026, 11, 10, 9))
    assert [n.dedupe_key for n in reminders(dana, key_part="feedback")] == [
        f"reviews:feedback:{request.pk}:soon"
    ]


def test_assessors_are_reminded_then_calibrators(cycle, alice, bob, boss, ladder):
    remind_review_steps(seoul(2026, 11, 23, 9))
    participant = participant_of(cycle, bob)
    assert reminders(alice, key_part=f":assess:{participant.pk}:")
    services.do_save_assessment(alice, participant, competency="delivery", body="Ok", entry_ids=[])
    services.do_propose_level(alice, participant, level(ladder, 2).pk)
    remind_review_steps(seoul(2026, 11, 26, 9))
    assert reminders(alice, key_part=f":calibrate:{participant.pk}:")


def test_reminders_land_in_the_digest(cycle, bob):
    remind_review_steps(seoul(2026, 11, 9, 9))
    content = build_digest(bob, seoul(2026, 11, 9, 17))
    keys = [group.key for group in content.groups]
    assert f"review:{participant_of(cycle, bob).pk}" in keys


@pytest.fixture
def calibrated(cycle, alice, bob, boss, ladder, scale):
    PersonLevel.objects.create(person=bob, track_code="IC", number=2)
    Salary.objects.create(
        person=bob,
        amount=52_000_000,
        track_code="IC",
        number=2,
        step=1,
        effective_from=datetime.date(2026, 1, 1),
        status=SalaryStatus.APPROVED,
        reason="Hired",
    )
    participant = participant_of(cycle, bob)
    services.do_save_assessment(
        alice, participant, competency="delivery", body="Ready", entry_ids=[]
    )
    services.do_propose_level(alice, participant, level(ladder, 3).pk)
    services.do_calibrate(
        boss, participant, level_id=level(ladder, 3).pk, reason="Leads the migration work."
    )
    services.do_close_cycle(boss, cycle)
    return participant


def test_nothing_applies_before_the_share_date(calibrated, bob):
    assert share_due_results(seoul(2026, 12, 4, 10)) == 0
    assert PersonLevel.objects.get(person=bob).number == 2
    assert not LevelChange.objects.exists()


def test_share_date_records_the_level_with_cycle_and_reason_and_proposes_pay(
    calibrated, bob, cycle, boss
):
    assert share_due_results(seoul(2026, 12, 7, 10)) == 3  # alice, bob and dana
    assert share_due_results(seoul(2026, 12, 7, 10, 1)) == 0  # Once.
    change = LevelChange.objects.get(person=bob)
    assert (change.previous_number, change.number) == (2, 3)
    assert change.source == LevelChangeSource.CYCLE
    assert change.source_ref == f"reviews.cycle:{cycle.pk}"
    assert change.reason == "Leads the migration work."
    assert PersonLevel.objects.get(person=bob).number == 3
    # The pay is proposed, not changed: the current salary is still the old one.
    proposal = Salary.objects.get(person=bob, status=SalaryStatus.PROPOSED)
    assert (proposal.number, proposal.step, proposal.amount) == (3, 1, 62_000_000)
    assert proposal.cycle == cycle
    assert Salary.objects.current_for(bob).amount == 52_000_000
    told = Notification.objects.get(recipient=bob, dedupe_key=f"reviews:{cycle.pk}:shared")
    assert "shared" in told.title


def test_results_are_announced_only_in_working_hours(calibrated, bob, cycle):
    share_due_results(seoul(2026, 12, 7, 20))
    assert PersonLevel.objects.get(person=bob).number == 3  # applied at once
    assert not Notification.objects.filter(dedupe_key=f"reviews:{cycle.pk}:shared").exists()
    share_due_results(seoul(2026, 12, 8, 9))
    assert Notification.objects.filter(recipient=bob, dedupe_key=f"reviews:{cycle.pk}:shared")
