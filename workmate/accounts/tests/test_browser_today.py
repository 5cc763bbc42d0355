"""The "today" home page in a real browser, in Korean: signing in lands there, a request
waiting for the reply is on it and opens; the quick add asks a colleague; nothing scrolls
sideways on a phone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from workmate.accounts.tests.helpers import korean
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work.models import Task, WorkRequest

pytestmark = pytest.mark.browser


@pytest.fixture
def korean_bob(bob):
    bob.language = "ko"
    bob.save(update_fields=["language"])
    return bob


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_sign_in_lands_on_today_and_opens_a_request(
    page: Page, live_server, team, alice, korean_bob
):
    project = make_project(name="클라우드 이전", team=team, owner=alice)
    task = make_task(
        project=project, title="방화벽 규칙 검토", assignee=korean_bob, created_by=alice
    )
    WorkRequest.objects.create(
        task=task,
        requester=alice,
        assignee=korean_bob,
        message="금요일 변경 전에 봐 주세요.",
        reply_by=timezone.now() - datetime.timedelta(hours=2),
    )

    login(page, live_server, korean_bob.email, DEFAULT_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    waiting = page.locator("#today-needs-reply")
    expect(waiting.locator("h2")).to_contain_text(korean("Waiting for your reply"))
    expect(waiting.locator(".today-item.is-overdue")).to_contain_text("방화벽 규칙 검토")
    expect(waiting).to_contain_text(korean("Overdue"))
    expect(waiting).to_contain_text("금요일 변경 전에 봐 주세요.")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page_width(page) <= 390

    waiting.get_by_role("link", name="방화벽 규칙 검토").click()
    expect(page).to_have_url(f"{live_server.url}{task.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text("방화벽 규칙 검토")


def test_quick_add_asks_a_colleague_from_today(page: Page, live_server, team, alice, korean_bob):
    other = make_project(name="가나다 프로젝트", team=team, owner=alice)
    recent = make_project(name="최근 프로젝트", team=team, owner=alice)
    make_task(project=recent, created_by=korean_bob)

    login(page, live_server, korean_bob.email, DEFAULT_PASSWORD)
    form = page.locator("#quick-add-form")
    expect(form.locator("select[name=project]")).to_have_value(str(recent.pk))
    # Another project brings its own people (and reply-by) to ask: its fields are swapped in.
    form.locator("select[name=project]").select_option(str(other.pk))
    expect(form.locator(".availability-picker")).to_have_attribute(
        "hx-get", f"/people/availability/?project={other.pk}"
    )
    form.locator("select[name=project]").select_option(str(recent.pk))
    expect(form.locator(".availability-picker")).to_have_attribute(
        "hx-get", f"/people/availability/?project={recent.pk}"
    )
    form.locator("input[name=title]").fill("백업 복원 연습")
    form.locator("select[name=assignee]").select_option(label=alice.full_name)
    # Picking her proposes the reply-by her working hours give; the request says what is asked.
    expect(form.locator("input[name=reply_by]")).not_to_have_value("")
    form.locator("textarea[name=request_message]").fill("복원 절차를 같이 확인해 주세요.")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/")
    waiting_on = page.locator("#today-waiting-on")
    expect(waiting_on).to_contain_text("백업 복원 연습")
    expect(waiting_on).to_contain_text(alice.full_name)
    added = Task.objects.get(title="백업 복원 연습")
    assert added.project == recent
    assert WorkRequest.objects.filter(
        task=added, requester=korean_bob, assignee=alice, message="복원 절차를 같이 확인해 주세요."
    ).exists()
