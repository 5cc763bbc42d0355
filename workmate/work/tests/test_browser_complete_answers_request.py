"""A Korean colleague asked to take a task on completes it from the task page: the request
leaves their "waiting for my reply" list, answered by the completion."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, add_member, make_project, make_user
from workmate.work import services
from workmate.work.models import RequestState, WorkRequest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_completing_the_task_answers_the_request(page: Page, live_server, team, alice, width):
    jimin = make_user(email="jimin@example.com", full_name="박지민", language="ko")
    add_member(team, jimin)
    project = make_project(name="장비 교체", team=team, owner=alice)
    task = services.do_create_task(alice, project, title="스위치 교체 계획")
    asked = services.do_send_request(alice, task, jimin, message="이번 주 안에 맡아 주세요.")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, jimin.email, DEFAULT_PASSWORD)

    page.goto("/work/requests/")
    expect(page.locator("main")).to_contain_text("스위치 교체 계획")
    page.goto(f"/work/tasks/{task.pk}/")
    page.locator("#toggle-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=f"{os.environ['WORKMATE_SHOTS']}-done-{width}.png", full_page=True)

    asked.refresh_from_db()
    assert (asked.state, asked.answer) == (RequestState.ANSWERED, "Completed the task.")
    page.goto("/work/requests/")
    expect(page.locator("main")).not_to_contain_text("스위치 교체 계획")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not WorkRequest.objects.open().exists()
