"""Peer feedback: who may be asked, the reply-by in the colleague's own working time, the
answers, and who reads them before and after the cycle."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from workmate.accounts.models import WorkProfile
from workmate.inbox.models import Kind, Notification
from workmate.levels.models import EntryKind, LedgerEntry
from workmate.reviews import services
from workmate.reviews.models import FeedbackAnswer, FeedbackRequest
from workmate.reviews.tests.conftest import participant_of, seoul
from workmate.testing.factories import add_member, make_user

TUESDAY = seoul(2026, 11, 3, 10)


@pytest.fixture
def at_tuesday():
    with time_machine.travel(TUESDAY, tick=False):
        yield


def ask(cycle, person, colleague, message="What should I keep doing?"):
    return services.do_request_feedback(
        person, participant_of(cycle, person), colleague=colleague, message=message
    )


def test_asking_yourself_is_refused(cycle, bob, at_tuesday):
    with pytest.raises(ValidationError, match="not yourself"):
        ask(cycle, bob, bob)
    assert not FeedbackRequest.objects.exists()


def test_asking_outside_the_company_is_refused(cycle, bob, charlie, at_tuesday):
    # Charlie signs in but belongs to no team; an inactive former colleague neither.
    former = make_user(full_name="Former Colleague", is_active=False)
    for outsider in (charlie, former, None):
        with pytest.raises(ValidationError, match="colleague in the company"):
            ask(cycle, bob, outsider)
    assert not FeedbackRequest.objects.exists()


def test_at_most_five_colleagues_and_each_once(cycle, bob, team, at_tuesday):
    colleagues = []
    for n in range(6):
        person = make_user(full_name=f"Peer {n}")
        add_member(team, person)
        colleagues.append(person)
    for person in colleagues[:5]:
        ask(cycle, bob, person)
    with pytest.raises(ValidationError, match="at most 5"):
        ask(cycle, bob, colleagues[5])
    assert FeedbackRequest.objects.count() == 5


def test_the_same_colleague_twice_is_refused(cycle, bob, dana, at_tuesday):
    ask(cycle, bob, dana)
    with pytest.raises(ValidationError, match="already asked"):
        ask(cycle, bob, dana)


def test_the_request_reaches_the_colleague_through_the_inbox(cycle, bob, dana, at_tuesday):
    request = ask(cycle, bob, dana, "How did the migration go for you?")
    note = Notification.objects.get(
        recipient=dana, kind=Kind.REVIEW, group_key=f"feedback:{request.pk}"
    )
    assert note.excerpt == "How did the migration go for you?"
    assert note.actor == bob
    assert "Bob Lee" in note.title


def test_reply_by_is_five_of_the_colleagues_working_days(cycle, bob, erin, at_tuesday):
    # Erin works Tuesday to Saturday in Berlin, 08–16.
    WorkProfile.objects.filter(user=erin).update(
        time_zone="Europe/Berlin",
        work_days=[1, 2, 3, 4, 5],
        work_start=datetime.time(8),
        work_end=datetime.time(16),
        holiday_country="DE",
    )
    erin.refresh_from_db()
    request = ask(cycle, bob, erin)
    # Asked Tue 3 Nov 02:00 in Berlin: Wed, Thu, Fri, Sat, Tue → Tue 10 Nov 16:00 Berlin.
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    assert request.reply_by == datetime.datetime(2026, 11, 10, 16, tzinfo=berlin)


def test_reply_by_never_passes_the_cycles_feedback_deadline(cycle, bob, dana):
    with time_machine.travel(seoul(2026, 11, 12, 10), tick=False):
        request = ask(cycle, bob, dana)
    assert request.reply_by == cycle.feedback_due


def test_too_late_to_ask_is_refused(cycle, bob, dana):
    late = time_machine.travel(seoul(2026, 11, 16, 11), tick=False)
    with late, pytest.raises(ValidationError, match="Too late"):
        ask(cycle, bob, dana)


def test_answer_per_competency_once_and_ledger_credits_the_giver(cycle, bob, dana, alice):
    with time_machine.travel(TUESDAY, tick=False):
        request = ask(cycle, bob, dana)
    services.do_answer_feedback(
        dana,
        request,
        [
            services.AnswerIn("delivery", "Always shipped on time."),
            services.AnswerIn("collaboration", "Could share earlier.", lead_only=True),
            services.AnswerIn("technical_depth", "   "),
        ],
    )
    request.refresh_from_db()
    assert request.answered_at is not None
    assert set(FeedbackAnswer.objects.values_list("competency", "lead_only")) == {
        ("delivery", False),
        ("collaboration", True),
    }
    entry = LedgerEntry.objects.get(person=dana, kind=EntryKind.PEER_FEEDBACK_GIVEN)
    assert entry.competency == "collaboration"
    assert Notification.objects.filter(recipient=alice, group_key=f"feedback:{request.pk}")
    with pytest.raises(ValidationError, match="already answered"):
        services.do_answer_feedback(dana, request, [services.AnswerIn("delivery", "Again")])
    assert FeedbackAnswer.objects.count() == 2


def test_only_the_colleague_answers(cycle, bob, dana, alice, at_tuesday):
    request = ask(cycle, bob, dana)
    for someone in (bob, alice):
        with pytest.raises(PermissionDenied):
            services.do_answer_feedback(someone, request, [services.AnswerIn("delivery", "x")])


def test_an_empty_answer_is_refused(cycle, bob, dana, at_tuesday):
    request = ask(cycle, bob, dana)
    with pytest.raises(ValidationError):
        services.do_answer_feedback(dana, request, [services.AnswerIn("delivery", "  ")])
    request.refresh_from_db()
    assert request.answered_at is None


@pytest.fixture
def answered(cycle, bob, dana):
    with time_machine.travel(TUESDAY, tick=False):
        request = ask(cycle, bob, dana)
    services.do_answer_feedback(
        dana,
        request,
        [
            services.AnswerIn("delivery", "Shared answer"),
            services.AnswerIn("collaboration", "Lead-only answer", lead_only=True),
        ],
    )
    request.refresh_from_db()
    return request


def bodies(user, request):
    return {answer.body for answer in services.visible_answers(user, request)}


def test_the_lead_reads_every_answer_during_the_cycle(answered, alice, boss):
    assert bodies(alice, answered) == {"Shared answer", "Lead-only answer"}
    assert bodies(boss, answered) == {"Shared answer", "Lead-only answer"}


def test_the_person_reads_nothing_during_the_cycle(answered, bob):
    with pytest.raises(Http404):
        services.get_feedback_request_for_user(bob, answered.pk)
    assert bodies(bob, answered) == set()


def test_the_person_reads_shared_answers_only_after_the_share_date(answered, bob, boss, cycle):
    services.do_close_cycle(boss, cycle)
    with time_machine.travel(seoul(2026, 12, 7, 8, 59), tick=False), pytest.raises(Http404):
        services.get_feedback_request_for_user(bob, answered.pk)
    with time_machine.travel(seoul(2026, 12, 7, 9), tick=False):
        assert services.get_feedback_request_for_user(bob, answered.pk) == answered
        assert bodies(bob, answered) == {"Shared answer"}


def test_others_never_read_answers(answered, erin, frank, charlie, payer, admin_user, boss, cycle):
    services.do_close_cycle(boss, cycle)
    with time_machine.travel(seoul(2026, 12, 8, 10), tick=False):
        for someone in (erin, frank, charlie, payer, admin_user):
            with pytest.raises(Http404):
                services.get_feedback_request_for_user(someone, answered.pk)
            assert bodies(someone, answered) == set()
