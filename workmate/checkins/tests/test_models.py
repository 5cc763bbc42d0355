"""Check-in models: questions, schedule, the one-row-per-occurrence rule."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from workmate.checkins.models import Checkin, CheckinResponse, default_questions
from workmate.checkins.tests.conftest import make_checkin, make_response

FRIDAY = datetime.date(2025, 11, 21)


def test_default_questions_are_done_next_blocked():
    with translation.override("en"):
        assert default_questions() == ["Done", "Next", "Blocked"]


def test_one_row_per_person_and_occurrence(checkin, bob):
    make_response(checkin, bob, FRIDAY)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_response(checkin, bob, FRIDAY)

    make_response(checkin, bob, FRIDAY + datetime.timedelta(days=7))
    assert CheckinResponse.objects.filter(checkin=checkin, person=bob).count() == 2


def test_weekly_needs_a_weekday_in_the_database(team, cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_checkin(team, cast[0], weekday=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_checkin(team, cast[0], weekday=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_checkin(team, cast[0], frequency="daily", weekday=2)
    assert not Checkin.objects.exists()


def test_sent_answer_must_have_answers(checkin, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_response(checkin, bob, FRIDAY, submitted_at=datetime.datetime.now(datetime.UTC))
    assert not CheckinResponse.objects.exists()


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "Ask at least one question."),
        (["Done", "  "], "A question cannot be empty."),
        ("Done", "Ask at least one question."),
        (["Q"] * 11, "Ask at most 10 questions."),
        (["x" * 201], "Keep each question under 200 characters."),
    ],
)
def test_questions_are_validated(team, cast, questions, message):
    checkin = Checkin(team=team, created_by=cast[0], title="T", questions=questions, weekday=4)

    with pytest.raises(ValidationError) as caught:
        checkin.full_clean()

    assert message in caught.value.message_dict["questions"]


def test_clean_requires_weekday_for_weekly_and_drops_it_for_daily(team, cast):
    weekly = Checkin(team=team, created_by=cast[0], title="T", weekday=None)
    with pytest.raises(ValidationError) as caught:
        weekly.full_clean()
    assert "weekday" in caught.value.message_dict

    daily = Checkin(team=team, created_by=cast[0], title="T", frequency="daily", weekday=3)
    daily.full_clean()
    assert daily.weekday is None


def test_schedule_reads_naturally(team, cast):
    weekly = make_checkin(team, cast[0], weekday=4, time_of_day=datetime.time(16, 30))
    daily = make_checkin(
        team, cast[0], frequency="daily", weekday=None, time_of_day=datetime.time(9)
    )

    assert weekly.schedule_display() == "Every Fri at 16:30"
    assert daily.schedule_display() == "Every working day at 09:00"


def test_pairs_line_answers_up_with_the_questions_of_their_occurrence(checkin, bob):
    response = make_response(checkin, bob, FRIDAY, answers=["Shipped it"])
    checkin.questions = ["Something else"]
    checkin.save()
    response.refresh_from_db()

    assert response.pairs() == [("Done", "Shipped it"), ("Next", ""), ("Blocked", "")]
