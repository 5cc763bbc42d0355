"""Someone who can no longer see a task, ticket or proposal hears nothing more about it.

When a notice is written, whoever cannot see its object is left out; when it is delivered
later (mail by the worker, the digest) or shown (the inbox page, the API, the home page),
a notice about what its reader has since lost is not mailed, not in the digest, and shown
without its title and excerpt.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workmate.accounts.models import Membership
from workmate.desk import services as desk
from workmate.inbox import delivery, digests
from workmate.inbox.models import Channel, DeliveryPreference, Kind, Notification
from workmate.inbox.services import notify
from workmate.testing.factories import add_member, make_project, make_team, make_ticket
from workmate.testing.openapi import token_client
from workmate.voice import leads
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work import services as work
from workmate.work.models import Visibility

SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday morning: inside everyone's working hours, so mail goes out at once.
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)
SECRET = "Layoffs in Q3"
HIDDEN = "something no longer shared with you"

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def by_mail(bob):
    """Bob wants comments mailed at once rather than in the digest."""
    DeliveryPreference.objects.create(user=bob, kind=Kind.COMMENT, channel=Channel.EMAIL)


@pytest.fixture
def task(project, alice, bob):
    """A task of Alice's team project that Bob follows."""
    task = work.do_create_task(alice, project, title=SECRET)
    work.do_follow_task(bob, task)
    return task


def comment(alice, task, body, capture):
    with capture(execute=True):
        work.do_add_comment(alice, task, body)


def inbox_page(client, person) -> str:
    client.force_login(person)
    return client.get("/inbox/").content.decode()


def api_items(person) -> list[dict]:
    response = token_client(person).get("/api/v1/inbox/notifications")
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_a_follower_taken_off_the_team_hears_nothing_more(
    client, alice, bob, task, by_mail, django_capture_on_commit_callbacks
):
    comment(alice, task, "First round of numbers.", django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=bob, kind=Kind.COMMENT).count() == 1
    assert [m.to for m in mail.outbox] == [[bob.email]]

    Membership.objects.filter(user=bob).delete()
    comment(alice, task, "The list of names is attached.", django_capture_on_commit_callbacks)

    assert Notification.objects.filter(recipient=bob, kind=Kind.COMMENT).count() == 1
    assert len(mail.outbox) == 1
    assert "list of names" not in inbox_page(client, bob)
    assert all("list of names" not in item["excerpt"] for item in api_items(bob))


def test_a_private_project_tells_only_its_members(
    alice, bob, project, task, by_mail, django_capture_on_commit_callbacks
):
    project.visibility = Visibility.PRIVATE
    project.save(update_fields=["visibility"])
    comment(alice, task, "Now private.", django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=bob, kind=Kind.COMMENT).exists()
    assert mail.outbox == []


