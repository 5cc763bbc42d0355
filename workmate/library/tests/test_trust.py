"""Owner, review date and states: verifying, an edit by someone else or the date turning a
page back to needs review, and the owner told through the inbox."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from workmate.inbox import clock
from workmate.inbox.models import Channel, Kind, Notification
from workmate.library import services
from workmate.library.models import Page, ReviewReason, TrustState
from workmate.library.signals import page_verified
from workmate.library.tasks import expire_reviews
from workmate.testing.factories import make_page

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
# Tuesday 10:00 in Seoul.
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SEOUL)


@time_machine.travel(NOW, tick=False)
def test_owner_verifies_for_the_review_interval_and_the_signal_is_sent(space, alice):
    page = make_page(space=space, owner=alice, review_interval_days=30)
    received = []

    def receiver(sender, instance, actor, **kwargs):
        received.append((sender, instance.pk, actor, instance.trust_state))

    page_verified.connect(receiver)
    try:
        services.do_verify_page(alice, page)
    finally:
        page_verified.disconnect(receiver)

    page.refresh_from_db()
    assert page.trust_state == TrustState.VERIFIED
    assert (page.verified_by, page.verified_until) == (alice, datetime.date(2026, 4, 9))
    assert page.is_verified()
    assert received == [(Page, page.pk, alice, TrustState.VERIFIED)]


def test_a_member_who_is_not_the_owner_cannot_verify(space, alice, bob):
    page = make_page(space=space, owner=alice)
    with pytest.raises(PermissionDenied):
        services.do_verify_page(bob, page)
    page.refresh_from_db()
    assert page.trust_state == TrustState.NEEDS_REVIEW


def test_a_space_editor_verifies_someone_elses_page(space, alice, bob):
    page = make_page(space=space, owner=bob)
    services.do_verify_page(alice, page)
    page.refresh_from_db()
    assert page.verified_by == alice


@time_machine.travel(NOW, tick=False)
def test_an_edit_by_someone_else_needs_review_and_tells_the_owner_in_the_digest(space, alice, bob):
    page = make_page(space=space, owner=alice, title="장애 대응", body="v1")
    services.do_verify_page(alice, page)

    services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")

    page.refresh_from_db()
    assert page.trust_state == TrustState.NEEDS_REVIEW
    assert page.review_reason == ReviewReason.EDITED
    note = Notification.objects.get(recipient=alice, kind=Kind.PAGE)
    assert note.actor == bob
    assert note.title == "“장애 대응” was edited and needs your review"
    assert note.channel == Channel.DIGEST
    assert note.group_key == f"page:{page.pk}"


def test_the_notification_is_in_the_owners_language(space, alice, bob):
    alice.language = "ko"
    alice.save()
    page = make_page(space=space, owner=alice, title="장애 대응")
    services.do_save_page(bob, page, base_number=1, title=page.title, body="v2")
    note = Notification.objects.get(recipient=alice, kind=Kind.PAGE)
    assert "장애 대응" in note.title and "검토" in note.title


def test_the_owners_own_edit_keeps_it_verified(space, alice):
    page = make_page(space=space, owner=alice, body="v1")
    services.do_verify_page(alice, page)
    services.do_save_page(alice, page, base_number=1, title=page.title, body="v2")
    page.refresh_from_db()
    assert page.is_verified()
    assert not Notification.objects.exists()


def test_flagging_tells_the_owner(space, alice, bob):
    page = make_page(space=space, owner=alice)
    services.do_verify_page(alice, page)
    services.do_flag_page(bob, page)
    page.refresh_from_db()
    assert (page.trust_state, page.review_reason) == (TrustState.NEEDS_REVIEW, "flagged")
    assert Notification.objects.filter(recipient=alice, actor=bob).exists()


def test_reaching_the_review_date_needs_review_and_tells_the_owner_once(space, alice, bob):
    with time_machine.travel(NOW, tick=False):
        page = make_page(space=space, owner=alice, title="백업 점검", review_interval_days=7)
        services.do_verify_page(alice, page)
        still = make_page(space=space, owner=bob, review_interval_days=30)
        services.do_verify_page(bob, still)
    assert Page.objects.get(pk=page.pk).verified_until == datetime.date(2026, 3, 17)

    with time_machine.travel(datetime.datetime(2026, 3, 17, 23, 0, tzinfo=SEOUL), tick=False):
        assert expire_reviews.call() == 0
    with time_machine.travel(datetime.datetime(2026, 3, 18, 12, 30, tzinfo=SEOUL), tick=False):
        assert expire_reviews.call() == 1
        assert expire_reviews.call() == 0  # safe to run twice

    page.refresh_from_db()
    still.refresh_from_db()
    assert (page.trust_state, page.review_reason) == (TrustState.NEEDS_REVIEW, "expired")
    assert still.is_verified(datetime.date(2026, 3, 18))
    (note,) = Notification.objects.filter(kind=Kind.PAGE)
    assert (note.recipient, note.actor) == (alice, None)
    assert note.title == "“백업 점검” reached its review date"


def test_the_review_date_task_runs_daily_from_the_clock():
    assert "workmate.library.tasks.expire_reviews" in clock.DAILY_TASKS


def test_changing_the_owner_tells_the_new_one(space, alice, bob):
    page = make_page(space=space, owner=alice)
    services.do_update_page_settings(alice, page, owner=bob, review_interval_days=14)
    page.refresh_from_db()
    assert (page.owner, page.review_interval_days) == (bob, 14)
    assert Notification.objects.filter(recipient=bob, kind=Kind.PAGE).exists()


def test_the_owner_must_be_able_to_read_a_private_space(private_space, alice, bob):
    from django.core.exceptions import ValidationError

    page = make_page(space=private_space, owner=alice)
    with pytest.raises(ValidationError):
        services.do_update_page_settings(alice, page, owner=bob)


def test_notifications_about_private_pages_skip_people_who_lost_access(private_space, alice):
    from workmate.inbox import visibility
    from workmate.library.models import SpaceMembership, SpaceRole
    from workmate.testing.factories import make_user

    reader = make_user()
    SpaceMembership.objects.create(space=private_space, user=reader, role=SpaceRole.EDITOR)
    page = make_page(space=private_space, owner=reader)
    key = f"page:{page.pk}"
    assert visibility.who_may_see([alice, reader], key) == [alice, reader]
    SpaceMembership.objects.filter(user=reader).delete()
    assert visibility.who_may_see([alice, reader], key) == [alice]
