"""Urgent as a deliberate act: the urgent box and reason on the Work request (quick add) and
comment forms, the daily limit, and the audit list at /inbox/urgent/."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.accounts.models import OrgRole, TeamRole
from workmate.inbox.models import Kind, Notification, UrgentMark
from workmate.testing.factories import add_member, make_task, make_team, make_user
from workmate.work.models import Comment, Task, WorkRequest

HTMX = {"HX-Request": "true"}
SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday evening in Seoul: outside working hours, when "urgent" matters.
NOW = datetime.datetime(2025, 11, 19, 21, 0, tzinfo=SEOUL)
AUDIT = "/inbox/urgent/"

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def task(project):
    return make_task(project=project, title="Restore the database")


def add_task(client, project, **fields):
    data = {"title": "Restore the database", "assignee": "", "request_message": "Now.", **fields}
    return client.post(reverse("work:add_task", args=[project.pk]), data)


def comment(client, task, **fields):
    return client.post(reverse("work:add_comment", args=[task.pk]), fields)


# --- The request form (a task added with an assignee sends them a request) ---------------


def test_an_urgent_request_is_sent_with_its_reason(client, project, alice, bob):
    client.force_login(bob)

    response = add_task(
        client, project, assignee=alice.pk, urgent="on", urgent_reason="Backups failed twice"
    )

    assert response.status_code == 302
    notification = Notification.objects.get(recipient=alice, kind=Kind.REQUEST)
    assert notification.urgent_reason == "Backups failed twice"
    mark = UrgentMark.objects.get()
    assert (mark.sender, mark.recipient, mark.reason) == (bob, alice, "Backups failed twice")


def test_a_request_not_marked_urgent_ignores_a_stray_reason(client, project, alice, bob):
    client.force_login(bob)

    add_task(client, project, assignee=alice.pk, urgent_reason="typed, then unticked")

    assert Notification.objects.get(recipient=alice, kind=Kind.REQUEST).urgent_reason == ""
    assert not UrgentMark.objects.exists()


def test_urgent_without_a_reason_is_an_error_and_sends_nothing(client, project, alice, bob):
    client.force_login(bob)

    response = add_task(client, project, assignee=alice.pk, urgent="on", urgent_reason="  ")

    assert response.status_code == 400
    assert "Say why this cannot wait for working hours." in response.content.decode()
    assert not Task.objects.filter(title="Restore the database").exists()
    assert not WorkRequest.objects.exists() and not Notification.objects.exists()
    assert not UrgentMark.objects.exists()


def test_urgent_without_an_assignee_is_an_error(client, project, bob):
    client.force_login(bob)

    response = add_task(client, project, urgent="on", urgent_reason="Down")

    assert response.status_code == 400
    assert "A request needs someone to go to: choose who you ask." in response.content.decode()
    assert not Task.objects.exists()


def test_the_daily_limit_holds_and_nothing_is_saved_past_it(client, project, alice, bob, settings):
    settings.INBOX_URGENT_PER_DAY = 1
    client.force_login(bob)
    add_task(client, project, assignee=alice.pk, urgent="on", urgent_reason="First")

    response = add_task(
        client, project, title="Second", assignee=alice.pk, urgent="on", urgent_reason="Again"
    )

    assert response.status_code == 400
    assert "have 0 left" in response.content.decode()
    assert not Task.objects.filter(title="Second").exists()
    assert UrgentMark.objects.count() == 1


def test_the_limit_starts_again_on_the_senders_next_local_day(
    client, project, alice, bob, settings
):
    settings.INBOX_URGENT_PER_DAY = 1
    client.force_login(bob)
    add_task(client, project, assignee=alice.pk, urgent="on", urgent_reason="First")

    with time_machine.travel(datetime.datetime(2025, 11, 20, 0, 5, tzinfo=SEOUL), tick=False):
        response = add_task(
            client, project, title="Next day", assignee=alice.pk, urgent="on", urgent_reason="Ok"
        )

    assert response.status_code == 302
    assert UrgentMark.objects.count() == 2


def test_the_forms_say_how_many_urgent_marks_are_left(client, project, task, alice, bob):
    client.force_login(bob)
    assert (
        "You can mark 3 more notifications urgent today."
        in client.get(reverse("work:project", args=[project.pk])).content.decode()
    )

    add_task(client, project, assignee=alice.pk, urgent="on", urgent_reason="First")

    html = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "You can mark 2 more notifications urgent today." in html
    assert 'name="urgent_reason"' in html


# --- The comment form (urgent tells the people it @mentions) -----------------------------


def test_an_urgent_comment_tells_the_mentioned_urgently(client, task, alice, bob):
    client.force_login(bob)

    response = comment(
        client, task, body="@alice the restore fails", urgent="on", urgent_reason="Customer down"
    )

    assert response.status_code == 302
    mention = Notification.objects.get(recipient=alice, kind=Kind.MENTION)
    assert mention.urgent_reason == "Customer down"
    assert UrgentMark.objects.get().recipient == alice


def test_an_urgent_comment_needs_a_reason(client, task, alice, bob):
    client.force_login(bob)

    response = comment(client, task, body="@alice look", urgent="on", urgent_reason="")

    assert response.status_code == 400
    assert "Say why this cannot wait for working hours." in response.content.decode()
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_an_urgent_comment_must_mention_someone(client, task, alice, bob):
    client.force_login(bob)

    response = comment(client, task, body="Anyone?", urgent="on", urgent_reason="Down")

    assert response.status_code == 400
    assert "Mention the people who must read this urgently." in response.content.decode()
    assert not Comment.objects.exists() and not UrgentMark.objects.exists()


def test_a_plain_comment_still_works(client, task, alice, bob):
    client.force_login(bob)

    response = comment(client, task, body="@alice when you can")

    assert response.status_code == 302
    assert Notification.objects.get(recipient=alice).urgent_reason == ""


# --- The audit list ----------------------------------------------------------------------


@pytest.fixture
def marks(alice, bob, charlie):
    """Bob (Alice's team) to Alice, and two people of another team to each other."""
    other = make_team(code="OT")
    dana, erin = make_user(full_name="Dana Oh"), make_user(full_name="Erin Yu")
    add_member(other, dana)
    add_member(other, erin)
    ours = UrgentMark.objects.create(
        sender=bob, recipient=alice, reason="Backups failed", title="Restore", url="/work/"
    )
    theirs = UrgentMark.objects.create(
        sender=dana, recipient=erin, reason="Payroll today", title="Payroll", url="/work/"
    )
    to_ours = UrgentMark.objects.create(
        sender=charlie, recipient=bob, reason="Contract", title="Sign", url="/work/"
    )
    return ours, theirs, to_ours


def reasons(html: str) -> set[str]:
    return set(re.findall(r"<td>(Backups failed|Payroll today|Contract)</td>", html))


def test_a_lead_sees_marks_sent_by_or_to_their_team(client, alice, marks):
    client.force_login(alice)

    html = client.get(AUDIT).content.decode()

    assert reasons(html) == {"Backups failed", "Contract"}
    assert "Bob Lee" in html and "Alice Kim" in html


def test_executives_and_staff_see_every_mark(client, marks):
    executive = make_user(org_role=OrgRole.EXECUTIVE)
    staff = make_user(is_staff=True)
    for person in (executive, staff):
        client.force_login(person)
        assert reasons(client.get(AUDIT).content.decode()) == {
            "Backups failed",
            "Payroll today",
            "Contract",
        }


def test_members_and_outsiders_get_403(client, bob, charlie, marks):
    for person in (bob, charlie):
        client.force_login(person)
        response = client.get(AUDIT)
        assert response.status_code == 403
        assert "Backups failed" not in response.content.decode()


def test_the_inbox_links_the_audit_only_for_those_who_may_read_it(client, alice, bob):
    client.force_login(alice)
    assert f'href="{AUDIT}"' in client.get("/inbox/").content.decode()
    client.force_login(bob)
    assert f'href="{AUDIT}"' not in client.get("/inbox/").content.decode()


def test_the_audit_is_paginated_with_a_fixed_query_count(
    client, alice, bob, monkeypatch, django_assert_max_num_queries
):
    from workmate.inbox import views

    monkeypatch.setattr(views, "URGENT_PER_PAGE", 5)
    sender_team = make_team(code="SE")
    add_member(sender_team, alice, TeamRole.LEAD)

    def queries(count: int) -> int:
        UrgentMark.objects.all().delete()
        for number in range(count):
            sender = make_user(full_name=f"Sender {number}")
            add_member(sender_team, sender)
            UrgentMark.objects.create(
                sender=sender, recipient=bob, reason=f"R{number}", title="T", url="/"
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(AUDIT).status_code == 200
        return len(captured)

    client.force_login(alice)
    assert queries(3) == queries(12)
    page_two = client.get(AUDIT, {"page": "2"}).content.decode()
    assert "Page 2 of 3" in page_two
    # Session, person, profile, led teams, count, page.
    with django_assert_max_num_queries(6):
        client.get(AUDIT)


def test_audit_htmx_fragment_anonymous_and_wrong_method(client, alice, marks):
    assert client.get(AUDIT)["Location"].startswith("/login/")
    client.force_login(alice)

    assert "<html" not in client.get(AUDIT, headers=HTMX).content.decode()
    assert "<html" in client.get(AUDIT).content.decode()
    assert client.post(AUDIT).status_code == 405
