"""Merging duplicates: votes and subscribers move, nothing merges into itself or a cycle."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.testing.factories import make_user
from workmate.voice import leads, services
from workmate.voice.models import Answer, Area, Proposal, ProposalStatus, Subscription, Vote

S = ProposalStatus


def post(user, title: str = "Coffee machine") -> Proposal:
    return services.do_post_proposal(
        user, title=title, problem="It is broken.", area=Area.WORKPLACE
    )


@pytest.fixture
def pair(alice, bob):
    return post(bob, "Coffee machine broken"), post(alice, "Fix the coffee machine")


def test_merge_moves_votes_and_subscribers(alice, bob, pair):
    duplicate, kept = pair
    both, only_dup = make_user(), make_user()
    for person in (both, only_dup):
        services.do_vote(person, duplicate, "I lose 10 minutes a day.")
    services.do_vote(both, kept)
    Subscription.objects.create(proposal=duplicate, user=only_dup)
    leads.do_merge(alice, duplicate, kept, "Same as the other one.")
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.status == S.MERGED and duplicate.merged_into == kept
    assert set(kept.votes.values_list("user_id", flat=True)) == {both.pk, only_dup.pk}
    assert kept.votes.get(user=only_dup).comment == "I lose 10 minutes a day."
    assert not duplicate.votes.exists()
    assert (duplicate.vote_count, kept.vote_count) == (0, 2)
    # Bob (the duplicate's author) and the extra follower now follow the kept one, once each.
    assert set(kept.subscriptions.values_list("user_id", flat=True)) == {
        alice.pk,
        bob.pk,
        only_dup.pk,
    }
    assert not duplicate.subscriptions.exists()
    answer = Answer.objects.get(proposal=duplicate)
    assert (answer.from_status, answer.to_status, answer.body) == (
        S.NEW,
        S.MERGED,
        "Same as the other one.",
    )


def test_not_into_itself(alice, pair):
    duplicate, _kept = pair
    with pytest.raises(ValidationError, match="itself"):
        leads.do_merge(alice, duplicate, duplicate, "Same.")
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW


def test_not_into_a_merged_one(alice, bob, pair):
    duplicate, kept = pair
    third = post(bob, "Coffee again")
    leads.do_merge(alice, kept, third, "Same.")
    kept.refresh_from_db()
    with pytest.raises(ValidationError):
        leads.do_merge(alice, duplicate, kept, "Same.")
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW and duplicate.merged_into is None


def test_reopening_a_merged_one_unlinks_it(alice, pair):
    duplicate, kept = pair
    leads.do_merge(alice, duplicate, kept, "Same.")
    leads.do_change_status(alice, duplicate, S.UNDER_REVIEW, "Not quite the same after all.")
    duplicate.refresh_from_db()
    assert duplicate.status == S.UNDER_REVIEW and duplicate.merged_into is None
    # Now either may be merged into the other again.
    leads.do_merge(alice, kept, duplicate, "This one says it better.")
    kept.refresh_from_db()
    assert kept.merged_into == duplicate


def test_no_cycles(alice, pair, bob):
    duplicate, kept = pair
    third = post(bob, "Coffee, third time")
    # Data from before the reopen rule (or edited by hand) can chain open proposals:
    # kept -> third -> duplicate. Merging the duplicate into kept would close the loop.
    Proposal.objects.filter(pk=kept.pk).update(merged_into=third)
    Proposal.objects.filter(pk=third.pk).update(merged_into=duplicate)
    kept.refresh_from_db()
    with pytest.raises(ValidationError, match="cycle"):
        leads.do_merge(alice, duplicate, kept, "Same.")
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW and duplicate.merged_into is None


def test_needs_an_answer_and_a_lead(alice, bob, pair):
    duplicate, kept = pair
    services.do_vote(bob, duplicate)
    with pytest.raises(ValidationError):
        leads.do_merge(alice, duplicate, kept, " ")
    with pytest.raises(PermissionDenied):
        leads.do_merge(bob, duplicate, kept, "Same.")
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW
    assert Vote.objects.get(user=bob).proposal_id == duplicate.pk


def test_merge_view(client, alice, bob, pair):
    duplicate, kept = pair
    client.force_login(alice)
    url = f"/voice/{duplicate.pk}/merge/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"kept": kept.pk, "answer": "Duplicate."})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept


def test_merge_view_htmx_error_and_outsider(client, alice, bob, pair):
    duplicate, kept = pair
    client.force_login(alice)
    response = client.post(
        f"/voice/{duplicate.pk}/merge/", {"kept": kept.pk, "answer": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"<html" not in response.content
    client.force_login(bob)
    response = client.post(f"/voice/{duplicate.pk}/merge/", {"kept": kept.pk, "answer": "x"})
    assert response.status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.status == S.NEW