def test_a_deactivated_follower_gets_nothing(alice, bob, task, django_capture_on_commit_callbacks):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    comment(alice, task, "While you were away.", django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(recipient=bob).exists()
    assert mail.outbox == []


def test_a_notice_written_before_access_was_lost_is_not_mailed_nor_shown(
    client, alice, bob, project, task, by_mail, django_capture_on_commit_callbacks
):
    # Written while Bob could see the task; the worker runs after he lost access.
    with django_capture_on_commit_callbacks(execute=False) as mail_jobs:
        work.do_add_comment(alice, task, "Names on page two.")
    project.visibility = Visibility.PRIVATE
    project.save(update_fields=["visibility"])
    for job in mail_jobs:
        job()

    notification = Notification.objects.get(recipient=bob, kind=Kind.COMMENT)
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None
    page = inbox_page(client, bob)
    assert SECRET not in page and "Names on page two" not in page
    assert HIDDEN in page
    [item] = [item for item in api_items(bob) if item["id"] == notification.pk]
    assert (item["title"], item["excerpt"]) == (HIDDEN, "")
    assert SECRET not in item["sentence"]
    one = token_client(bob).get(f"/api/v1/inbox/notifications/{notification.pk}").json()
    assert one["title"] == HIDDEN
    # The row keeps its words: given access again, Bob reads them.
    assert Notification.objects.get(pk=notification.pk).title == SECRET


def test_the_digest_leaves_out_what_the_reader_lost(
    alice, bob, project, task, django_capture_on_commit_callbacks
):
    kept = work.do_create_task(alice, project, title="Office move")
    work.do_follow_task(bob, kept)
    comment(alice, task, "Names on page two.", django_capture_on_commit_callbacks)
    comment(alice, kept, "Boxes on Friday.", django_capture_on_commit_callbacks)
    # The secret task moves to a private project Bob is not in; the other stays.
    task.project = make_project(owner=alice, visibility=Visibility.PRIVATE)
    task.save(update_fields=["project"])

    content = digests.build_digest(bob, NOW + datetime.timedelta(hours=1))
    titles = [group.title for group in content.groups]
    assert titles == ["Office move"]
    assert content.new_count == 1


def test_a_ticket_notice_is_not_mailed_once_its_agent_leaves_the_teams(
    alice, bob, django_capture_on_commit_callbacks
):
    ticket = make_ticket(subject=SECRET)
    with django_capture_on_commit_callbacks(execute=False) as mail_jobs:
        desk.do_assign(alice, ticket, bob)
    notification = Notification.objects.get(recipient=bob, kind=Kind.ASSIGNED)
    Membership.objects.filter(user=bob).delete()  # No team: no longer an agent.
    for job in mail_jobs:
        job()

    assert mail.outbox == []
    assert digests.build_digest(bob, NOW).new_count == 0
    [item] = api_items(bob)
    assert item["id"] == notification.pk and SECRET not in item["title"]
    # Still an agent, the notice is mailed: the rule is about access, not tickets.
    add_member(make_team(), bob)
    assert delivery.send_notification_email(notification.pk, NOW) is True
    assert SECRET in mail.outbox[0].subject


def test_a_ticket_notice_goes_to_agents_only(alice, charlie):
    ticket = make_ticket(subject=SECRET)
    told = notify(
        [charlie], Kind.TICKET, actor=alice, title=SECRET, url="/", group_key=f"ticket:{ticket.pk}"
    )
    assert told == []


def test_a_hidden_proposal_is_not_mailed_nor_shown_to_those_who_lost_it(
    alice, bob, charlie, django_capture_on_commit_callbacks
):
    DeliveryPreference.objects.create(user=charlie, kind=Kind.COMMENT, channel=Channel.EMAIL)
    proposal = voice.do_post_proposal(bob, title=SECRET, problem="Details.", area=Area.OTHER)
    first = voice.do_comment(charlie, proposal, "Me too.")
    with django_capture_on_commit_callbacks(execute=False) as mail_jobs:
        voice.do_comment(bob, proposal, "Thanks, adding the names.", parent=first)
    notification = Notification.objects.get(recipient=charlie)
    leads.do_hide(alice, proposal, "Personal data.")
    for job in mail_jobs:
        job()

    assert mail.outbox == []
    assert digests.build_digest(charlie, NOW).new_count == 0
    [item] = api_items(charlie)
    assert (item["id"], item["title"], item["excerpt"]) == (notification.pk, HIDDEN, "")
    # The lead who hid it still sees what it was about.
    told = notify(
        [alice, charlie],
        Kind.COMMENT,
        actor=bob,
        title=SECRET,
        url="/",
        group_key=f"proposal:{proposal.pk}",
    )
    assert [n.recipient for n in told] == [alice]


def test_the_inbox_checks_access_in_bulk(client, alice, bob, project):
    """However many notices of each kind, a fixed number of queries ask who may see them."""

    def queries(count: int) -> int:
        Notification.objects.all().delete()
        for number in range(count):
            task = work.do_create_task(alice, project, title=f"Task {number}")
            ticket = make_ticket(subject=f"Ticket {number}")
            for key in (f"task:{task.pk}", f"ticket:{ticket.pk}"):
                Notification.objects.create(
                    recipient=bob,
                    kind=Kind.COMMENT,
                    channel=Channel.IN_APP,
                    actor=alice,
                    group_key=key,
                    title=f"Secret {key}",
                    url="/",
                )
        Membership.objects.filter(user=bob).delete()
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/inbox/").content.decode()
        add_member(project.team, bob)
        assert "Secret" not in page and HIDDEN in page
        return len(captured)

    client.force_login(bob)
    assert queries(2) == queries(8)
