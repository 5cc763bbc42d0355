"""The request box in a real browser, in Korean: Alice writes a request from the quick add
with its message and a reply-by, the reply-by follows the person picked (htmx), a Sunday
night is refused with Bob's next working moment offered, and Bob reads it and answers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from workmate.accounts.models import CompanyDayOff
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.work import services
from workmate.work.models import RequestState, WorkRequest

pytestmark = pytest.mark.browser


def local_input(moment: datetime.datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def test_a_request_with_its_message_and_reply_by_in_korean(
    page: Page, live_server, team, alice, bob
):
    for person in (alice, bob):
        person.language = "ko"
        person.save(update_fields=["language"])
    project = make_project(name="백업 점검", team=team, owner=alice)
    calendar = bob.profile.working_hours(CompanyDayOff.objects.dates())
    zone = calendar.zone
    today = timezone.now().astimezone(zone).date()
    sunday = today + datetime.timedelta(days=(6 - today.weekday()) or 7)
    sunday_night = datetime.datetime.combine(sunday, datetime.time(3, 0), tzinfo=zone)
    offer = calendar.next_working_moment(sunday_night)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    page.goto(f"/work/projects/{project.pk}/")
    form = page.locator("#add-task-form")
    form.locator("input[name=title]").fill("백업 복구 확인")
    reply_by = form.locator("input[name=reply_by]")
    expect(reply_by).to_have_value("")
    form.locator("select[name=assignee]").select_option(label="Bob Lee")
    # Picking Bob proposes his reply-by: the team's hours in his working calendar.
    expect(form.locator("input[name=reply_by]")).not_to_have_value("")
    proposed = form.locator("input[name=reply_by]").input_value()
    expected = services.reply_by_for(bob, timezone.now(), project)
    assert abs(
        datetime.datetime.fromisoformat(proposed).replace(tzinfo=zone) - expected
    ) < datetime.timedelta(minutes=2)
    form.locator("textarea[name=request_message]").fill("어젯밤 백업을 **실습실**에 복구해 주세요.")
    form.locator("input[name=reply_by]").fill(local_input(sunday_night, zone))
    form.locator("button[type=submit]").click()

    # Refused: Bob does not work on Sunday night; the field now holds his next working moment.
    form = page.locator("#add-task-form")
    expect(form).to_contain_text("Bob Lee 님은")
    expect(form).to_contain_text("근무하지 않습니다")
    expect(form.locator("input[name=reply_by]")).to_have_value(local_input(offer, zone))
    assert not WorkRequest.objects.exists()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("회신을 요청했습니다")
    request = WorkRequest.objects.get()
    assert (request.assignee, request.reply_by) == (bob, offer)
    assert request.message == "어젯밤 백업을 **실습실**에 복구해 주세요."
    page.locator("form[action$='/logout/'] button").click()

    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.goto("/work/requests/")
    row = page.locator(f"#needs-my-reply tr[data-request='{request.pk}']")
    expect(row).to_contain_text("백업 복구 확인")
    expect(row).to_contain_text("어젯밤 백업을")
    row.locator(".task-link").click()
    panel = page.locator("#task-panel")
    expect(panel.locator(".request-message strong")).to_have_text("실습실")
    panel.locator(f"textarea[name='request-{request.pk}-answer-answer']").fill(
        "복구했습니다. 가상 머신 40대 모두 부팅됩니다."
    )
    panel.locator(f"form[action$='/requests/{request.pk}/answer/'] button").click()
    expect(page.locator("#comments")).to_contain_text("가상 머신 40대")
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED


def test_someone_of_another_team_finishes_what_she_was_asked(page: Page, live_server, team, alice):
    from workmate.accounts.models import TeamRole
    from workmate.testing.factories import add_member, make_team, make_user
    from workmate.work.models import TaskStatus, Visibility

    dana = make_user(email="dana@example.com", full_name="윤하은", language="ko")
    add_member(make_team(code="LE", name="Lead Engineering"), dana, TeamRole.MEMBER)
    project = make_project(name="롤아웃", team=team, owner=alice, visibility=Visibility.ORG)
    task = services.do_create_task(alice, project, title="롤아웃 계획 검토")
    services.do_send_request(alice, task, dana, message="계획을 검토해 주세요.")
    login(page, live_server, dana.email, DEFAULT_PASSWORD)

    page.goto("/work/")
    page.locator(".task-link", has_text="롤아웃 계획 검토").first.click()
    panel = page.locator("#task-panel")
    expect(panel.locator("#edit-link")).to_have_count(0)
    subtask_form = panel.locator("#subtask-form")
    subtask_form.locator("input[name=subtask-title]").fill("롤백 절차 확인")
    subtask_form.locator("button[type=submit]").click()
    expect(page.locator("#subtasks")).to_contain_text("롤백 절차 확인")
    page.locator("#toggle-form button").click()
    expect(page.locator(".messages")).to_contain_text("완료")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.subtasks.get().created_by == dana
