"""The voice admin: proposals viewable without unmasking anyone; the rest read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_user
from workmate.voice import services
from workmate.voice.models import Answer, Area, ModerationLog, Proposal, ProposalComment, Vote


@pytest.fixture
def superuser(db):
    return make_user(full_name="Root Admin", is_staff=True, is_superuser=True)


def post(user, **overrides) -> Proposal:
    fields = {"title": "Printer queue", "problem": "Jams.", "area": Area.TOOLS}
    fields.update(overrides)
    return services.do_post_proposal(user, **fields)


def test_named_proposal_shows_its_author(client, superuser, bob):
    proposal = post(bob)
    client.force_login(superuser)

    changelist = client.get(reverse("admin:voice_proposal_changelist")).content.decode()
    change = client.get(reverse("admin:voice_proposal_change", args=[proposal.pk]))

    assert "Bob Lee" in changelist
    assert "Bob Lee" in change.content.decode()
    assert 'name="author"' not in change.content.decode()
    assert proposal.author_digest not in change.content.decode()


def test_search_finds_by_title(client, superuser, bob):
    post(bob, title="Printer queue")
    post(bob, title="Cold office")
    client.force_login(superuser)

    html = client.get(reverse("admin:voice_proposal_changelist"), {"q": "printer"}).content.decode()

    assert "Printer queue" in html and "Cold office" not in html


def test_proposals_cannot_be_added_or_deleted_in_the_admin(client, superuser, bob):
    proposal = post(bob)
    client.force_login(superuser)

    assert client.get(reverse("admin:voice_proposal_add")).status_code == 403
    response = client.post(
        reverse("admin:voice_proposal_delete", args=[proposal.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Proposal.objects.filter(pk=proposal.pk).exists()


def test_admin_cannot_change_status_or_words(client, superuser, bob, team):
    proposal = post(bob)
    client.force_login(superuser)

    client.post(
        reverse("admin:voice_proposal_change", args=[proposal.pk]),
        {
            "title": "Changed",
            "problem": "Changed",
            "status": "done",
            "area": "process",
            "affected_teams": [team.pk],
        },
    )

    proposal.refresh_from_db()
    assert (proposal.title, proposal.problem, proposal.status) == ("Printer queue", "Jams.", "new")
    assert proposal.area == "process"


def test_votes_comments_answers_and_log_are_read_only(client, superuser, alice, bob, charlie):
    proposal = post(bob)
    vote = services.do_vote(charlie, proposal, "an hour")
    comment = services.do_comment(charlie, proposal, "Same.")
    answer = Answer.objects.create(
        proposal=proposal, lead=alice, from_status="new", to_status="planned", body="Yes."
    )
    log = ModerationLog.objects.create(
        proposal=proposal, moderator=alice, action="hide", reason="test"
    )
    client.force_login(superuser)

    for model, item in (
        ("vote", vote),
        ("proposalcomment", comment),
        ("answer", answer),
        ("moderationlog", log),
    ):
        assert client.get(reverse(f"admin:voice_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:voice_{model}_change", args=[item.pk])).status_code == 200
        assert client.get(reverse(f"admin:voice_{model}_add")).status_code == 403
        deleted = client.post(
            reverse(f"admin:voice_{model}_delete", args=[item.pk]), {"post": "yes"}
        )
        assert deleted.status_code == 403
    assert Vote.objects.count() == 1
    assert ProposalComment.objects.count() == 1
    assert Answer.objects.count() == 1
    assert ModerationLog.objects.count() == 1
