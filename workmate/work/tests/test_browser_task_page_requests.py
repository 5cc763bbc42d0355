"""The task page's ways of asking, tried by a new Korean user in a real browser on a desk
and a phone: "Ask" (a message is needed), a subtask for someone else, and the full edit
form giving the task to a colleague — each leaves a request that says what it asks."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, add_member, make_project, make_user
from workmate.work import services
from workmate.work.models import Task, WorkRequest

pytestmark = pytest.mark.browser


def shot(page: Page, name: str) -> None:
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=f"{os.environ['WORKMATE_SHOTS']}-{name}.png", full_page=True)


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_korean_user_asks_from_the_task_page(page: Page, live_server, team, bob, width):
    haeun = make_user(email="haeun@example.com", full_name="윤하은", language="ko")
    add_member(team, haeun)
    project = make_project(name="장비 교체", team=team, owner=haeun)
    task = services.do_create_task(haeun, project, title="스위치 교체 계획")
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, haeun.email, DEFAULT_PASSWORD)
    page.goto(f"/work/tasks/{task.pk}/")

    # Ask: without a message it is refused, with one Bob is asked for a reply.
    ask = page.locator("#ask-form")
    ask.locator("select[name=ask-person]").select_option(label="Bob Lee")
    expect(ask.locator("input[name=ask-reply_by]")).not_to_have_value("")
    ask.locator("button[type=submit]").click()
    ask = page.locator("#ask-form")
    expect(ask).to_contain_text("무엇을 요청하는지")
    assert not WorkRequest.objects.exists()
    shot(page, f"ask-refused-{width}")
    no_sideways_scroll(page, width)
    # Asked for a reply (a review): the task stays unassigned.
    ask.locator("input[name=ask-reassign]").uncheck()
    ask.locator("textarea[name=ask-request_message]").fill("교체 순서를 검토해 주세요.")
    ask.locator("button[type=submit]").click()
    expect(page.locator("#task-panel")).to_contain_text("교체 순서를 검토해 주세요.")
    asked = WorkRequest.objects.get()
    assert (asked.message, asked.task.assignee) == ("교체 순서를 검토해 주세요.", None)

    # A subtask for Bob, with what is asked.
    sub = page.locator("#subtask-form")
    sub.locator("input[name=subtask-title]").fill("예비 스위치 확인")
    sub.locator("select[name=subtask-assignee]").select_option(label="Bob Lee")
    sub.locator("details.request-box-more > summary").click()
    sub.locator("textarea[name=subtask-request_message]").fill("창고에 예비품이 있는지 봐 주세요.")
    shot(page, f"subtask-{width}")
    no_sideways_scroll(page, width)
    sub.locator("button[type=submit]").click()
    expect(page.locator("#task-panel .messages")).to_contain_text("하위 작업")
    subtask = Task.objects.get(title="예비 스위치 확인")
    assert subtask.requests.get().message == "창고에 예비품이 있는지 봐 주세요."

    # The full edit form: giving the task to Bob asks what for.
    page.goto(f"/work/tasks/{task.pk}/edit/")
    edit = page.locator("#task-edit-form")
    edit.locator("select[name=assignee]").select_option(label="Bob Lee")
    edit.locator("textarea[name=request_message]").fill("이번 주 안에 맡아 주세요.")
    shot(page, f"edit-{width}")
    no_sideways_scroll(page, width)
    edit.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    task.refresh_from_db()
    assert task.assignee == bob
    assert task.requests.filter(message="이번 주 안에 맡아 주세요.").exists()
    assert errors == []
