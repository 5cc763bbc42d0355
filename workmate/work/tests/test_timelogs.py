"""Time logs: parsing durations, logging, editing and deleting one's own entries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from workmate.accounts.models import WorkProfile
from workmate.desk.models import Customer
from workmate.testing.factories import make_project
from workmate.work import services, timelogs
from workmate.work.models import TimeLog, Visibility

HTMX = {"HX-Request": "true"}
D = datetime.date
# 23:30 UTC on Tuesday is already Wednesday in Seoul.
LATE_TUESDAY_UTC = datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def task(project, alice):
    return services.do_create_task(alice, project, title="Move the database")


@pytest.fixture
def customer(db):
    return Customer.objects.create(name="Hanbit Bank", industry="finance", tier="enterprise")


# --- Durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("1h 30m", 90),
        ("1h30m", 90),
        ("1H 5M", 65),
        ("2h", 120),
        ("45m", 45),
        ("45 min", 45),
        ("1.5h", 90),
        ("1:30", 90),
        ("0:05", 5),
        ("1시간 30분", 90),
    ],
)
def test_parse_duration(text, minutes):
    assert timelogs.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:75", "h", "1h 30", "-5"])
def test_parse_duration_refuses_nonsense(text):
    with pytest.raises(ValidationError):
        timelogs.parse_duration(text)


def test_format_minutes():
    assert [timelogs.format_minutes(m) for m in (5, 60, 90, 605)] == [
        "5m",
        "1h",
        "1h 30m",
        "10h 05m",
    ]


# --- Services ---------------------------------------------------------------------------------


@time_machine.travel(LATE_TUESDAY_UTC, tick=False)
def test_date_defaults_to_today_in_the_persons_zone(task, bob):
    entry = timelogs.do_log_time(bob, task, minutes=30)

    assert entry.worked_on == D(2026, 11, 25)


@time_machine.travel(LATE_TUESDAY_UTC, tick=False)
def test_date_follows_a_person_in_another_zone(task, bob):
    WorkProfile.objects.filter(user=bob).update(time_zone="America/New_York")
    bob.refresh_from_db()

    assert timelogs.do_log_time(bob, task, minutes=30).worked_on == D(2026, 11, 24)


def test_more_than_a_day_is_refused(task, bob):
    with pytest.raises(ValidationError) as error:
        timelogs.do_log_time(bob, task, minutes=24 * 60 + 1, worked_on=D(2026, 11, 2))

    assert "duration" in error.value.message_dict
    assert not TimeLog.objects.exists()


@time_machine.travel(LATE_TUESDAY_UTC, tick=False)
def test_a_future_day_is_refused(task, bob):
    with pytest.raises(ValidationError) as error:
        timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 27))

    assert "worked_on" in error.value.message_dict
    assert not TimeLog.objects.exists()


def test_only_the_author_changes_or_deletes_an_entry(task, alice, bob):
    entry = timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 2))

    with pytest.raises(PermissionDenied):
        timelogs.do_update_time_log(alice, entry, minutes=10, worked_on=D(2026, 11, 2))
    with pytest.raises(PermissionDenied):
        timelogs.do_delete_time_log(alice, entry)

    entry.refresh_from_db()
    assert entry.minutes == 30


# --- Views ------------------------------------------------------------------------------------


def log_url(task) -> str:
    return reverse("work:log_time", args=[task.pk])


FORM = {
    "time-worked_on": "2026-11-24",
    "time-duration": "1h 30m",
    "time-note": "Dry run",
    "time-billable": "on",
}


def test_logged_out_goes_to_login(client, task):
    response = client.post(log_url(task), FORM)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_get_is_refused(client, task, bob):
    client.force_login(bob)

    assert client.get(log_url(task)).status_code == 405


def test_outsider_gets_404(client, task, bob, charlie):
    entry = timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 2))
    client.force_login(charlie)

    assert client.post(log_url(task), FORM).status_code == 404
    assert client.get(reverse("work:edit_time_log", args=[entry.pk])).status_code == 404
    assert client.post(reverse("work:delete_time_log", args=[entry.pk])).status_code == 404
    assert TimeLog.objects.count() == 1


def test_read_only_viewer_gets_403(client, team, alice, charlie):
    org_project = make_project(team=team, owner=alice, visibility=Visibility.ORG)
    task = services.do_create_task(alice, org_project, title="Visible to all")
    client.force_login(charlie)

    assert client.post(log_url(task), FORM).status_code == 403
    assert not TimeLog.objects.exists()
    page = client.get(reverse("work:task", args=[task.pk])).content.decode()
    assert 'id="timelog-form"' not in page


def test_member_logs_time(client, task, bob, customer):
    client.force_login(bob)

    response = client.post(log_url(task), {**FORM, "time-customer": customer.pk})

    assert response.status_code == 302
    entry = TimeLog.objects.get()
    assert (entry.user, entry.task, entry.worked_on, entry.minutes) == (
        bob,
        task,
        D(2026, 11, 24),
        90,
    )
    assert (entry.note, entry.billable, entry.customer) == ("Dry run", True, customer)
    page = client.get(response.url).content.decode()
    assert "Total 1h 30m · billable 1h 30m" in page
    assert "Hanbit Bank" in page


def test_htmx_gets_the_list_back_with_the_total(client, task, alice, bob):
    timelogs.do_log_time(alice, task, minutes=30, worked_on=D(2026, 11, 23))
    client.force_login(bob)

    response = client.post(log_url(task), {**FORM, "time-duration": "1:00"}, headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<section class="task-part rhythm-part" id="task-timelogs">')
    assert "<html" not in body
    assert "Total 1h 30m · billable 1h" in body


def test_bad_duration_is_shown_beside_the_field(client, task, bob):
    client.force_login(bob)

    response = client.post(log_url(task), {**FORM, "time-duration": "a while"})

    assert response.status_code == 400
    assert "Write the time as minutes" in response.content.decode()
    assert not TimeLog.objects.exists()


def test_only_own_entries_have_edit_links(client, task, alice, bob):
    mine = timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 2))
    theirs = timelogs.do_log_time(alice, task, minutes=20, worked_on=D(2026, 11, 2))
    client.force_login(bob)

    page = client.get(reverse("work:task", args=[task.pk])).content.decode()

    assert reverse("work:edit_time_log", args=[mine.pk]) in page
    assert reverse("work:edit_time_log", args=[theirs.pk]) not in page


def test_edit_own_entry(client, task, bob):
    entry = timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 2))
    client.force_login(bob)
    url = reverse("work:edit_time_log", args=[entry.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'value="30m"' in page.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" not in client.get(url, headers=HTMX).content.decode()

    response = client.post(url, {**FORM, "time-duration": "2h", "time-billable": ""})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.minutes, entry.billable, entry.worked_on) == (120, False, D(2026, 11, 24))


def test_cannot_edit_someone_elses_entry(client, task, alice, bob):
    entry = timelogs.do_log_time(alice, task, minutes=30, worked_on=D(2026, 11, 2))
    client.force_login(bob)

    assert client.post(reverse("work:edit_time_log", args=[entry.pk]), FORM).status_code == 404
    assert client.post(reverse("work:delete_time_log", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.minutes == 30


def test_delete_own_entry(client, task, bob):
    entry = timelogs.do_log_time(bob, task, minutes=30, worked_on=D(2026, 11, 2))
    client.force_login(bob)
    url = reverse("work:delete_time_log", args=[entry.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, headers=HTMX)

    assert response.status_code == 200
    assert "No time logged yet." in response.content.decode()
    assert not TimeLog.objects.exists()
