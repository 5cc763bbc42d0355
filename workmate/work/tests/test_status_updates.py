"""Written project status updates: who posts, the page, and the reminder in working time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_project
from workmate.work import status
from workmate.work.models import ProjectStatusUpdate, StatusCadence

UTC = datetime.UTC


@pytest.fixture
def project(team, bob):
    """Bob owns it (his working hours: Seoul, Mon–Fri 09–18 by default)."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)):
        return make_project(name="Backup revamp", team=team, owner=bob)


def test_owner_posts_an_update_with_a_cadence(project, bob):
    update = status.do_post_status_update(
        bob,
        project,
        health="at_risk",
        summary="Vendor late.",
        next_milestone="Pilot",
        every_days=14,
    )

    assert (update.health, update.author, update.next_milestone) == ("at_risk", bob, "Pilot")
    assert StatusCadence.objects.get(project=project).every_days == 14


def test_a_member_who_does_not_own_it_cannot_post(project, team, charlie):
    from workmate.testing.factories import add_member, make_user

    member = make_user()
    add_member(team, member)
    for person in (member, charlie):
        with pytest.raises(PermissionDenied):
            status.do_post_status_update(person, project, health="on_track", summary="Fine")
    assert not ProjectStatusUpdate.objects.exists()


def test_bad_input_is_refused_and_nothing_written(project, bob):
    with pytest.raises(ValidationError) as error:
        status.do_post_status_update(bob, project, health="great", summary=" ", every_days=400)

    assert set(error.value.message_dict) == {"health", "summary", "every_days"}
    assert not ProjectStatusUpdate.objects.exists()
    assert not StatusCadence.objects.exists()


def test_latest_update_annotation(project, bob):
    with time_machine.travel(datetime.datetime(2026, 3, 3, 1, tzinfo=UTC)):
        status.do_post_status_update(bob, project, health="on_track", summary="Old")
    with time_machine.travel(datetime.datetime(2026, 3, 4, 1, tzinfo=UTC)):
        status.do_post_status_update(bob, project, health="off_track", summary="New")

    row = status.with_latest_update(type(project).objects.filter(pk=project.pk)).get()

    assert (row.status_health, row.status_summary) == ("off_track", "New")


def _reminders():
    return Notification.objects.filter(kind=Kind.CHECKIN, group_key__startswith="project:")


def test_reminder_waits_for_the_cadence_and_for_working_time(project, bob):
    # Posted Monday 2 March 10:00 KST, every 7 days: due Monday 9 March 10:00 KST.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 1, tzinfo=UTC)):
        status.do_post_status_update(bob, project, health="on_track", summary="ok", every_days=7)

    # Sunday 8 March: not due yet.
    assert status.remind_status_updates(datetime.datetime(2026, 3, 8, 1, tzinfo=UTC)) == 0
    # Monday 9 March 22:00 KST: due, but Bob is not at work.
    assert status.remind_status_updates(datetime.datetime(2026, 3, 9, 13, tzinfo=UTC)) == 0
    assert not _reminders().exists()
    # Tuesday 10 March 09:30 KST: at work, reminded once however often the clock ticks.
    at_work = datetime.datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    assert status.remind_status_updates(at_work) == 1
    assert status.remind_status_updates(at_work + datetime.timedelta(minutes=1)) == 0
    reminder = _reminders().get()
    assert reminder.recipient == bob
    assert reminder.url == reverse("work:project_status", args=[project.pk])
    assert "Backup revamp" in reminder.title


def test_a_new_update_resets_the_reminder(project, bob):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 1, tzinfo=UTC)):
        status.do_post_status_update(bob, project, health="on_track", summary="ok", every_days=7)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 0, 30, tzinfo=UTC)):
        status.do_post_status_update(bob, project, health="on_track", summary="still ok")

    assert status.remind_status_updates(datetime.datetime(2026, 3, 10, 1, tzinfo=UTC)) == 0


def test_no_cadence_no_reminder(project, bob):
    status.do_post_status_update(bob, project, health="on_track", summary="ok")

    assert status.remind_status_updates(datetime.datetime(2027, 3, 10, 1, tzinfo=UTC)) == 0


# --- The page ----------------------------------------------------------------------------------


def test_status_page_posts_and_lists(client, project, bob):
    client.force_login(bob)
    url = reverse("work:project_status", args=[project.pk])

    response = client.post(
        url,
        {
            "health": "at_risk",
            "summary": "Quota **late**",
            "next_milestone": "Go-live",
            "every_days": 7,
        },
    )

    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<strong>late</strong>" in page and "Go-live" in page and "At risk" in page


def test_status_page_refuses_a_read_only_member_and_hides_from_outsiders(
    client, project, team, charlie
):
    from workmate.testing.factories import add_member, make_user

    member = make_user()
    add_member(team, member)
    url = reverse("work:project_status", args=[project.pk])
    client.force_login(member)
    assert client.get(url).status_code == 200
    assert client.post(url, {"health": "on_track", "summary": "x"}).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert not ProjectStatusUpdate.objects.exists()


def test_status_page_bad_input_keeps_the_form(client, project, bob):
    client.force_login(bob)

    response = client.post(
        reverse("work:project_status", args=[project.pk]), {"health": "x", "summary": "kept"}
    )

    assert response.status_code == 400
    assert "kept" in response.content.decode()
