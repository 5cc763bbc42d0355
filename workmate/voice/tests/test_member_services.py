"""Member services: posting, editing within the window, votes, comments, following."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from workmate.accounts.models import OrgRole
from workmate.testing.factories import make_user
from workmate.voice import services
from workmate.voice.models import (
    Answer,
    Area,
    Proposal,
    ProposalComment,
    ProposalStatus,
    Subscription,
    Vote,
    author_digest_for,
)

NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


def post(user, **overrides) -> Proposal:
    fields = {
        "title": "Printer queue",
        "problem": "The printer jams every morning.",
        "suggestion": "Buy a new one.",
        "area": Area.WORKPLACE,
        "affected_teams": [],
        "anonymous": False,
    }
    fields.update(overrides)
    return services.do_post_proposal(user, **fields)


# --- Posting ---------------------------------------------------------------------------


def test_post_named_proposal_stores_author_digest_and_subscribes(bob, team):
    proposal = post(bob, affected_teams=[team])

    proposal.refresh_from_db()
    assert proposal.author == bob
    assert proposal.is_anonymous is False
    assert proposal.author_digest == author_digest_for(bob.pk, proposal.nonce)
    assert list(proposal.affected_teams.all()) == [team]
    assert proposal.status == ProposalStatus.NEW
    assert Subscription.objects.filter(proposal=proposal, user=bob).exists()


def test_post_anonymous_keeps_no_author_but_the_author_recognises_it(bob, charlie):
    proposal = post(bob, anonymous=True)

    proposal.refresh_from_db()
    assert proposal.author_id is None
    assert proposal.is_anonymous is True
    assert proposal.is_by(bob)
    assert not proposal.is_by(charlie)
    # The author follows it, through the proposal's flag: no row connects them to it.
    assert not Subscription.objects.filter(proposal=proposal).exists()
    assert proposal.author_follows
    assert services.is_following(bob, proposal)
    assert not services.is_following(charlie, proposal)
    assert services.followers_of(proposal) == [bob]


def test_each_proposal_has_its_own_nonce_so_digests_differ(bob):
    first, second = post(bob, anonymous=True), post(bob, anonymous=True)

    assert first.nonce != second.nonce
    assert first.author_digest != second.author_digest


@pytest.mark.parametrize("field", ["title", "problem"])
def test_empty_title_or_problem_is_refused_and_nothing_stored(bob, field):
    with pytest.raises(ValidationError) as caught:
        post(bob, **{field: "   "})

    assert field in caught.value.message_dict
    assert not Proposal.objects.exists()
    assert not Subscription.objects.exists()


def test_unknown_area_is_refused(bob):
    with pytest.raises(ValidationError):
        post(bob, area="snacks")

    assert not Proposal.objects.exists()


def test_text_is_trimmed(bob):
    proposal = post(bob, title="  Printer  ", problem=" jams \n")

    assert (proposal.title, proposal.problem) == ("Printer", "jams")


# --- Who sees what ---------------------------------------------------------------------


def test_is_lead_for_team_leads_executives_and_staff(alice, bob, charlie):
    executive = make_user(org_role=OrgRole.EXECUTIVE)
    staff = make_user(org_role=OrgRole.STAFF)

    assert services.is_lead(alice)
    assert services.is_lead(executive)
    assert services.is_lead(staff)
    assert not services.is_lead(bob)
    assert not services.is_lead(charlie)


def test_hidden_proposal_is_404_for_members_but_seen_by_leads_and_author(alice, bob, charlie):
    proposal = post(bob, anonymous=True)
    Proposal.objects.filter(pk=proposal.pk).update(hidden_at=timezone.now(), hidden_reason="x")

    with pytest.raises(Http404):
        services.get_proposal_for_user(charlie, proposal.pk)
    assert services.get_proposal_for_user(alice, proposal.pk) == proposal
    assert services.get_proposal_for_user(bob, proposal.pk) == proposal


def test_missing_proposal_is_404(bob):
    with pytest.raises(Http404):
        services.get_proposal_for_user(bob, 12345)


def test_proposals_by_lists_named_and_anonymous_of_that_person_only(bob, charlie):
    named = post(bob, title="Named")
    anonymous = post(bob, title="Secret", anonymous=True)
    post(charlie, title="Charlie's", anonymous=True)
    post(charlie, title="Charlie's named")

    assert {p.pk for p in services.proposals_by(bob)} == {named.pk, anonymous.pk}


# --- Editing ---------------------------------------------------------------------------


def edit(user, proposal, **overrides):
    fields = {
        "title": "Printer queue (edited)",
        "problem": "Jams at 9.",
        "suggestion": "",
        "area": Area.TOOLS,
        "affected_teams": [],
    }
    fields.update(overrides)
    return services.do_edit_proposal(user, proposal, **fields)


def test_author_edits_within_the_window(bob, team):
    with time_machine.travel(NOW, tick=False):
        proposal = post(bob, anonymous=True)
    with time_machine.travel(NOW + datetime.timedelta(minutes=59), tick=False):
        edit(bob, proposal, affected_teams=[team])

    proposal.refresh_from_db()
    assert proposal.title == "Printer queue (edited)"
    assert proposal.area == Area.TOOLS
    assert proposal.edited_at == NOW + datetime.timedelta(minutes=59)
    assert list(proposal.affected_teams.all()) == [team]
    assert proposal.author_id is None


def test_edit_after_the_window_is_refused(bob):
    with time_machine.travel(NOW, tick=False):
        proposal = post(bob)
    with time_machine.travel(NOW + datetime.timedelta(minutes=61), tick=False):
        with pytest.raises(PermissionDenied):
            edit(bob, proposal)
        assert not services.can_edit_proposal(bob, proposal)

    proposal.refresh_from_db()
    assert proposal.title == "Printer queue"


def test_edit_window_follows_the_setting(bob, settings):
    settings.VOICE_EDIT_WINDOW_MINUTES = 5
    with time_machine.travel(NOW, tick=False):
        proposal = post(bob)
    with (
        time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False),
        pytest.raises(PermissionDenied),
    ):
        edit(bob, proposal)


def test_edit_by_someone_else_is_refused(bob, charlie):
    proposal = post(bob, anonymous=True)

    with pytest.raises(PermissionDenied):
        edit(charlie, proposal)
    proposal.refresh_from_db()
    assert proposal.title == "Printer queue"


def test_edit_after_a_lead_answered_is_refused(alice, bob):
    proposal = post(bob)
    Answer.objects.create(
        proposal=proposal, lead=alice, from_status="new", to_status="under_review", body="Looking."
    )

    with pytest.raises(PermissionDenied):
        edit(bob, proposal)
    assert not services.can_edit_proposal(bob, proposal)


def test_edit_with_empty_problem_is_refused(bob):
    proposal = post(bob)

    with pytest.raises(ValidationError):
        edit(bob, proposal, problem="")
    proposal.refresh_from_db()
    assert proposal.problem == "The printer jams every morning."


# --- Votes -----------------------------------------------------------------------------


def test_vote_counts_once_and_a_second_vote_updates_the_comment(bob, charlie):
    proposal = post(bob)

    services.do_vote(charlie, proposal, "an hour a week")
    services.do_vote(charlie, proposal, "two hours a week")

    proposal.refresh_from_db()
    assert proposal.vote_count == 1
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert Vote.objects.get(proposal=proposal).comment == "two hours a week"


def test_vote_count_follows_votes_and_unvotes(alice, bob, charlie):
    proposal = post(bob)

    services.do_vote(alice, proposal)
    services.do_vote(charlie, proposal)
    assert proposal.vote_count == 2
    services.do_unvote(charlie, proposal)
    services.do_unvote(charlie, proposal)

    proposal.refresh_from_db()
    assert proposal.vote_count == 1
    assert list(Vote.objects.values_list("user", flat=True)) == [alice.pk]


def test_vote_on_merged_proposal_is_refused(alice, bob, charlie):
    kept = post(bob, title="Kept")
    merged = post(bob, title="Dup")
    Proposal.objects.filter(pk=merged.pk).update(status=ProposalStatus.MERGED, merged_into=kept)
    merged.refresh_from_db()

    with pytest.raises(ValidationError):
        services.do_vote(charlie, merged)
    merged.refresh_from_db()
    assert merged.vote_count == 0
    assert not Vote.objects.exists()


# --- Comments and subscriptions --------------------------------------------------------


def test_comment_is_stored_and_subscribes_the_commenter(bob, charlie):
    proposal = post(bob)

    services.do_comment(charlie, proposal, "  Same here.  ")

    comment = ProposalComment.objects.get()
    assert (comment.author, comment.body) == (charlie, "Same here.")
    assert Subscription.objects.filter(proposal=proposal, user=charlie).exists()


def test_empty_comment_is_refused(bob):
    proposal = post(bob)

    with pytest.raises(ValidationError):
        services.do_comment(bob, proposal, " ")
    assert not ProposalComment.objects.exists()


def test_subscribe_is_idempotent_and_unsubscribe_removes(bob, charlie):
    proposal = post(bob)

    services.do_subscribe(charlie, proposal)
    services.do_subscribe(charlie, proposal)
    assert Subscription.objects.filter(proposal=proposal, user=charlie).count() == 1
    services.do_unsubscribe(charlie, proposal)
    assert not Subscription.objects.filter(proposal=proposal, user=charlie).exists()


def test_seed_demo_posts_proposals_once_and_keeps_anonymous_authors_out(db):
    from io import StringIO

    from django.core.management import call_command

    from workmate.voice.models import Answer

    call_command("seed_demo", stdout=StringIO())
    count = Proposal.objects.count()
    assert count >= 3
    assert Proposal.objects.filter(is_anonymous=True, author__isnull=True).exists()
    assert not Proposal.objects.filter(is_anonymous=True, author__isnull=False).exists()
    assert Answer.objects.exists()
    call_command("seed_demo", stdout=StringIO())
    assert Proposal.objects.count() == count


def test_anonymous_author_unfollows_and_follows_again_without_a_row(bob, charlie):
    proposal = post(bob, anonymous=True)

    services.do_unsubscribe(bob, proposal)
    proposal.refresh_from_db()
    assert not proposal.author_follows and not services.is_following(bob, proposal)
    assert services.followers_of(proposal) == []

    services.do_comment(bob, proposal, "More detail.")
    services.do_subscribe(charlie, proposal)
    proposal.refresh_from_db()
    assert proposal.author_follows
    # Charlie's follow is a row of his own; the author's never is.
    assert list(Subscription.objects.values_list("user", flat=True)) == [charlie.pk]
    assert services.followers_of(proposal) == [bob, charlie]


def test_migration_turns_an_authors_row_into_the_flag(bob, charlie):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("workmate.voice.migrations.0004_anonymous_author_follows")
    proposal = post(bob, anonymous=True)
    Proposal.objects.filter(pk=proposal.pk).update(author_follows=False)
    Subscription.objects.create(proposal=proposal, user=bob)
    Subscription.objects.create(proposal=proposal, user=charlie)

    migration.authors_follow_by_flag(apps, None)

    proposal.refresh_from_db()
    assert proposal.author_follows
    assert list(Subscription.objects.values_list("user", flat=True)) == [charlie.pk]
