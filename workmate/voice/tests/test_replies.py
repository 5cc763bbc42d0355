"""Comment threads: replies one level deep, the reply view (htmx and not), the thread on
the proposal page, and the inbox telling whoever was replied to."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_user
from workmate.voice import leads, services
from workmate.voice.models import Area, Proposal, ProposalComment, ProposalStatus, Subscription

HTMX = {"HX-Request": "true"}
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def proposal(bob) -> Proposal:
    return services.do_post_proposal(
        bob, title="Printer queue", problem="The printer jams every morning.", area=Area.TOOLS
    )


@pytest.fixture
def comment(proposal, alice) -> ProposalComment:
    return services.do_comment(alice, proposal, "Which printer?")


def reply_url(comment: ProposalComment) -> str:
    return reverse("voice:reply", args=[comment.pk])


def page_url(proposal: Proposal) -> str:
    return reverse("voice:proposal", args=[proposal.pk])


def thread_html(html: str, comment: ProposalComment) -> str:
    """The markup of one thread, from its `<li>` to the next thread (or the list's end)."""
    start = html.index(f'id="thread-{comment.pk}"')
    rest = html[start:]
    end = rest.find('class="voice-thread"', 1)
    return rest if end == -1 else rest[:end]


# --- Services --------------------------------------------------------------------------


def test_reply_joins_the_comments_thread_and_the_replier_follows(proposal, comment, charlie):
    reply = services.do_comment(charlie, proposal, "  The one on floor 3.  ", comment)

    reply.refresh_from_db()
    assert reply.parent == comment
    assert reply.proposal == proposal
    assert reply.body == "The one on floor 3."
    assert reply.thread_root == comment and comment.thread_root == comment
    assert Subscription.objects.filter(proposal=proposal, user=charlie).exists()


def test_reply_to_a_reply_joins_the_top_level_thread(proposal, comment, bob, charlie):
    first = services.do_comment(charlie, proposal, "Floor 3.", comment)

    second = services.do_comment(bob, proposal, "Yes, that one.", first)

    second.refresh_from_db()
    assert second.parent_id == comment.pk
    assert not ProposalComment.objects.filter(parent=first).exists()


def test_reply_to_a_comment_of_another_proposal_is_refused(proposal, comment, bob, charlie):
    other = services.do_post_proposal(bob, title="Other", problem="x", area=Area.OTHER)
    before = ProposalComment.objects.count()

    with pytest.raises(ValidationError) as raised:
        services.do_comment(charlie, other, "Wrong place.", comment)

    assert raised.value.message_dict == {"parent_id": ["That comment belongs to another proposal."]}
    assert ProposalComment.objects.count() == before
    assert not Subscription.objects.filter(user=charlie).exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_reply_is_refused_and_writes_nothing(proposal, comment, charlie, body):
    with pytest.raises(ValidationError) as raised:
        services.do_comment(charlie, proposal, body, comment)

    assert raised.value.message_dict == {"body": ["Write something first."]}
    assert ProposalComment.objects.filter(parent=comment).count() == 0
    assert not Subscription.objects.filter(user=charlie).exists()
    assert not Notification.objects.exists()


def test_hidden_comment_takes_no_new_replies(alice, proposal, comment, charlie):
    kept = services.do_comment(charlie, proposal, "Said before it was hidden.", comment)
    leads.do_hide(alice, proposal, "Off topic.", comment)
    comment.refresh_from_db()

    for parent in (comment, kept):
        with pytest.raises(ValidationError, match="hidden; it takes no replies"):
            services.do_comment(charlie, proposal, "Another.", parent)

    assert list(ProposalComment.objects.filter(parent=comment)) == [kept]


def test_no_replies_on_merged_or_hidden_proposals(alice, bob, proposal, comment, charlie):
    kept = services.do_post_proposal(bob, title="Kept", problem="x", area=Area.TOOLS)
    leads.do_merge(alice, proposal, kept, "Same thing.")

    with pytest.raises(ValidationError, match="merged into another one"):
        services.do_comment(charlie, proposal, "Late.", comment)
    leads.do_hide(alice, kept, "Abusive.")
    kept_comment = ProposalComment.objects.create(proposal=kept, author=bob, body="x")
    with pytest.raises(ValidationError, match="hidden"):
        services.do_comment(charlie, kept, "Late.", kept_comment)

    assert ProposalComment.objects.filter(parent__isnull=False).count() == 0


def test_the_database_refuses_a_comment_as_its_own_parent(comment):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalComment.objects.filter(pk=comment.pk).update(parent=comment.pk)


def test_a_failure_after_writing_rolls_the_reply_back(proposal, comment, charlie, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(services, "notify", broken)

    with pytest.raises(RuntimeError):
        services.do_comment(charlie, proposal, "Lost.", comment)

    assert not ProposalComment.objects.filter(parent=comment).exists()
    assert not Subscription.objects.filter(user=charlie).exists()


def test_comment_threads_groups_replies_under_their_comment_oldest_first(
    proposal, alice, bob, charlie
):
    with time_machine.travel(NOW, tick=False) as clock:
        first = services.do_comment(alice, proposal, "First.")
        clock.shift(60)
        second = services.do_comment(bob, proposal, "Second.")
        clock.shift(60)
        late = services.do_comment(charlie, proposal, "Late reply.", first)
        clock.shift(60)
        later = services.do_comment(bob, proposal, "Later reply.", late)

    threads = services.comment_threads(proposal)

    assert threads == [first, second]
    assert threads[0].thread_replies == [late, later]
    assert threads[1].thread_replies == []


# --- Notifications ---------------------------------------------------------------------


def test_the_comments_author_is_told_in_the_inbox(proposal, comment, alice, charlie):
    reply = services.do_comment(charlie, proposal, "The one on floor 3.", comment)

    notification = Notification.objects.get()
    assert notification.recipient == alice
    assert notification.kind == Kind.COMMENT
    assert notification.actor == charlie
    assert notification.title == "Printer queue"
    assert notification.url == f"{page_url(proposal)}#comment-{reply.pk}"
    assert notification.group_key == f"proposal:{proposal.pk}"
    assert notification.excerpt == "The one on floor 3."
    assert notification.sentence() == "Charlie Park commented on Printer queue"


def test_reply_to_a_reply_tells_both_authors_once(proposal, comment, alice, bob, charlie):
    first = services.do_comment(charlie, proposal, "Floor 3.", comment)
    Notification.objects.all().delete()

    services.do_comment(bob, proposal, "Yes.", first)

    assert sorted(Notification.objects.values_list("recipient__full_name", flat=True)) == [
        "Alice Kim",
        "Charlie Park",
    ]


def test_nobody_is_told_about_their_own_reply(proposal, comment, alice, charlie):
    services.do_comment(alice, proposal, "To myself.", comment)
    first = services.do_comment(charlie, proposal, "Floor 3.", comment)
    Notification.objects.all().delete()

    services.do_comment(charlie, proposal, "And to myself.", first)

    # Alice started the thread, so she hears about it; Charlie, who wrote both, does not.
    assert list(Notification.objects.values_list("recipient__full_name", flat=True)) == [
        "Alice Kim"
    ]


def test_top_level_comments_tell_nobody(proposal, alice, charlie):
    services.do_comment(charlie, proposal, "Same here.")

    assert not Notification.objects.exists()


def test_a_rolled_back_reply_leaves_no_notification(proposal, comment, charlie):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.do_comment(charlie, proposal, "Undone.", comment)
        assert Notification.objects.count() == 1  # Written in the same transaction…
        raise RuntimeError("the caller fails afterwards")

    assert not Notification.objects.exists()  # …so it goes with it.
    assert not ProposalComment.objects.filter(parent=comment).exists()


# --- The reply view --------------------------------------------------------------------


def test_reply_without_htmx_stores_and_shows_the_reply(client, proposal, comment, charlie):
    client.force_login(charlie)

    response = client.post(reply_url(comment), {"body": "Floor **3**."})

    reply = ProposalComment.objects.get(parent=comment)
    assert reply.author == charlie and reply.body == "Floor **3**."
    assert response.status_code == 302
    assert response.url == f"{page_url(proposal)}#comment-{reply.pk}"


def test_reply_with_htmx_returns_the_updated_thread(client, proposal, comment, bob, charlie):
    services.do_comment(bob, proposal, "Another thread.")
    client.force_login(charlie)

    response = client.post(reply_url(comment), {"body": "Floor **3**."}, headers=HTMX)

    html = response.content.decode()
    reply = ProposalComment.objects.get(parent=comment)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<li class="voice-thread" id="thread-')
    assert "Another thread." not in html
    assert "Which printer?" in html
    replies = html.split('<ol class="voice-replies">')[1]
    assert f'id="comment-{reply.pk}"' in replies
    assert "Floor <strong>3</strong>." in replies and "Charlie Park" in replies
    # The form is closed again: the Reply link is back.
    assert 'class="voice-reply-link"' in html and "<textarea" not in html


def test_reply_form_comes_by_htmx_or_opens_on_the_page(client, proposal, comment, charlie):
    client.force_login(charlie)

    fragment = client.get(reply_url(comment), headers=HTMX)
    plain = client.get(reply_url(comment))
    page = client.get(f"{page_url(proposal)}?reply={comment.pk}")

    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert f'hx-post="{reply_url(comment)}"' in fragment.content.decode()
    assert f'hx-target="#thread-{comment.pk}"' in fragment.content.decode()
    assert f'id="reply-{comment.pk}-body"' in fragment.content.decode()
    assert plain.status_code == 302
    assert plain.url == f"{page_url(proposal)}?reply={comment.pk}#reply-{comment.pk}"
    thread = thread_html(page.content.decode(), comment)
    assert f'action="{reply_url(comment)}"' in thread
    assert not ProposalComment.objects.filter(parent=comment).exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_reply_refuses_other_methods(client, comment, charlie, method):
    client.force_login(charlie)

    assert getattr(client, method)(reply_url(comment)).status_code == 405


def test_logged_out_reply_goes_to_login_and_changes_nothing(client, comment):
    response = client.post(reply_url(comment), {"body": "x"})

    assert response.status_code == 302
    assert reverse("login") in response.url
    assert not ProposalComment.objects.filter(parent=comment).exists()


def test_reply_on_a_hidden_proposal_is_404_for_others(client, alice, proposal, comment, charlie):
    Proposal.objects.filter(pk=proposal.pk).update(hidden_at=timezone.now(), hidden_reason="x")
    client.force_login(charlie)

    assert client.post(reply_url(comment), {"body": "x"}).status_code == 404
    assert client.get(reply_url(comment), headers=HTMX).status_code == 404
    assert client.post(reverse("voice:reply", args=[999_999]), {"body": "x"}).status_code == 404
    assert not ProposalComment.objects.filter(parent=comment).exists()
    assert not Notification.objects.exists()


def test_the_outsider_replies_on_a_visible_proposal_as_they_comment(client, comment, charlie):
    # The board is company-wide: whoever may comment may reply, as for comments.
    client.force_login(charlie)

    assert client.post(reply_url(comment), {"body": "x"}).status_code == 302
    assert ProposalComment.objects.filter(parent=comment, author=charlie).exists()


def test_empty_reply_shows_the_error_under_its_comment(client, proposal, comment, charlie):
    client.force_login(charlie)

    full = client.post(reply_url(comment), {"body": " "})
    partial = client.post(reply_url(comment), {"body": ""}, headers=HTMX)

    assert full.status_code == 400
    thread = thread_html(full.content.decode(), comment)
    assert 'class="error"' in thread and "<textarea" in thread
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'class="error"' in partial.content.decode()
    assert not ProposalComment.objects.filter(parent=comment).exists()


def test_reply_to_a_hidden_comment_says_why(client, alice, proposal, comment, charlie):
    leads.do_hide(alice, proposal, "Off topic.", comment)
    client.force_login(charlie)

    response = client.post(reply_url(comment), {"body": "Hm."}, headers=HTMX)

    assert "it takes no replies" in response.content.decode()
    assert not ProposalComment.objects.filter(parent=comment).exists()


def test_reply_on_a_merged_proposal_says_where_to_go(client, alice, bob, proposal, comment):
    kept = services.do_post_proposal(bob, title="Kept", problem="x", area=Area.TOOLS)
    leads.do_merge(alice, proposal, kept, "Same thing.")
    client.force_login(bob)

    response = client.post(reply_url(comment), {"body": "Late."})

    assert response.status_code == 400
    assert "merged into another one" in response.content.decode()
    assert proposal.status == ProposalStatus.MERGED
    assert not ProposalComment.objects.filter(parent=comment).exists()


# --- The thread on the proposal page ---------------------------------------------------


def test_page_shows_replies_under_their_comment_with_a_reply_link(
    client, proposal, comment, bob, charlie
):
    with time_machine.travel(NOW, tick=False) as clock:
        first = services.do_comment(charlie, proposal, "Older reply.", comment)
        clock.shift(60)
        services.do_comment(bob, proposal, "Newer reply.", first)
    other = services.do_comment(bob, proposal, "Another thread.")
    client.force_login(charlie)

    html = client.get(page_url(proposal)).content.decode()

    thread = thread_html(html, comment)
    replies = thread.split('<ol class="voice-replies">')[1]
    assert replies.index("Older reply.") < replies.index("Newer reply.")
    assert "Another thread." not in thread
    assert f'href="{page_url(proposal)}?reply={comment.pk}#reply-{comment.pk}"' in thread
    assert f'hx-get="{reply_url(comment)}"' in thread
    assert f'hx-target="#reply-{comment.pk}"' in thread
    # Only top-level comments carry a Reply link: one per thread.
    assert html.count('class="voice-reply-link"') == 2
    assert f'id="thread-{other.pk}"' in html


def test_hidden_comment_keeps_its_place_and_its_replies(client, alice, proposal, comment, bob):
    reply = services.do_comment(bob, proposal, "Still readable.", comment)
    leads.do_hide(alice, proposal, "Personal attack.", comment)
    client.force_login(bob)

    html = client.get(page_url(proposal)).content.decode()

    thread = thread_html(html, comment)
    assert "Comment hidden by a moderator: Personal attack." in thread
    assert "Which printer?" not in html
    assert "Still readable." in thread and f'id="comment-{reply.pk}"' in thread
    assert 'class="voice-reply-link"' not in thread


def test_hidden_reply_keeps_its_place_in_the_thread(client, alice, proposal, comment, bob):
    reply = services.do_comment(bob, proposal, "Rude reply.", comment)
    leads.do_hide(alice, proposal, "Rude.", reply)
    client.force_login(bob)

    thread = thread_html(client.get(page_url(proposal)).content.decode(), comment)

    assert "Which printer?" in thread
    assert "Rude reply." not in thread
    assert "Comment hidden by a moderator: Rude." in thread.split("voice-replies")[1]


def test_page_query_count_does_not_grow_with_replies(client, proposal, alice, bob, charlie):
    def count_queries(replies: int) -> int:
        ProposalComment.objects.filter(proposal=proposal).delete()
        for number in range(3):
            top = ProposalComment.objects.create(proposal=proposal, author=alice, body=f"T{number}")
            for index in range(replies):
                author = make_user() if index % 2 else charlie
                ProposalComment.objects.create(
                    proposal=proposal, author=author, parent=top, body=f"Reply number {index}."
                )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(proposal))
        assert response.status_code == 200
        assert response.content.decode().count("Reply number 0.") == 3
        return len(queries)

    client.force_login(bob)
    assert count_queries(3) == count_queries(20)
