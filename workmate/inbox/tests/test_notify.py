"""`notify()`: who gets a notification, on which channel, once, and only if the change commits."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from workmate.inbox import services
from workmate.inbox.models import Channel, Kind, Notification, UrgentMark
from workmate.testing import factories
from workmate.testing.factories import make_project, make_user
from workmate.work.models import Visibility


def make_task(**fields):
    """A task in an org-wide project, so whoever is told about it may see it (`notify`
    tells nobody who cannot)."""
    if "project" not in fields:
        fields["project"] = make_project(visibility=Visibility.ORG)
    return factories.make_task(**fields)


SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def send(recipients, kind=Kind.COMMENT, actor=None, **fields):
    task = fields.pop("task", None) or make_task(title="Replace the disk")
    return services.notify(
        recipients,
        kind,
        actor=actor,
        task=task,
        title=task.title,
        url=task.get_absolute_url(),
        group_key=f"task:{task.pk}",
        **fields,
    )


def test_skips_the_actor_inactive_people_and_repeats(alice, bob, charlie):
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])

    created = send([alice, bob, bob, charlie, None], actor=alice)

    assert [n.recipient for n in created] == [bob]
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]


def test_nobody_left_writes_nothing(alice):
    assert send([alice], actor=alice) == []
    assert not Notification.objects.exists()


def test_channel_is_a_snapshot_of_the_preference(alice, bob):
    first = send([bob], Kind.COMMENT, actor=alice)[0]
    services.do_set_channel(bob, Kind.COMMENT, Channel.IN_APP)
    second = send([bob], Kind.COMMENT, actor=alice)[0]
    services.do_set_channel(bob, Kind.COMMENT, Channel.EMAIL)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.channel == Channel.DIGEST  # the default for comments
    assert second.channel == Channel.IN_APP
    assert services.channels_for(bob)[Kind.COMMENT] == Channel.EMAIL
    assert services.channels_for(bob)[Kind.REQUEST] == Channel.EMAIL


def test_unknown_channel_is_refused(bob):
    with pytest.raises(ValidationError):
        services.do_set_channel(bob, Kind.COMMENT, "pigeon")


def test_dedupe_key_writes_a_reminder_once_per_person(alice, bob):
    task = make_task()
    assert len(send([alice, bob], Kind.REPLY_BY_PASSED, task=task, dedupe_key="passed:1")) == 2
    assert send([alice, bob], Kind.REPLY_BY_PASSED, task=task, dedupe_key="passed:1") == []
    assert Notification.objects.filter(dedupe_key="passed:1").count() == 2
    # Without a key, the same event may be told twice.
    send([bob], task=task)
    send([bob], task=task)
    assert Notification.objects.filter(recipient=bob, dedupe_key="").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_notification_and_sends_no_mail(alice, bob, mailoutbox):
    task = make_task()
    with pytest.raises(RuntimeError), transaction.atomic():
        send([bob], Kind.REQUEST, actor=alice, task=task)
        assert Notification.objects.count() == 1
        raise RuntimeError("the change failed")

    assert not Notification.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_request_is_mailed_after_commit(alice, bob, mailoutbox):
    task = make_task(title="Renew the domain")
    monday_ten = datetime.datetime(2026, 9, 21, 10, tzinfo=SEOUL)
    with time_machine.travel(monday_ten, tick=False), transaction.atomic():
        send([bob], Kind.REQUEST, actor=alice, task=task)
        assert mailoutbox == []  # not before commit
    [sent] = mailoutbox
    assert sent.to == [bob.email]
    assert Notification.objects.get().emailed_at is not None


def test_urgent_needs_a_reason_and_a_sender(alice, bob):
    with pytest.raises(ValidationError) as error:
        send([bob], Kind.MENTION, actor=alice, urgent_reason="   ")
    assert "urgent_reason" in error.value.message_dict
    # A blank reason means "not urgent" for notify(); check_urgent refuses it outright.
    with pytest.raises(ValidationError):
        services.check_urgent(alice, "   ")
    with pytest.raises(ValueError):
        send([bob], Kind.MENTION, actor=None, urgent_reason="Down")
    assert not UrgentMark.objects.exists()


def test_urgent_is_audited_and_limited_per_sender_and_local_day(settings, alice, bob, charlie):
    settings.INBOX_URGENT_PER_DAY = 3
    morning = datetime.datetime(2026, 9, 21, 8, tzinfo=SEOUL)
    with time_machine.travel(morning, tick=False):
        send([bob, charlie], Kind.MENTION, actor=alice, urgent_reason="The site is down.")
        send([bob], Kind.MENTION, actor=alice, urgent_reason="Still down.")
        assert services.urgent_left_today(alice) == 0
        with pytest.raises(ValidationError):
            send([charlie], Kind.MENTION, actor=alice, urgent_reason="Really down.")
        # Another sender has their own allowance.
        send([alice], Kind.MENTION, actor=bob, urgent_reason="Need the key.")

    marks = UrgentMark.objects.filter(sender=alice).order_by("pk")
    assert [(m.recipient, m.reason) for m in marks] == [
        (bob, "The site is down."),
        (charlie, "The site is down."),
        (bob, "Still down."),
    ]
    assert Notification.objects.filter(urgent_reason="Really down.").count() == 0
    # The limit is per local day of the sender: after midnight in Seoul, three more.
    with time_machine.travel(datetime.datetime(2026, 9, 22, 0, 1, tzinfo=SEOUL), tick=False):
        assert services.urgent_left_today(alice) == 3


def test_urgent_to_several_people_counts_each(settings, alice, bob, charlie):
    settings.INBOX_URGENT_PER_DAY = 1
    with pytest.raises(ValidationError):
        send([bob, charlie], Kind.MENTION, actor=alice, urgent_reason="Down.")
    assert not Notification.objects.exists()


def test_urgent_left_today_in_the_senders_zone(settings, alice, bob):
    settings.INBOX_URGENT_PER_DAY = 2
    berliner = make_user(profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"})
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    with time_machine.travel(datetime.datetime(2026, 9, 21, 23, 30, tzinfo=berlin), tick=False):
        send([bob], Kind.MENTION, actor=berliner, urgent_reason="Late.")
        assert services.urgent_left_today(berliner) == 1
    # 00:30 in Berlin is a new day for them: the limit follows the sender's own midnight.
    with time_machine.travel(datetime.datetime(2026, 9, 22, 0, 30, tzinfo=berlin), tick=False):
        assert services.urgent_left_today(berliner) == 2
