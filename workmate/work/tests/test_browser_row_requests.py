"""Giving tasks to someone from the project list in a real browser, in Korean, on a desk
and a phone: the row's inline edit opens a compact request box when another person is
picked (a message is needed), and the bulk assign is a plain assignment unless a shared
message makes each a request."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from workmate.inbox.models import Kind, Notification
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work.models import Task, WorkRequest

pytestmark = pytest.mark.browser


def row(page: Page, title: str):
    return page.locator("tr.list-row", has=page.get_by_role("link", name=title, exact=True))


def shot(page: Page, name: str) -> None:
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=f"{os.environ['WORKMATE_SHOTS']}-{name}.png", full_page=True)


def fits(element, container, width: int) -> None:
    """The request box stays inside what holds it and within the screen's `width`."""
    box, outer = element.bounding_box(), container.bounding_box()
    assert box is not None and outer is not None
    assert outer["x"] <= box["x"] and box["x"] + box["width"] <= outer["x"] + outer["width"]
    assert box["width"] <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_asking_from_a_row_and_assigning_in_bulk_in_korean(
    page: Page, live_server, team, alice, bob, width
):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    project = make_project(name="서버 이전", team=team, owner=alice)
    for title in ("랙 설치", "케이블 주문", "전원 점검", "백업 확인"):
        make_task(project=project, title=title, created_by=alice)
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/")

    # The row: picking Bob opens the request box with his proposed reply-by.
    row(page, "랙 설치").locator("a.row-edit").click()
    editing = page.locator("tr.is-editing")
    expect(editing.locator(".row-request-box")).to_have_count(0)
    editing.locator("select[name=assignee]").select_option(label="Bob Lee")
    box = editing.locator(".row-request-box")
    expect(box.locator("input[name=reply_by]")).not_to_have_value("")
    expect(box.locator("legend")).to_have_text("Bob Lee 님에게 보내는 요청")
    shot(page, f"row-box-{width}")
    fits(box, editing.locator("td.row-title"), width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Saving without saying what is asked is refused in the row.
    editing.get_by_role("button", name="저장").click()
    editing = page.locator("tr.is-editing")
    expect(editing.locator(".row-request-box")).to_contain_text("무엇을 요청하는지")
    assert Task.objects.get(title="랙 설치").assignee is None
    # The cursor waits in the message, not back in the title.
    expect(editing.locator("textarea[name=request_message]")).to_be_focused()
    editing.locator("textarea[name=request_message]").fill("금요일까지 **2번 랙**에 설치해 주세요.")
    editing.get_by_role("button", name="저장").click()
    expect(row(page, "랙 설치").locator(".row-note")).to_contain_text("Bob Lee")
    request = WorkRequest.objects.get()
    assert (request.assignee, request.message) == (bob, "금요일까지 **2번 랙**에 설치해 주세요.")
    # Picking someone and back closes the box again.
    row(page, "케이블 주문").locator("a.row-edit").click()
    editing = page.locator("tr.is-editing")
    editing.locator("select[name=assignee]").select_option(label="Bob Lee")
    expect(editing.locator(".row-request-box")).to_have_count(1)
    editing.locator("select[name=assignee]").select_option(index=0)
    expect(editing.locator(".row-request-box")).to_have_count(0)
    editing.get_by_role("link", name="취소").click()

    # Bulk without a message: a plain assignment, told in Bob's inbox, no request.
    row(page, "케이블 주문").locator("input[name=tasks]").check()
    page.locator("#bulk_action").select_option("assign")
    page.locator("#bulk_assignee").select_option(label="Bob Lee")
    page.locator("#bulk-form").get_by_role("button", name="적용").click()
    expect(page.locator("#project-tasks .messages")).to_contain_text("1")
    assert Task.objects.get(title="케이블 주문").assignee == bob
    assert WorkRequest.objects.count() == 1
    assert Notification.objects.filter(recipient=bob, kind=Kind.ASSIGNED).count() == 1

    # Bulk with a shared message: each is a request with it.
    row(page, "전원 점검").locator("input[name=tasks]").check()
    row(page, "백업 확인").locator("input[name=tasks]").check()
    page.locator("#bulk_action").select_option("assign")
    page.locator("#bulk_assignee").select_option(label="Bob Lee")
    page.locator("#bulk-form details.bulk-request summary").click()
    page.locator("#bulk_request_message").fill("이번 주 안에 확인 부탁드립니다.")
    shot(page, f"bulk-{width}")
    fits(page.locator("#bulk-form details.bulk-request"), page.locator("#bulk-form"), width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#bulk-form").get_by_role("button", name="적용").click()
    expect(page.locator("#project-tasks .messages")).to_contain_text("2")
    asked = WorkRequest.objects.filter(message="이번 주 안에 확인 부탁드립니다.")
    assert sorted(asked.values_list("task__title", flat=True)) == ["백업 확인", "전원 점검"]
    assert errors == []
