"""Status changes with an answer: the rules, the first answer, the mail to subscribers."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from workmate.testing.factories import make_user
from workmate.voice import leads, services
from workmate.voice.models import Answer, Area, Proposal, ProposalStatus, Subscription

S = ProposalStatus

# Inside everyone's working hours: the inbox mails answers at once then.
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def post(user, anonymous: bool = False, **overrides) -> Proposal:
    fields = {"title": "Slow VPN", "problem": "The VPN drops at noon.", "area": Area.TOOLS}
    fields.update(overrides)
    return services.do_post_proposal(user, anonymous=anonymous, **fields)


@pytest.fixture
def secret_author(db):
    return make_user(email="zz-secret-author@example.com", full_name="Zelda Secretauthor")


def test_lead_answers_and_moves_to_under_review(alice, bob):
    proposal = post(bob)
    answer = leads.do_change_status(alice, proposal, S.UNDER_REVIEW, "  We are looking at it. ")
    proposal.refresh_from_db()
    assert proposal.status == S.UNDER_REVIEW
    assert proposal.first_answer_at == answer.created_at
    assert (answer.from_status, answer.to_status, answer.body) == (
        S.NEW,
        S.UNDER_REVIEW,
        "We are looking at it.",
    )


def test_first_answer_time_is_kept_on_later_answers(alice, bob):
    proposal = post(bob)
    first = leads.do_change_status(alice, proposal, S.UNDER_REVIEW, "Looking.")
    leads.do_change_status(alice, proposal, S.PLANNED, "Planned for Q1.")
    proposal.refresh_from_db()
    assert proposal.first_answer_at == first.created_at
    assert proposal.answers.count() == 2


def test_full_path_and_moving_back(alice, bob):
    proposal = post(bob)
    for status in (S.UNDER_REVIEW, S.PLANNED, S.UNDER_REVIEW, S.PLANNED, S.IN_PROGRESS, S.DONE):
        leads.do_change_status(alice, proposal, status, f"Now {status}.")
    proposal.refresh_from_db()
    assert proposal.status == S.DONE
    assert list(proposal.answers.values_list("to_status", flat=True))[-1] == S.DONE


def test_answer_without_changing_status(alice, bob):
    proposal = post(bob)
    leads.do_change_status(alice, proposal, S.NEW, "Thanks, a question: which office?")
    proposal.refresh_from_db()
    assert proposal.status == S.NEW
    assert proposal.first_answer_at is not None
    assert Answer.objects.get().from_status == Answer.objects.get().to_status == S.NEW


@pytest.mark.parametrize("status", [S.UNDER_REVIEW, S.DECLINED, S.NEW])
def test_change_needs_an_answer(alice, bob, status):
    proposal = post(bob)
    with pytest.raises(ValidationError) as error:
        leads.do_change_status(alice, proposal, status, "   ")
    assert "answer" in error.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == S.NEW and proposal.first_answer_at is None
    assert not Answer.objects.exists()


def test_declining_asks_for_the_reason(alice, bob):
    proposal = post(bob)
    with pytest.raises(ValidationError, match="reason"):
        leads.do_change_status(alice, proposal, S.DECLINED, "")


def test_non_lead_cannot_answer(bob, charlie):
    proposal = post(bob)
    for person in (bob, charlie):
        with pytest.raises(PermissionDenied):
            leads.do_change_status(person, proposal, S.UNDER_REVIEW, "I approve my own idea.")
    assert not Answer.objects.exists()


def test_executive_counts_as_lead(bob):
    boss = make_user(org_role="executive")
    proposal = post(bob)
    leads.do_change_status(boss, proposal, S.PLANNED, "Budget approved.")
    proposal.refresh_from_db()
    assert proposal.status == S.PLANNED


@pytest.mark.parametrize("target", [S.MERGED, "nonsense"])
def test_unreachable_statuses_are_refused(alice, bob, target):
    proposal = post(bob)
    with pytest.raises(ValidationError):
        leads.do_change_status(alice, proposal, target, "Merging by hand.")
    proposal.refresh_from_db()
    assert proposal.status == S.NEW


def test_closed_proposal_reopens_only_to_under_review(alice, bob):
    proposal = post(bob)
    leads.do_change_status(alice, proposal, S.DECLINED, "Out of budget.")
    with pytest.raises(ValidationError):
        leads.do_change_status(alice, proposal, S.PLANNED, "Changed our mind.")
    proposal.refresh_from_db()
    assert proposal.status == S.DECLINED
    leads.do_change_status(alice, proposal, S.UNDER_REVIEW, "Budget came back, reviewing again.")
    proposal.refresh_from_db()
    assert proposal.status == S.UNDER_REVIEW


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_subscribers_get_the_answer_in_their_language(
    alice, bob, django_capture_on_commit_callbacks
):
    korean = make_user(language="ko", email="ko@example.com")
    proposal = post(bob)
    Subscription.objects.create(proposal=proposal, user=korean)
    Subscription.objects.create(proposal=proposal, user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        leads.do_change_status(alice, proposal, S.PLANNED, "Ordered new VPN hardware.")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    # The lead who answered is not mailed their own answer.
    assert set(by_recipient) == {"bob@example.com", "ko@example.com"}
    english = by_recipient["bob@example.com"]
    assert "Ordered new VPN hardware." in english.body
    assert f"{settings.SITE_URL}/voice/{proposal.pk}/" in english.body
    assert "Alice Kim answered" in english.body
    assert "Planned" in english.body
    assert "계획됨" in by_recipient["ko@example.com"].body


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_mail_never_names_an_anonymous_author(
    alice, bob, secret_author, django_capture_on_commit_callbacks
):
    proposal = post(secret_author, anonymous=True)
    Subscription.objects.create(proposal=proposal, user=bob)
    with django_capture_on_commit_callbacks(execute=True):
        leads.do_change_status(alice, proposal, S.UNDER_REVIEW, "Looking into it.")
    assert len(mail.outbox) == 2  # The author follows their own proposal, and Bob.
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Secretauthor" not in text and "zz-secret-author" not in text
        assert "Looking into it." in message.body
    to_bob = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    assert "zz-secret-author" not in str(to_bob.message())


def test_rolled_back_change_sends_nothing(alice, bob, django_capture_on_commit_callbacks):
    proposal = post(bob)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        leads.do_change_status(alice, proposal, S.PLANNED, "Planned.")
        raise RuntimeError("boom")
    assert mail.outbox == []
    assert not Answer.objects.exists()
