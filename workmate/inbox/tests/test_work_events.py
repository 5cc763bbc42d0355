"""Each change in Work tells the right people, with the right kind, and never the actor."""

from __future__ import annotations

import pytest

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import add_member, make_user
from workmate.work import services
from workmate.work.models import TaskStatus


@pytest.fixture
def dana(team):
    person = make_user(email="dana@example.com", full_name="Dana Choi")
    add_member(team, person)
    return person


def told(kind=None):
    rows = Notification.objects.order_by("pk")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return [(n.recipient.email, n.kind) for n in rows]


def test_sending_a_request_tells_the_assignee(project, alice, bob):
    task = services.do_create_task(alice, project, title="Check backups")
    services.do_send_request(alice, task, bob, message="Before Friday, please.")

    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (bob, Kind.REQUEST)
    assert notification.actor == alice
    assert notification.excerpt == "Before Friday, please."
    assert notification.url == task.get_absolute_url()
    assert notification.group_key == f"task:{task.pk}"


def test_creating_a_task_for_someone_else_is_a_request_and_for_oneself_is_nothing(
    project, alice, bob
):
    services.do_create_task(alice, project, title="Mine", assignee=alice)
    assert told() == []
    services.do_create_task(alice, project, title="Bob's", assignee=bob, request_message="Do it.")
    assert told() == [("bob@example.com", Kind.REQUEST)]


def test_assigning_without_a_message_tells_them_it_is_assigned_not_asked(project, alice, bob):
    services.do_create_task(alice, project, title="Bob's", assignee=bob)
    assert told() == [("bob@example.com", Kind.ASSIGNED)]


@pytest.mark.parametrize(
    ("reply", "args"),
    [
        (services.do_acknowledge_request, ("On it.",)),
        (services.do_answer_request, ("Done: backups are fine.",)),
        (services.do_hand_back_request, ("Not my area.",)),
    ],
)
def test_every_reply_tells_the_requester_only(project, alice, bob, reply, args):
    task = services.do_create_task(alice, project, title="Check backups")
    request = services.do_send_request(alice, task, bob, message="Check them.")
    Notification.objects.all().delete()

    reply(bob, request, *args)

    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind, notification.actor) == (
        alice,
        Kind.REPLY,
        bob,
    )
    assert notification.excerpt == args[0]


def test_a_mention_tells_the_mentioned_and_a_comment_tells_the_other_followers(
    project, alice, bob, dana
):
    task = services.do_create_task(alice, project, title="Check backups")
    services.do_follow_task(bob, task)
    Notification.objects.all().delete()

    services.do_add_comment(alice, task, "@dana can you look at the logs?")

    assert sorted(told()) == [
        ("bob@example.com", Kind.COMMENT),
        ("dana@example.com", Kind.MENTION),
    ]
    assert not Notification.objects.filter(recipient=alice).exists()


def test_commenting_on_a_followed_task_tells_nobody_but_the_others(project, alice, bob):
    task = services.do_create_task(alice, project, title="Check backups")
    services.do_follow_task(bob, task)
    Notification.objects.all().delete()

    services.do_add_comment(bob, task, "Looks fine to me.")

    assert told() == [("alice@example.com", Kind.COMMENT)]


def test_completing_the_last_blocker_tells_the_waiting_assignee(project, alice, bob, dana):
    first = services.do_create_task(alice, project, title="Order disks")
    second = services.do_create_task(alice, project, title="Ship disks")
    waiting = services.do_create_task(alice, project, title="Install disks", assignee=bob)
    services.do_add_dependency(alice, waiting, first)
    services.do_add_dependency(alice, waiting, second)
    Notification.objects.all().delete()

    services.do_complete_task(alice, first)
    assert told(Kind.UNBLOCKED) == []  # still waits on the second

    services.do_complete_task(dana, second)
    [notification] = Notification.objects.filter(kind=Kind.UNBLOCKED)
    assert (notification.recipient, notification.task, notification.actor) == (bob, waiting, dana)


def test_completing_a_blocker_tells_nobody_when_the_actor_is_the_assignee(project, alice, bob):
    blocker = services.do_create_task(alice, project, title="Order disks")
    waiting = services.do_create_task(alice, project, title="Install disks", assignee=bob)
    services.do_add_dependency(alice, waiting, blocker)
    Notification.objects.all().delete()

    services.do_complete_task(bob, blocker)

    assert told(Kind.UNBLOCKED) == []


def test_completed_waiting_tasks_are_not_told(project, alice, bob):
    blocker = services.do_create_task(alice, project, title="Order disks")
    waiting = services.do_create_task(alice, project, title="Install disks", assignee=bob)
    services.do_add_dependency(alice, waiting, blocker)
    services.do_update_task(alice, waiting, {"status": TaskStatus.DONE})
    Notification.objects.all().delete()

    services.do_complete_task(alice, blocker)

    assert told(Kind.UNBLOCKED) == []


def test_removing_the_last_dependency_tells_the_assignee(project, alice, bob):
    blocker = services.do_create_task(alice, project, title="Order disks")
    other = services.do_create_task(alice, project, title="Ship disks")
    waiting = services.do_create_task(alice, project, title="Install disks", assignee=bob)
    services.do_add_dependency(alice, waiting, blocker)
    services.do_add_dependency(alice, waiting, other)
    Notification.objects.all().delete()

    services.do_remove_dependency(alice, waiting, blocker)
    assert told(Kind.UNBLOCKED) == []
    services.do_remove_dependency(alice, waiting, other)

    assert told(Kind.UNBLOCKED) == [("bob@example.com", Kind.UNBLOCKED)]
