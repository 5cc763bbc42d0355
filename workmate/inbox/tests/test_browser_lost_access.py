"""In a real browser, in Korean and at phone width: Bob followed a task, was taken off the
team, and his inbox no longer shows what the task is called or what was said on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workmate.accounts.models import Membership
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.work import services as work

pytestmark = pytest.mark.browser


def test_a_follower_who_left_the_team_sees_no_title(page: Page, live_server, team, alice, bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    project = make_project(name="Migration", team=team, owner=alice)
    secret = work.do_create_task(alice, project, title="Layoffs in Q3")
    work.do_follow_task(bob, secret)
    work.do_add_comment(alice, secret, "Names on page two.")
    Membership.objects.filter(user=bob).delete()
    work.do_add_comment(alice, secret, "Final list attached.")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto("/inbox/")
    expect(page.get_by_text("더 이상 볼 수 없는 항목").first).to_be_visible()
    body = page.content()
    assert "Layoffs in Q3" not in body and "Names on page two" not in body
    assert "Final list" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/mentions-lost-access.png", full_page=True)
