"""Every save is a revision; a save from a stale revision is refused; drafts wait for an
editor in spaces that ask for approval; restoring is itself a new revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.inbox.models import Kind, Notification
from workmate.library import services
from workmate.library.models import Revision, RevisionStatus, TrustState
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db


def test_each_save_is_a_numbered_revision_with_author_and_summary(space, alice, bob):
    page = make_page(space=space, owner=alice, title="배포", body="v1")

    services.do_save_page(bob, page, base_number=1, title="배포 절차", body="v2", summary=" fix  ")

    page.refresh_from_db()
    revisions = list(page.revisions.order_by("number"))
    assert [(r.number, r.author, r.body, r.status) for r in revisions] == [
        (1, alice, "v1", RevisionStatus.PUBLISHED),
        (2, bob, "v2", RevisionStatus.PUBLISHED),
    ]
    assert revisions[1].summary == "fix" and revisions[1].base_number == 1
    assert page.current_revision == revisions[1]
    assert page.title == "배포 절차"


def test_saving_from_a_stale_revision_is_refused_and_writes_nothing(space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="alice's v2")

    with pytest.raises(services.StaleEdit) as refused:
        services.do_save_page(bob, page, base_number=1, title=page.title, body="bob's v2")

    assert refused.value.current.number == 2
    assert refused.value.current.body == "alice's v2"
    assert refused.value.base_number == 1
    assert page.revisions.count() == 2
    page.refresh_from_db()
    assert page.current_revision.body == "alice's v2"


def test_saving_from_the_current_revision_after_a_merge_succeeds(space, alice, bob):
    page = make_page(space=space, owner=alice, body="v1")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="alice")
    with pytest.raises(services.StaleEdit):
        services.do_save_page(bob, page, base_number=1, title=page.title, body="bob")

    services.do_save_page(bob, page, base_number=2, title=page.title, body="alice\nbob")

    page.refresh_from_db()
    assert page.current_revision.number == 3
    assert page.current_revision.body == "alice\nbob"


def test_saving_without_a_change_makes_no_revision(space, alice):
    page = make_page(space=space, owner=alice, body="same")
    assert services.do_save_page(alice, page, base_number=1, title=page.title, body="same") is None
    assert page.revisions.count() == 1


def test_windows_line_ends_are_kept_as_unix_ones(space, alice):
    page = make_page(space=space, owner=alice, body="a\nb")
    assert (
        services.do_save_page(alice, page, base_number=1, title=page.title, body="a\r\nb") is None
    )


def test_people_who_may_not_write_cannot_save(space, alice, charlie):
    page = make_page(space=space, owner=alice)
    with pytest.raises(PermissionDenied):
        services.do_save_page(charlie, page, base_number=1, title="x", body="y")
    assert page.revisions.count() == 1


def test_an_empty_title_is_refused(space, alice):
    page = make_page(space=space, owner=alice)
    with pytest.raises(ValidationError) as refused:
        services.do_save_page(alice, page, base_number=1, title="  ", body="y")
    assert "title" in refused.value.message_dict


def test_restore_is_a_new_revision_with_the_old_text(space, alice, bob):
    page = make_page(space=space, owner=alice, title="원본", body="first")
    services.do_save_page(alice, page, base_number=1, title="바뀐 제목", body="second")

    revision = services.do_restore_revision(bob, page, 1, base_number=2)

    page.refresh_from_db()
    assert revision.number == 3 and revision.restored_from == 1
    assert (page.title, page.current_revision.body) == ("원본", "first")
    assert revision.summary == "Restored revision 1"
    # Bob is not the owner: restoring is an edit that needs the owner's review.
    assert page.trust_state == TrustState.NEEDS_REVIEW and page.review_reason == "restored"


def test_restore_from_a_stale_revision_is_refused(space, alice, bob):
    page = make_page(space=space, owner=alice, body="first")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="second")
    with pytest.raises(services.StaleEdit):
        services.do_restore_revision(bob, page, 1, base_number=1)
    assert page.revisions.count() == 2


# --- Approval --------------------------------------------------------------------------


@pytest.fixture
def approval_space(space):
    space.requires_approval = True
    space.save()
    return space


def test_in_an_approval_space_a_members_edit_waits_as_a_draft(approval_space, alice, bob):
    page = make_page(space=approval_space, owner=alice, body="published")

    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="bob's idea")

    page.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT
    assert page.current_revision.body == "published"
    # Alice leads the team, so she is the space's editor and is told.
    note = Notification.objects.get(recipient=alice, kind=Kind.PAGE)
    assert "waits for your approval" in note.title
    assert note.url == page.get_absolute_url()


def test_an_editors_edit_in_an_approval_space_is_published(approval_space, alice):
    page = make_page(space=approval_space, owner=alice, body="v1")
    revision = services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    assert revision.status == RevisionStatus.PUBLISHED


def test_an_editor_approves_a_draft_and_it_becomes_current(approval_space, alice, bob):
    page = make_page(space=approval_space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")

    services.do_approve_revision(alice, draft)

    draft.refresh_from_db()
    page.refresh_from_db()
    assert draft.status == RevisionStatus.PUBLISHED
    assert (draft.approved_by, page.current_revision) == (alice, draft)
    assert Notification.objects.filter(recipient=bob, kind=Kind.PAGE).exists()


def test_a_member_cannot_approve(approval_space, alice, bob):
    page = make_page(space=approval_space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")
    with pytest.raises(PermissionDenied):
        services.do_approve_revision(bob, draft)
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT


def test_a_draft_of_an_older_revision_is_not_approved(approval_space, alice, bob):
    page = make_page(space=approval_space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="bob")
    services.do_save_page(alice, page, base_number=1, title=page.title, body="alice")

    with pytest.raises(ValidationError):
        services.do_approve_revision(alice, draft)

    page.refresh_from_db()
    assert page.current_revision.body == "alice"


def test_rejecting_a_draft_leaves_the_page(approval_space, alice, bob):
    page = make_page(space=approval_space, owner=alice, body="v1")
    draft = services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")

    services.do_reject_revision(alice, draft)

    draft.refresh_from_db()
    page.refresh_from_db()
    assert draft.status == RevisionStatus.REJECTED
    assert page.current_revision.body == "v1"
    with pytest.raises(ValidationError):
        services.do_approve_revision(alice, draft)


def test_a_new_page_by_a_member_in_an_approval_space_waits(approval_space, bob):
    page = services.do_create_page(bob, approval_space, title="새 문서", body="draft")
    page.refresh_from_db()
    assert page.current_revision is None
    assert Revision.objects.get(page=page).status == RevisionStatus.DRAFT
