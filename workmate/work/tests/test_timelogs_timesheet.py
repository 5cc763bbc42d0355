"""The timesheet (GET /work/timesheet/): my week by day and task, per project, per person."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import add_member, make_project, make_task, make_team, make_user
from workmate.work import services, timelogs
from workmate.work.models import TimeLog

HTMX = {"HX-Request": "true"}
D = datetime.date
URL = reverse("work:timesheet")
# Wednesday 25 November 2026, 10:00 in Seoul: ISO week 2026-W48 (Mon 23 – Sun 29).
NOW = datetime.datetime(2026, 11, 25, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def week(project, alice, bob):
    """Bob logs on two tasks over the week; Alice logs once; one entry falls outside it."""
    first = services.do_create_task(alice, project, title="Move the database")
    second = services.do_create_task(alice, project, title="Cut over DNS")
    timelogs.do_log_time(bob, first, minutes=60, worked_on=D(2026, 11, 23), billable=True)
    timelogs.do_log_time(bob, first, minutes=30, worked_on=D(2026, 11, 23))
    timelogs.do_log_time(bob, first, minutes=45, worked_on=D(2026, 11, 25))
    timelogs.do_log_time(bob, second, minutes=15, worked_on=D(2026, 11, 26))
    timelogs.do_log_time(bob, second, minutes=600, worked_on=D(2026, 11, 22))  # last week
    timelogs.do_log_time(alice, second, minutes=120, worked_on=D(2026, 11, 24), billable=True)
    return first, second


def test_logged_out_goes_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_post_is_refused(client, bob):
    client.force_login(bob)

    assert client.post(URL).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_my_week_by_task_and_day(client, week, bob):
    client.force_login(bob)

    sheet = client.get(URL).context["sheet"]

    assert sheet.monday == D(2026, 11, 23)
    assert sheet.iso_week == "2026-W48"
    by_task = {row.label: row.days for row in sheet.my_rows}
    assert by_task == {
        "Cut over DNS": [0, 0, 0, 15, 0, 0, 0],
        "Move the database": [90, 0, 45, 0, 0, 0, 0],
    }
    assert sheet.my_days == [90, 0, 45, 15, 0, 0, 0]
    assert (sheet.my_totals.minutes, sheet.my_totals.billable) == (150, 60)


@time_machine.travel(NOW, tick=False)
def test_page_shows_totals_billable_and_non_billable(client, week, bob):
    client.force_login(bob)

    page = client.get(URL).content.decode()

    assert "Billable 1h · non-billable 1h 30m" in page
    assert 'value="2026-W48"' in page
    assert "?week=2026-W47" in page and "?week=2026-W49" in page


@time_machine.travel(NOW, tick=False)
def test_a_chosen_week(client, week, bob):
    client.force_login(bob)

    sheet = client.get(URL, {"week": "2026-W47"}).context["sheet"]

    assert sheet.monday == D(2026, 11, 16)
    assert sheet.my_totals.minutes == 600


@time_machine.travel(NOW, tick=False)
def test_a_bad_week_falls_back_to_this_week(client, week, bob):
    client.force_login(bob)

    assert client.get(URL, {"week": "2026-W99"}).context["sheet"].monday == D(2026, 11, 23)


@time_machine.travel(NOW, tick=False)
def test_per_project_counts_everyone_on_projects_i_see(client, week, bob):
    client.force_login(bob)

    projects = client.get(URL).context["sheet"].projects

    assert [(row.label, row.totals.minutes, row.totals.billable) for row in projects] == [
        ("Migration", 270, 180)
    ]


@time_machine.travel(NOW, tick=False)
def test_a_lead_sees_the_team_a_member_only_themselves(client, week, alice, bob):
    client.force_login(alice)
    lead_view = client.get(URL).context["sheet"].people
    client.force_login(bob)
    member_view = client.get(URL).context["sheet"].people

    assert [(row.label, row.totals.minutes) for row in lead_view] == [
        ("Alice Kim", 120),
        ("Bob Lee", 150),
    ]
    assert [(row.label, row.totals.minutes) for row in member_view] == [("Bob Lee", 150)]


@time_machine.travel(NOW, tick=False)
def test_an_outsider_sees_nothing_of_the_team(client, week, charlie):
    client.force_login(charlie)

    sheet = client.get(URL).context["sheet"]

    assert (sheet.my_rows, sheet.projects, sheet.people) == ([], [], [])
    assert "Migration" not in client.get(URL).content.decode()


@time_machine.travel(NOW, tick=False)
def test_htmx_gets_the_sheet_without_the_page(client, week, bob):
    client.force_login(bob)

    full = client.get(URL).content.decode()
    part = client.get(URL, headers=HTMX).content.decode()

    assert "<html" in full
    assert "<html" not in part
    assert 'id="my-week"' in part


def _fill(count: int, team, lead) -> None:
    """`count` entries by different people on different tasks and projects this week."""
    for number in range(count):
        person = make_user()
        add_member(team, person)
        project = make_project(team=team, owner=lead)
        task = make_task(project=project)
        TimeLog.objects.create(
            task=task, user=person, worked_on=D(2026, 11, 23), minutes=10 + number
        )
        TimeLog.objects.create(
            task=task, user=lead, worked_on=D(2026, 11, 24), minutes=10, billable=True
        )


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_entries(client, alice):
    other = make_team()
    client.force_login(alice)
    team = alice.teams.get()
    _fill(10, team, alice)
    few = _count_queries(client)
    _fill(50, team, alice)
    _fill(5, other, make_user())

    assert _count_queries(client) == few
    assert len(client.get(URL).context["sheet"].people) == 61
