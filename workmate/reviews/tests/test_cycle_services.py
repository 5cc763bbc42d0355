"""A cycle's steps, deadlines and rules, through the services, on a frozen clock."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.accounts.models import CompanyDayOff
from workmate.inbox.models import Kind, Notification
from workmate.reviews import services
from workmate.reviews.models import (
    AssessmentItem,
    ReviewCycle,
    SelfReviewItem,
    Step,
)
from workmate.reviews.tests.conftest import OPENED, level, make_entry, participant_of, seoul


def test_open_cycle_counts_working_days_per_step(cycle):
    # Opened Monday 2 Nov 10:00; 5, 5, 5 and 3 working days, each from the step before.
    assert cycle.self_due == seoul(2026, 11, 9, 18)
    assert cycle.feedback_due == seoul(2026, 11, 16, 18)
    assert cycle.assessment_due == seoul(2026, 11, 23, 18)
    assert cycle.calibration_due == seoul(2026, 11, 26, 18)
    assert cycle.ladder_version.number == 1


def test_deadlines_skip_company_days_off(ladder, team, alice, bob, boss):
    CompanyDayOff.objects.create(date=datetime.date(2026, 11, 4), name="Foundation day")
    with time_machine.travel(OPENED, tick=False):
        opened = services.do_open_cycle(
            boss,
            name="With a day off",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(5, 5, 5, 3),
            share_on=datetime.date(2026, 12, 7),
        )
    assert opened.self_due == seoul(2026, 11, 10, 18)


def test_every_active_team_member_takes_part_and_is_told(cycle, alice, bob, dana):
    people = set(cycle.participants.values_list("person__email", flat=True))
    assert people == {"alice@example.com", "bob@example.com", "dana@example.com"}
    told = Notification.objects.filter(kind=Kind.REVIEW, recipient=bob)
    assert told.count() == 1
    assert "2026 H2" in told.get().title


def test_only_executives_open_cycles(ladder, team, alice):
    with pytest.raises(PermissionDenied):
        services.do_open_cycle(
            alice,
            name="Mine",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(),
            share_on=datetime.date(2027, 1, 30),
        )
    assert not ReviewCycle.objects.exists()


def test_share_date_before_calibration_is_refused(ladder, team, alice, boss):
    with time_machine.travel(OPENED, tick=False), pytest.raises(ValidationError) as error:
        services.do_open_cycle(
            boss,
            name="Too early",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 10, 31),
            teams=[team],
            days=services.CycleDays(5, 5, 5, 3),
            share_on=datetime.date(2026, 11, 20),
        )
    assert "share_on" in error.value.message_dict
    assert not ReviewCycle.objects.exists()


def test_step_follows_the_deadlines(cycle):
    assert cycle.step(seoul(2026, 11, 9, 17, 59)) == Step.SELF
    assert cycle.step(seoul(2026, 11, 9, 18)) == Step.FEEDBACK
    assert cycle.step(seoul(2026, 11, 17, 9)) == Step.ASSESSMENT
    assert cycle.step(seoul(2026, 11, 24, 9)) == Step.CALIBRATION


def test_self_review_cites_own_entries(cycle, bob):
    participant = participant_of(cycle, bob)
    entries = [make_entry(bob, title=f"Task {n}") for n in range(3)]
    item = services.do_save_self_review(
        bob,
        participant,
        competency="delivery",
        body="Shipped the migration.",
        entry_ids=[e.pk for e in entries],
    )
    assert set(item.entries.values_list("pk", flat=True)) == {e.pk for e in entries}


def test_citing_someone_elses_entry_is_refused_and_nothing_saved(cycle, bob, dana):
    participant = participant_of(cycle, bob)
    mine = make_entry(bob)
    theirs = make_entry(dana)
    with pytest.raises(ValidationError) as error:
        services.do_save_self_review(
            bob,
            participant,
            competency="delivery",
            body="Borrowed glory.",
            entry_ids=[mine.pk, theirs.pk],
        )
    assert "entries" in error.value.message_dict
    assert not SelfReviewItem.objects.exists()


def test_only_the_person_writes_their_self_review(cycle, alice, bob):
    with pytest.raises(PermissionDenied):
        services.do_save_self_review(
            alice, participant_of(cycle, bob), competency="delivery", body="x", entry_ids=[]
        )


def test_unknown_competency_is_refused(cycle, bob):
    with pytest.raises(ValidationError):
        services.do_save_self_review(
            bob, participant_of(cycle, bob), competency="charisma", body="x", entry_ids=[]
        )


def test_submit_needs_writing_and_two_peers(cycle, bob, dana, alice, erin):
    participant = participant_of(cycle, bob)
    with pytest.raises(ValidationError):
        services.do_submit_self_review(bob, participant)
    services.do_save_self_review(
        bob, participant, competency="delivery", body="Did things.", entry_ids=[]
    )
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        services.do_request_feedback(bob, participant, colleague=dana, message="How was I?")
        with pytest.raises(ValidationError):
            services.do_submit_self_review(bob, participant)
        services.do_request_feedback(bob, participant, colleague=erin, message="And with OPS?")
        services.do_submit_self_review(bob, participant)
    participant.refresh_from_db()
    assert participant.self_submitted_at is not None
    assert Notification.objects.filter(recipient=alice, group_key=f"review:{participant.pk}")
    with pytest.raises(ValidationError):
        services.do_save_self_review(
            bob, participant, competency="delivery", body="Changed my mind", entry_ids=[]
        )


def test_lead_assessment_cites_the_persons_entries_only(cycle, alice, bob, dana):
    participant = participant_of(cycle, bob)
    entry = make_entry(bob)
    with pytest.raises(ValidationError):
        services.do_save_assessment(
            alice,
            participant,
            competency="delivery",
            body="Good",
            entry_ids=[make_entry(dana).pk],
        )
    item = services.do_save_assessment(
        alice, participant, competency="delivery", body="Solid delivery.", entry_ids=[entry.pk]
    )
    assert list(item.entries.all()) == [entry]


def test_nobody_assesses_themselves_nor_another_teams_lead(cycle, alice, frank, bob):
    with pytest.raises(PermissionDenied):
        services.do_save_assessment(
            alice, participant_of(cycle, alice), competency="delivery", body="Me", entry_ids=[]
        )
    with pytest.raises(PermissionDenied):
        services.do_save_assessment(
            frank, participant_of(cycle, bob), competency="delivery", body="Hm", entry_ids=[]
        )
    assert not AssessmentItem.objects.exists()


def test_propose_then_calibrate_with_reason(cycle, alice, bob, boss, ladder):
    participant = participant_of(cycle, bob)
    with pytest.raises(ValidationError):  # No assessment written yet.
        services.do_propose_level(alice, participant, level(ladder, 3).pk)
    services.do_save_assessment(
        alice, participant, competency="delivery", body="Ready for L3.", entry_ids=[]
    )
    services.do_propose_level(alice, participant, level(ladder, 3).pk)
    with pytest.raises(ValidationError):  # A reason is required.
        services.do_calibrate(boss, participant, level_id=level(ladder, 3).pk, reason=" ")
    services.do_calibrate(
        boss, participant, level_id=level(ladder, 3).pk, reason="Consistent across teams."
    )
    participant.refresh_from_db()
    assert participant.proposed_level.number == 3
    assert participant.final_level.number == 3
    assert participant.calibrated_by == boss


def test_a_closed_cycle_refuses_every_edit(cycle, alice, bob, dana, boss, ladder):
    participant = participant_of(cycle, bob)
    services.do_save_assessment(alice, participant, competency="delivery", body="Ok", entry_ids=[])
    services.do_propose_level(alice, participant, level(ladder, 2).pk)
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        request = services.do_request_feedback(bob, participant, colleague=dana, message="Hi")
    services.do_close_cycle(boss, cycle)
    attempts = [
        lambda: services.do_save_self_review(
            bob, participant, competency="delivery", body="Late", entry_ids=[]
        ),
        lambda: services.do_submit_self_review(bob, participant),
        lambda: services.do_request_feedback(bob, participant, colleague=alice, message="Hi"),
        lambda: services.do_answer_feedback(
            dana, request, [services.AnswerIn("delivery", "Great")]
        ),
        lambda: services.do_save_assessment(
            alice, participant, competency="delivery", body="Edit", entry_ids=[]
        ),
        lambda: services.do_propose_level(alice, participant, level(ladder, 3).pk),
        lambda: services.do_calibrate(
            boss, participant, level_id=level(ladder, 3).pk, reason="After close"
        ),
        lambda: services.do_close_cycle(boss, cycle),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="closed"):
            attempt()
    participant.refresh_from_db()
    assert participant.final_level is None
    assert participant.proposed_level.number == 2
    assert AssessmentItem.objects.get().body == "Ok"
    assert not SelfReviewItem.objects.exists()


def test_only_executives_close(cycle, alice):
    with pytest.raises(PermissionDenied):
        services.do_close_cycle(alice, cycle)
    cycle.refresh_from_db()
    assert cycle.closed_at is None
