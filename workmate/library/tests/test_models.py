"""The library's model rules: who may read, write and approve in a space; the database
constraints; the trust state's queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from workmate.accounts.models import OrgRole, TeamRole
from workmate.library.models import (
    Page,
    PageTemplate,
    PageTemplateRevision,
    Revision,
    Space,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    Tag,
    TrustState,
)
from workmate.testing.factories import add_member, make_page, make_space, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_space(team):
    return make_space(name="TE runbooks", key="TE", kind=SpaceKind.TEAM, team=team)


@pytest.fixture
def private_space(alice):
    space = make_space(name="Secret", key="secret", kind=SpaceKind.PRIVATE, team=None)
    SpaceMembership.objects.create(space=space, user=alice, role=SpaceRole.EDITOR)
    return space


def test_team_space_is_read_by_all_written_by_its_team_approved_by_leads(
    team_space, alice, bob, charlie
):
    executive = make_user(org_role=OrgRole.EXECUTIVE)
    assert all(team_space.can_view(person) for person in (alice, bob, charlie, executive))
    assert team_space.can_write(alice) and team_space.can_write(bob)
    assert not team_space.can_write(charlie) and not team_space.can_write(executive)
    assert team_space.is_editor(alice)  # the team's lead
    assert not team_space.is_editor(bob)


def test_explicit_editor_of_a_team_space_from_another_team_may_write_and_approve(team_space):
    other = make_user()
    add_member(make_team(), other, TeamRole.LEAD)
    assert not team_space.can_write(other)
    SpaceMembership.objects.create(space=team_space, user=other, role=SpaceRole.EDITOR)
    fresh = Space.objects.get(pk=team_space.pk)
    assert fresh.can_write(other) and fresh.is_editor(other)


def test_private_space_is_its_members_only_even_for_executives(private_space, alice, bob):
    executive = make_user(org_role=OrgRole.EXECUTIVE, is_superuser=True)
    reader = make_user()
    SpaceMembership.objects.create(space=private_space, user=reader, role=SpaceRole.READER)
    assert private_space.can_view(alice) and private_space.can_write(alice)
    assert private_space.can_view(reader) and not private_space.can_write(reader)
    for outsider in (bob, executive):
        assert not private_space.can_view(outsider)
        assert not private_space.can_write(outsider)
    assert set(Space.objects.visible_to(executive)) == set()
    assert set(Space.objects.visible_to(reader)) == {private_space}


def test_org_space_is_written_by_everyone_but_its_readers(charlie):
    space = make_space(kind=SpaceKind.ORG, team=None)
    reader = make_user()
    SpaceMembership.objects.create(space=space, user=reader, role=SpaceRole.READER)
    assert space.can_write(charlie)
    assert space.can_view(reader) and not space.can_write(reader)
    assert not space.is_editor(charlie)


def test_inactive_people_see_no_space(team_space, bob):
    bob.is_active = False
    bob.save()
    assert not team_space.can_view(bob)
    assert not Space.objects.visible_to(bob).exists()


def test_approval_space_publishes_only_its_editors_edits_directly(team_space, alice, bob):
    team_space.requires_approval = True
    assert team_space.publishes_directly(alice)
    assert not team_space.publishes_directly(bob)


def test_team_space_needs_its_team():
    with pytest.raises(IntegrityError), transaction.atomic():
        Space.objects.create(name="No team", key="noteam", kind=SpaceKind.TEAM)


def test_space_keys_are_unique_whatever_their_case(team_space):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_space(key="te", kind=SpaceKind.ORG, team=None)


def test_tag_names_are_unique_whatever_their_case():
    Tag.objects.create(name="Runbook")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="runbook")


def test_a_verified_page_says_by_whom_and_until_when(team_space, alice):
    page = make_page(space=team_space, owner=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.filter(pk=page.pk).update(trust_state=TrustState.VERIFIED)


def test_a_page_is_not_its_own_parent(team_space):
    page = make_page(space=team_space)
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.filter(pk=page.pk).update(parent=page.pk)


def test_revision_numbers_are_unique_per_page(team_space, alice):
    page = make_page(space=team_space, owner=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(page=page, number=1, author=alice, title="Again")


def test_template_versions_are_unique_per_template(alice):
    template = PageTemplate.objects.create(name="Runbook", owner=alice)
    PageTemplateRevision.objects.create(
        template=template, number=1, body="# {{title}}", author=alice
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PageTemplateRevision.objects.create(template=template, number=1, body="x", author=alice)


def test_new_page_has_its_first_revision_and_needs_review(team_space, alice):
    page = make_page(space=team_space, owner=alice, title="배포 절차", body="# 단계")
    page.refresh_from_db()
    assert page.current_revision.number == 1
    assert page.current_revision.body == "# 단계"
    assert page.trust_state == TrustState.NEEDS_REVIEW
    assert not page.is_verified()
    assert page.etag() == '"1"'


def test_title_is_kept_in_nfc(team_space, alice):
    decomposed = "\u1100\u1161\u1102\u1161"  # 가나 as jamo, as macOS file names give it
    page = make_page(space=team_space, owner=alice, title=decomposed)
    assert page.title == "가나"


def test_verified_until_a_past_day_counts_as_needing_review(team_space, alice):
    page = make_page(space=team_space, owner=alice)
    today = datetime.date(2026, 3, 10)
    Page.objects.filter(pk=page.pk).update(
        trust_state=TrustState.VERIFIED,
        verified_by=alice,
        verified_at=timezone.now(),
        verified_until=datetime.date(2026, 3, 9),
    )
    page.refresh_from_db()
    assert not page.is_verified(today)
    assert page.is_verified(datetime.date(2026, 3, 9))
    assert list(Page.objects.needs_review(today)) == [page]
    assert not Page.objects.verified(today).exists()
    assert list(Page.objects.review_date_passed(today)) == [page]
    assert not Page.objects.review_date_passed(datetime.date(2026, 3, 9)).exists()


def test_pages_of_private_spaces_are_invisible_to_non_members(private_space, alice, bob):
    page = make_page(space=private_space, owner=alice)
    assert list(Page.objects.visible_to(alice)) == [page]
    assert not Page.objects.visible_to(bob).exists()


def test_titles_sort_in_korean_collation_order_on_every_database(alice):
    from workmate.library.collation import korean_order

    space = make_space(kind=SpaceKind.ORG, team=None)
    for title in ["beta", "하늘", "Alpha", "2단계", "나무", "가람", "ㄱ 목록"]:
        make_page(space=space, owner=alice, title=title)
    ordered = Page.objects.filter(space=space).order_by(korean_order("title"), "pk")
    assert [page.title for page in ordered] == [
        "2단계",
        "ㄱ 목록",
        "가람",
        "나무",
        "하늘",
        "Alpha",
        "beta",
    ]
