"""Availability beside the assignee pickers (accounts.views_availability) on frozen clocks."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from workmate.accounts.models import TeamRole, WorkMode, WorkModeDay
from workmate.accounts.tests.helpers import HTMX
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_project,
    make_task,
    make_team,
    make_user,
)
from workmate.work.models import Visibility

SEOUL = ZoneInfo("Asia/Seoul")
# A Friday evening in Seoul, after working hours.
FRIDAY_EVENING = datetime.datetime(2025, 9, 26, 18, 50, tzinfo=SEOUL)
FRIDAY_MORNING = datetime.datetime(2025, 9, 26, 10, 0, tzinfo=SEOUL)
# The evening before the 2025 Chuseok break (Foundation Day, Chuseok, Hangul Day).
BEFORE_CHUSEOK = datetime.datetime(2025, 10, 2, 18, 50, tzinfo=SEOUL)


def frozen(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def project(team, alice):
    return make_project(team=team, owner=alice, name="Migration")


def hint(client, person, project=None, **params) -> str:
    query = {"person": person.pk, **params}
    if project is not None:
        query["project"] = project.pk
    response = client.get(reverse("person_availability"), query, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_in_working_hours_with_mode_and_reply_by(client, alice, bob, project):
    client.force_login(alice)
    with frozen(FRIDAY_MORNING):
        text = hint(client, bob, project)
    assert f'data-person="{bob.pk}"' in text
    assert "Office" in text
    assert "Working" in text
    assert "until Fri 18:00" in text
    # Eight working hours from 10:00 end at 18:00 the same day.
    assert "Assigned now, the reply-by is Fri 26 Sep, 18:00." in text


def test_off_hours_on_friday_evening_gives_a_monday_reply_by(client, alice, bob, project):
    client.force_login(alice)
    with frozen(FRIDAY_EVENING):
        text = hint(client, bob, project)
    assert "Off hours" in text
    assert "back Mon 29 Sep, 09:00" in text
    assert "Assigned now, the reply-by is Mon 29 Sep, 17:00." in text


def test_reply_by_follows_the_projects_team_setting(client, alice, bob, project, team):
    team.reply_by_hours = 4
    team.save(update_fields=["reply_by_hours"])
    client.force_login(alice)
    with frozen(FRIDAY_EVENING):
        text = hint(client, bob, project)
    assert "Assigned now, the reply-by is Mon 29 Sep, 13:00." in text


def test_reply_by_skips_chuseok(client, alice, bob, project):
    client.force_login(alice)
    with frozen(BEFORE_CHUSEOK):
        text = hint(client, bob, project)
    assert "National Foundation Day" not in text  # Thursday evening is a plain evening.
    assert "back Fri 10 Oct, 09:00" in text
    assert "Assigned now, the reply-by is Fri 10 Oct, 17:00." in text


def test_holiday_is_named_when_off_for_it(client, alice, bob, project):
    client.force_login(alice)
    with frozen(datetime.datetime(2025, 10, 6, 11, 0, tzinfo=SEOUL)):
        text = hint(client, bob, project)
    assert "Chuseok" in text
    assert "Working" not in text


def test_work_mode_of_the_day_shows_with_its_place(client, alice, bob, project):
    WorkModeDay.objects.create(
        user=bob, date=FRIDAY_MORNING.date(), mode=WorkMode.WORKATION, place="Jeju"
    )
    client.force_login(alice)
    with frozen(FRIDAY_MORNING):
        text = hint(client, bob, project)
    assert "mode-workation" in text
    assert "Workation</span> · Jeju" in text


def test_times_are_in_the_viewers_zone(client, bob, team):
    jonas = make_user(
        full_name="Jonas Weber", profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}
    )
    project = make_project(team=team, owner=jonas, visibility=Visibility.ORG)
    client.force_login(jonas)
    with frozen(FRIDAY_EVENING):
        text = hint(client, bob, project)
    # Monday 09:00 and 17:00 in Seoul are 02:00 and 10:00 in Berlin (summer time).
    assert "back Mon 29 Sep, 02:00" in text
    assert "Assigned now, the reply-by is Mon 29 Sep, 10:00." in text
    # And bob's own clock, since it differs.
    assert "their time Fri 18:50 (Asia/Seoul)" in text


def test_picking_yourself_sends_no_request(client, alice, project):
    client.force_login(alice)
    with frozen(FRIDAY_MORNING):
        text = hint(client, alice, project)
    assert "That's you: no request is sent." in text
    assert "reply-by is" not in text
    assert "their time" not in text


def test_without_a_project_the_default_reply_by_applies(client, alice, bob):
    client.force_login(alice)
    with frozen(FRIDAY_EVENING):
        text = hint(client, bob)
    assert "Assigned now, the reply-by is Mon 29 Sep, 17:00." in text


def test_the_select_sends_its_own_name(client, alice, bob, project):
    client.force_login(alice)
    url = reverse("person_availability")
    with frozen(FRIDAY_EVENING):
        plain = client.get(url, {"assignee": bob.pk, "project": project.pk}, headers=HTMX)
        prefixed = client.get(url, {"subtask-assignee": bob.pk, "project": project.pk})
        by_path = client.get(reverse("person_availability_of", args=[bob.pk]))
    for response in (plain, prefixed, by_path):
        assert response.status_code == 200
        assert f'data-person="{bob.pk}"' in response.content.decode()


def test_nobody_picked_empties_the_hint(client, alice, project):
    client.force_login(alice)
    response = client.get(
        reverse("person_availability"), {"assignee": "", "project": project.pk}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.content == b""


def test_outsider_may_look_people_up_but_not_in_a_project_they_cannot_see(
    client, alice, bob, charlie, team
):
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    client.force_login(charlie)
    url = reverse("person_availability")
    assert client.get(url, {"person": bob.pk, "project": private.pk}).status_code == 404
    # Directory information: without the project, charlie sees what the directory shows.
    assert client.get(url, {"person": bob.pk}).status_code == 200


def test_unknown_inactive_and_malformed_are_404(client, alice, bob, project):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    client.force_login(alice)
    url = reverse("person_availability")
    assert client.get(url, {"person": bob.pk}).status_code == 404
    assert client.get(url, {"person": 999999}).status_code == 404
    assert client.get(url, {"person": "x"}).status_code == 404
    assert client.get(url, {"person": alice.pk, "project": "x"}).status_code == 404
    assert client.get(url, {"person": alice.pk, "project": 999999}).status_code == 404


def test_anonymous_is_sent_to_log_in(client, bob):
    response = client.get(reverse("person_availability"), {"person": bob.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_get(client, alice, bob):
    client.force_login(alice)
    assert client.post(reverse("person_availability"), {"person": bob.pk}).status_code == 405


def test_query_count_is_small_and_fixed(client, alice, bob, project, django_assert_max_num_queries):
    client.force_login(alice)
    with frozen(FRIDAY_EVENING), django_assert_max_num_queries(9):
        hint(client, bob, project)


# --- Wiring into the Work pickers -------------------------------------------------------------


def test_task_edit_form_asks_for_the_assignees_availability(client, alice, bob, project):
    task = make_task(project=project, assignee=bob)
    client.force_login(alice)
    content = client.get(reverse("work:edit_task", args=[task.pk])).content.decode()
    url = reverse("person_availability") + f"?project={project.pk}"
    assert f'hx-get="{url}"' in content
    # Someone is assigned already: their availability loads with the form.
    assert 'hx-trigger="change, load"' in content
    assert 'class="availability-hint"' in content
    assert "onchange" not in content


def test_quick_add_and_unassigned_edit_ask_only_on_change(client, alice, project):
    task = make_task(project=project)
    client.force_login(alice)
    url = reverse("person_availability") + f"?project={project.pk}"
    for page in (
        reverse("work:edit_task", args=[task.pk]),
        reverse("work:project", args=[project.pk]),
    ):
        content = client.get(page).content.decode()
        assert f'hx-get="{url}"' in content, page
        assert 'hx-trigger="change"' in content, page
        assert 'hx-trigger="change, load"' not in content, page


@pytest.mark.browser
def test_picking_an_assignee_shows_their_availability_in_the_browser(page, live_server):
    team = make_team(code="TE", name="Technical Engineering")
    alice = make_user(email="alice@example.com", full_name="Alice Kim")
    bob = make_user(email="bob@example.com", full_name="Bob Lee")
    add_member(team, alice, TeamRole.LEAD)
    add_member(team, bob)
    project = make_project(team=team, owner=alice, name="Backups")
    task = make_task(project=project, assignee=bob, title="Restore test")
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    # The quick-add form: nothing picked, no hint; picking Bob asks for his.
    page.goto(f"/work/projects/{project.pk}/")
    form = page.locator("#add-task-form")
    hint = form.locator(".availability-hint")
    expect(hint).to_be_empty()
    form.locator("select[name=assignee]").select_option(label="Bob Lee")
    expect(hint.locator(f"[data-person='{bob.pk}']")).to_contain_text("reply-by is")
    # Picking yourself: no request, so no reply-by.
    form.locator("select[name=assignee]").select_option(label="Alice Kim")
    expect(hint).to_contain_text("That's you")
    form.locator("select[name=assignee]").select_option(index=0)
    expect(hint).to_be_empty()

    # The edit form of a task assigned to Bob shows his availability as it loads.
    page.goto(f"/work/tasks/{task.pk}/edit/")
    expect(page.locator("#task-edit-form .availability-hint")).to_contain_text("reply-by is")
    assert blocked == []
