"""Mentioning a colleague in a real browser: type @ and part of a Korean name, pick them
with the keyboard, send; they get an inbox item and the comment links to them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, expect

from workmate.inbox.models import Kind, Notification
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_project,
    make_task,
    make_user,
)
from workmate.work.models import Comment

pytestmark = pytest.mark.browser


def test_mention_a_colleague_by_korean_name_with_the_keyboard(page, live_server, team, alice):
    haeun = make_user(email="haeun.yoon@example.com", full_name="윤하은", language="ko")
    add_member(team, haeun)
    hana = make_user(email="hana@example.com", full_name="윤하나")
    add_member(team, hana)
    task = make_task(project=make_project(team=team, owner=alice), title="DB 이전 검토")
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if isinstance(message, ConsoleMessage) and message.type == "error"
            else None
        ),
    )
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/work/tasks/{task.pk}/")

    box = page.locator("#comment-form textarea[name=body]")
    box.click()
    box.press_sequentially("확인 부탁해요 @윤하")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    # The first option is active; ArrowDown moves on, ArrowUp comes back.
    first = listbox.get_by_role("option").nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", re.compile("mention-option-"))
    target = listbox.get_by_role("option", name=re.compile("윤하은"))
    while target.get_attribute("aria-selected") != "true":
        box.press("ArrowDown")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(f"확인 부탁해요 @**윤하은|{haeun.pk}** ")
    # Escape closes a list that opened again.
    box.press_sequentially("@윤")
    expect(listbox.get_by_role("option")).to_have_count(2)
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.press("Backspace")
    box.press("Backspace")
    page.locator("#comment-form button[type=submit]").click()

    comment = page.locator(".comment-body").last
    link = comment.locator("a.mention")
    expect(link).to_have_text("@윤하은")
    expect(link).to_have_attribute("href", re.compile(r"/people/\?q=haeun\.yoon%40example\.com"))
    assert list(Comment.objects.get().mentions.all()) == [haeun]
    assert Notification.objects.filter(recipient=haeun, kind=Kind.MENTION).count() == 1
    assert problems == []
