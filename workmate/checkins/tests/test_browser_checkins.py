"""Check-ins in a real browser: Alice sets one up, the clock opens it for Bob, Bob finds
it pre-filled with the task he completed and sends it, and Alice reads his answer and
sees who has not answered yet."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from workmate.checkins.models import Checkin, CheckinResponse
from workmate.checkins.services import open_due_checkins
from workmate.inbox.models import Kind, Notification
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_project,
    make_task,
    make_user,
)
from workmate.work import services as work_services

pytestmark = pytest.mark.browser

TASK = "Move the billing database"


@pytest.fixture
def people(team, alice, bob):
    dana = make_user(email="dana@example.com", full_name="Dana Weber")
    add_member(team, dana)
    return team, alice, bob, dana


def test_lead_sets_up_member_answers_pre_filled_lead_reads(
    page: Page, live_server, people, open_page
):
    team, alice, bob, dana = people

    # Alice sets up a weekly check-in from the Work area.
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto("/work/")
    page.locator("nav.work-nav").get_by_role("link", name="Check-ins").click()
    expect(page).to_have_url(re.compile(r"/checkins/$"))
    page.get_by_role("link", name="New check-in").click()
    form = page.locator("#checkin-settings")
    expect(form.locator("textarea[name=questions]")).to_have_value("Done\nNext\nBlocked")
    form.locator("input[name=title]").fill("Friday check-in")
    form.locator("select[name=frequency]").select_option("weekly")
    form.locator("select[name=weekday]").select_option("4")
    form.locator("input[name=time_of_day]").fill("16:00")
    form.get_by_role("button", name="Set up check-in").click()
    expect(page.locator("h1")).to_have_text("Friday check-in")
    checkin = Checkin.objects.get()
    assert (checkin.team, checkin.weekday, checkin.time_of_day) == (team, 4, datetime.time(16))
    expect(page.locator("#checkin-answered")).to_contain_text("has not opened yet")

    # A week on, the clock has asked everyone once at their Friday 16:00.
    assert open_due_checkins(timezone.now() + datetime.timedelta(days=7)) == 3
    assert open_due_checkins(timezone.now() + datetime.timedelta(days=7)) == 0
    assert Notification.objects.filter(recipient=bob, kind=Kind.CHECKIN).count() == 1
    response = CheckinResponse.objects.get(person=bob)

    # Bob finished a task; his check-in form lists it.
    project = make_project(team=team, owner=alice, name="Billing")
    task = make_task(project=project, title=TASK, assignee=bob, created_by=alice)
    work_services.do_complete_task(bob, task)
    bob_page = open_page()
    login(bob_page, live_server, bob.email, DEFAULT_PASSWORD)
    bob_page.goto("/checkins/")
    bob_page.locator("#checkins-to-fill").get_by_role("link", name="Friday check-in").click()
    expect(bob_page).to_have_url(re.compile(rf"/checkins/answers/{response.pk}/$"))
    bob_form = bob_page.locator("#checkin-form")
    done_box = bob_form.locator("textarea[name=answer_0]")
    expect(done_box).to_have_value(re.compile(rf"\[{TASK}\]\(/work/tasks/{task.pk}/\)"))
    bob_form.locator("textarea[name=answer_2]").fill("Waiting for the DBA's window.")
    bob_form.get_by_role("button", name="Send check-in").click()
    expect(bob_page.locator(".messages")).to_contain_text("Your check-in is sent.")
    response.refresh_from_db()
    assert response.submitted_at is not None
    assert TASK in response.answers[0]
    assert response.answers[2] == "Waiting for the DBA's window."

    # Alice reads Bob's answer and sees that she and Dana have not answered.
    page.reload()
    answered = page.locator("#checkin-answered")
    expect(answered).to_contain_text("1 answer on")
    bob_answer = answered.locator(f"article[data-person='{bob.pk}']")
    expect(bob_answer).to_contain_text("Bob Lee")
    expect(bob_answer.get_by_role("link", name=TASK)).to_have_attribute(
        "href", f"/work/tasks/{task.pk}/"
    )
    expect(bob_answer).to_contain_text("Waiting for the DBA's window.")
    waiting = page.locator("#checkin-not-answered")
    expect(waiting).to_contain_text("Alice Kim")
    expect(waiting).to_contain_text(dana.full_name)
    expect(waiting).not_to_contain_text("Bob Lee")
