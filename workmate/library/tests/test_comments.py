"""Comments on pages: threads, resolving, mentions through the inbox, private pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from workmate.inbox.models import Kind, Notification
from workmate.library import comments
from workmate.library.models import PageComment, SpaceMembership, SpaceRole
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(space, alice):
    return make_page(space=space, owner=alice, title="백업 절차")


def _told(person, kind):
    return list(
        Notification.objects.filter(recipient=person, kind=kind).values_list("title", "url")
    )


def test_a_comment_tells_the_owner_and_a_mention_tells_the_mentioned(page, alice, bob, charlie):
    comment = comments.do_comment(bob, page, "확인 부탁해요 @Charlie Park")
    assert comment.body == f"확인 부탁해요 @**Charlie Park|{charlie.pk}**"
    url = f"/library/pages/{page.pk}/#comment-{comment.pk}"
    assert _told(charlie, Kind.MENTION) == [("백업 절차", url)]
    assert _told(alice, Kind.COMMENT) == [("백업 절차", url)]
    assert not Notification.objects.filter(recipient=bob).exists()


def test_replies_join_the_thread_and_tell_its_writers(page, alice, bob, charlie):
    root = comments.do_comment(charlie, page, "질문")
    first = comments.do_comment(bob, page, "답", parent=root)
    nested = comments.do_comment(alice, page, "답의 답", parent=first)
    assert nested.parent == root
    assert Notification.objects.filter(recipient=charlie, kind=Kind.COMMENT).count() == 2
    assert Notification.objects.filter(recipient=bob, kind=Kind.COMMENT).count() == 1
    threads = comments.comment_threads(page)
    assert threads == [root]
    assert threads[0].thread_replies == [first, nested]


def test_resolve_and_reopen_a_thread_and_a_reply_reopens_it(page, alice, bob, charlie):
    root = comments.do_comment(bob, page, "고쳐 주세요")
    reply = comments.do_comment(alice, page, "고쳤어요", parent=root)
    comments.do_set_resolved(alice, reply, True)
    root.refresh_from_db()
    assert root.resolved_by == alice and root.resolved_at is not None
    later = comments.do_comment(bob, page, "아직이에요", parent=root)
    root.refresh_from_db()
    assert root.resolved_at is None
    comments.do_set_resolved(bob, root, True)
    # Charlie neither wrote the thread nor may write here.
    with pytest.raises(PermissionDenied):
        comments.do_set_resolved(charlie, later, False)
    root.refresh_from_db()
    assert root.is_resolved
    assert comments.comment_threads(page)[-1] == root


def test_empty_and_unknown_mentions_are_refused(page, bob):
    with pytest.raises(ValidationError):
        comments.do_comment(bob, page, "   ")
    with pytest.raises(ValidationError) as error:
        comments.do_comment(bob, page, "@Nobody Here hello")
    assert "Nobody" in str(error.value)
    assert not PageComment.objects.exists()


def test_private_page_comments_reach_members_only(private_space, alice, bob, charlie):
    page = make_page(space=private_space, owner=alice, title="인수 계획")
    with pytest.raises(Http404):
        comments.do_comment(bob, page, "hello")
    with pytest.raises(ValidationError) as error:
        comments.do_comment(alice, page, "@Bob Lee 보세요")
    assert "cannot see this page" in str(error.value)
    assert not PageComment.objects.exists()
    assert not Notification.objects.filter(recipient=bob).exists()
    SpaceMembership.objects.create(space=private_space, user=bob, role=SpaceRole.READER)
    page.refresh_from_db()  # A fresh space, without the roles it read before.
    comments.do_comment(alice, page, "@Bob Lee 보세요")
    assert len(_told(bob, Kind.MENTION)) == 1


def test_a_reply_must_stay_on_its_page(space, page, alice):
    other = make_page(space=space, owner=alice)
    root = comments.do_comment(alice, other, "elsewhere")
    with pytest.raises(ValidationError):
        comments.do_comment(alice, page, "reply", parent=root)
