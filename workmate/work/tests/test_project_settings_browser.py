"""A project's settings in a real browser, in Korean on a phone: a teammate sees the name
and who sees it but cannot change them; the team lead can. A control character in the
address is refused with a page that says which."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.work.models import Visibility

pytestmark = pytest.mark.browser


@pytest.fixture
def project(team, alice, bob):
    for person in (alice, bob):
        person.language = "ko"
        person.save(update_fields=["language"])
    return make_project(name="Migration", team=team, owner=alice)


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shot(page: Page, name: str) -> None:
    if os.environ.get("WORKMATE_SHOTS"):
        page.screenshot(path=f"{os.environ['WORKMATE_SHOTS']}.{name}.png", full_page=True)


def test_a_teammate_keeps_the_details_and_the_lead_hides_the_project(
    page: Page, live_server, project, open_page
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "bob@example.com", DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/settings/")

    form = page.locator("#project-settings-form")
    expect(form.locator("input[name=name]")).to_be_disabled()
    expect(form.locator("select[name=visibility]")).to_be_disabled()
    expect(form).to_contain_text("프로젝트 소유자나 팀장만 바꿀 수 있습니다.")
    assert page_width(page) <= 390
    shot(page, "member-settings")
    form.locator("textarea[name=description]").fill("랙 이전")
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    project.refresh_from_db()
    assert (project.description, project.visibility) == ("랙 이전", Visibility.TEAM)

    lead = open_page()
    login(lead, live_server, "alice@example.com", DEFAULT_PASSWORD)
    lead.goto(f"/work/projects/{project.pk}/settings/")
    lead.locator("#project-settings-form select[name=visibility]").select_option("private")
    lead.locator("#project-settings-form").get_by_role("button").click()
    expect(lead.locator(".messages")).to_be_visible()
    project.refresh_from_db()
    assert project.visibility == Visibility.PRIVATE


def test_a_control_character_in_a_search_is_refused_with_a_page(page: Page, live_server, project):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "bob@example.com", DEFAULT_PASSWORD)

    response = page.goto("/work/projects/?q=a%00b")

    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text(
        "보낸 내용에 제어 문자(U+0000)가 들어 있어 받을 수 없습니다."
    )
    assert page_width(page) <= 390
    shot(page, "refused")
