"""Moderation: hide with a logged reason, show again, never delete; leads still read it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.voice import leads, services
from workmate.voice.models import (
    Area,
    ModerationAction,
    ModerationLog,
    Proposal,
    ProposalComment,
)


@pytest.fixture
def proposal(bob) -> Proposal:
    return services.do_post_proposal(
        bob, title="Rude title", problem="Something abusive here.", area=Area.OTHER
    )


@pytest.fixture
def comment(proposal, charlie) -> ProposalComment:
    return services.do_comment(charlie, proposal, "An insulting remark.")


def test_hide_and_unhide_a_proposal(alice, proposal):
    log = leads.do_hide(alice, proposal, "Insults a colleague.")
    proposal.refresh_from_db()
    assert proposal.hidden_at is not None and proposal.hidden_reason == "Insults a colleague."
    assert log.action == ModerationAction.HIDE and log.moderator == alice
    assert "Something abusive here." in log.previous_text
    leads.do_unhide(alice, proposal, "Edited by the author.")
    proposal.refresh_from_db()
    assert proposal.hidden_at is None and proposal.hidden_reason == ""
    assert list(ModerationLog.objects.values_list("action", flat=True)) == ["unhide", "hide"]
    assert Proposal.objects.filter(pk=proposal.pk, problem="Something abusive here.").exists()


def test_hide_a_comment_keeps_its_text(alice, proposal, comment):
    leads.do_hide(alice, proposal, "Insulting.", comment)
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.body == "An insulting remark."
    log = ModerationLog.objects.get()
    assert log.comment == comment and log.previous_text == "An insulting remark."
    proposal.refresh_from_db()
    assert proposal.hidden_at is None


def test_reason_is_required_and_non_leads_cannot(alice, bob, proposal):
    with pytest.raises(ValidationError):
        leads.do_hide(alice, proposal, "  ")
    with pytest.raises(PermissionDenied):
        leads.do_hide(bob, proposal, "I regret it.")
    proposal.refresh_from_db()
    assert proposal.hidden_at is None
    assert not ModerationLog.objects.exists()


def test_hidden_comment_shows_reason_to_members_and_text_to_leads(
    client, alice, bob, proposal, comment
):
    leads.do_hide(alice, proposal, "Personal attack.", comment)
    client.force_login(bob)
    page = client.get(f"/voice/{proposal.pk}/").content.decode()
    assert "Personal attack." in page
    assert "An insulting remark." not in page
    client.force_login(alice)
    page = client.get(f"/voice/{proposal.pk}/lead/").content.decode()
    assert "An insulting remark." in page and "Personal attack." in page


def test_hide_views(client, alice, bob, proposal, comment):
    assert client.post(f"/voice/{proposal.pk}/hide/", {"reason": "x"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.hidden_at is None  # Logged out: sent to log in, nothing hidden.
    client.force_login(bob)
    assert client.post(f"/voice/{proposal.pk}/hide/", {"reason": "x"}).status_code == 403
    assert client.post(f"/voice/comments/{comment.pk}/hide/", {"reason": "x"}).status_code == 403
    client.force_login(alice)
    assert client.get(f"/voice/{proposal.pk}/hide/").status_code == 405
    response = client.post(
        f"/voice/comments/{comment.pk}/hide/", {"reason": "Rude."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<html" not in response.content
    comment.refresh_from_db()
    assert comment.hidden_reason == "Rude."
    response = client.post(f"/voice/comments/{comment.pk}/unhide/", {})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is None
    response = client.post(f"/voice/{proposal.pk}/hide/", {"reason": "Abusive."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.hidden_reason == "Abusive."
    # Members no longer find it; the lead still reads it and can show it again.
    client.force_login(bob)
    assert client.get(f"/voice/{proposal.pk}/lead/").status_code == 403
    client.force_login(alice)
    assert b"Something abusive here." in client.get(f"/voice/{proposal.pk}/lead/").content
    assert client.post(f"/voice/{proposal.pk}/unhide/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.hidden_at is None
    assert ModerationLog.objects.count() == 4
