"""Issue 11's flows end to end, as new Korean users, in Chromium.

Min-su (TE lead, new) signs in, finds the today page, asks Seo-yeon for something with a
message and a reply-by; Seo-yeon sees it on her today page and in her inbox and answers;
Min-su mentions Seo-yeon by her Korean name with the autocomplete; Ha-neul (LE) finishes
the TE task she was asked to do; Min-su escalates a ticket to Ha-neul and both see it;
Min-su releases suspended mail; a customer files a ticket in the portal and marks it
solved; a 404 and a 403. Every page is checked for English left on a Korean page.

With WALK_SCREENSHOTS=<folder> set, each step is saved at 1280 and 390 px to look at.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from workmate.desk import mailin
from workmate.desk.models import InboundStatus, Status, Ticket
from workmate.desk.tests.test_mailin import compose
from workmate.inbox.models import Notification
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_contact,
    make_customer,
    make_team,
    make_ticket,
    make_user,
)
from workmate.work import services as work
from workmate.work.models import Comment, Project, Task, Visibility
from workmate.work.models import WorkRequest as Request

pytestmark = pytest.mark.browser

# Words of the English UI that must not show on a Korean page (the data here is Korean).
ENGLISH = re.compile(
    r"\b(Escalated|Suspended|Release|Dismiss|Original message|Why it was held|Reply by|"
    r"Request|Answer|Mark complete|Inbox|Today|Not allowed|Page not found|Solved|Submit)\b"
)


def shot(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width, and no English word of the UI left."""
    text = page.locator("main").inner_text()
    assert not ENGLISH.search(text), (name, ENGLISH.findall(text), text[:2000])
    if folder := os.environ.get("WALK_SCREENSHOTS"):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=Path(folder) / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_korean_walkthrough(page: Page, open_page, live_server):
    te = make_team(code="TE", name="기술지원팀")
    le = make_team(code="LE", name="아키텍처팀")
    minsu = make_user(email="minsu@example.com", full_name="김민수", language="ko")
    seoyeon = make_user(email="seoyeon@example.com", full_name="박서연", language="ko")
    haneul = make_user(email="haneul@example.com", full_name="이하늘", language="ko")
    add_member(te, minsu, "lead")
    add_member(te, seoyeon)
    add_member(le, haneul)
    # Org-wide: Ha-neul (LE) may read it, and may finish the task she is asked to do.
    project = work.do_create_project(minsu, team=te, name="고객 이전 프로젝트")
    Project.objects.filter(pk=project.pk).update(visibility=Visibility.ORG)
    le_task = work.do_create_task(minsu, project, title="아키텍처 검토")
    work.do_send_request(minsu, le_task, haneul, message="구성도를 검토해 주세요.")
    customer = make_customer(name="한빛전자", email_domains=["hanbit.example"])
    customer.le_architect = haneul
    customer.save(update_fields=["le_architect"])
    contact = make_contact(customer, email="jisoo@hanbit.example", full_name="한지수")
    contact.language = "ko"
    contact.save(update_fields=["language"])
    ticket = make_ticket(customer=customer, requester=contact, subject="VPN 연결이 끊깁니다")
    held = mailin.ingest(
        compose(
            subject="백업 실패 알림",
            headers={"Precedence": "bulk", "List-Id": "<ops.hanbit.example>"},
        )
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    # Min-su: today page, quick add a request for Seo-yeon with a message and a reply-by.
    login(page, live_server, minsu.email, DEFAULT_PASSWORD)
    page.goto("/")
    shot(page, "01-today-minsu")
    form = page.locator("#quick-add-form")
    form.locator("input[name$=title]").fill("3분기 결산 자료 정리")
    form.locator("select[name$=assignee]").select_option(str(seoyeon.pk))
    # Picking her proposes a reply-by in her working hours; wait for it, then change it.
    expect(form.locator("input[name$=reply_by]")).not_to_have_value("")
    form.locator("textarea[name$=request_message]").fill("금요일 회의 전에 숫자를 확인해 주세요.")
    # A Thursday (in working hours) rather than the proposed reply-by.
    day = timezone.localdate() + datetime.timedelta(
        days=(3 - timezone.localdate().weekday()) % 7 or 7
    )
    form.locator("input[name$=reply_by]").fill(f"{day.isoformat()}T15:00")
    shot(page, "02-quick-add-filled")
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    shot(page, "03-quick-add-done")
    request = Request.objects.get(assignee=seoyeon)
    assert request.message == "금요일 회의 전에 숫자를 확인해 주세요."
    assert request.task.title == "3분기 결산 자료 정리"
    assert timezone.localtime(request.reply_by).replace(tzinfo=None) == datetime.datetime(
        day.year, day.month, day.day, 15
    )

    # Seo-yeon: it is on her today page and in her inbox; she answers.
    other = open_page()
    other.set_viewport_size({"width": 1280, "height": 900})
    login(other, live_server, seoyeon.email, DEFAULT_PASSWORD)
    other.goto("/")
    assert "3분기 결산 자료 정리" in other.locator("#today-needs-reply").inner_text()
    shot(other, "04-today-seoyeon")
    other.goto("/inbox/")
    assert "3분기 결산 자료 정리" in other.locator("main").inner_text()
    shot(other, "05-inbox-seoyeon")
    other.goto(f"/work/tasks/{request.task_id}/")
    shot(other, "06-task-seoyeon")
    answer = other.locator(f"form[action$='/requests/{request.pk}/answer/']")
    answer.locator("textarea").first.fill("확인했습니다. 숫자 맞습니다.")
    answer.locator("button[type=submit]").click()
    other.wait_for_load_state("networkidle")
    shot(other, "07-answered")
    request.refresh_from_db()
    assert request.state == "answered", request.state

    # Min-su mentions Seo-yeon by her Korean name with the autocomplete.
    page.goto(f"/work/tasks/{request.task_id}/")
    box = page.locator("#comment-form textarea")
    box.press_sequentially("고마워요 @서연")
    page.locator(".mention-list li[role=option]").first.wait_for()
    shot(page, "08-mention-list")
    box.press("Enter")
    page.locator("#comment-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    shot(page, "09-mentioned")
    comment = Comment.objects.get(task=request.task, author=minsu)
    assert list(comment.mentions.all()) == [seoyeon]
    assert Notification.objects.filter(recipient=seoyeon, kind__icontains="mention").exists()

    # Ha-neul (LE) finishes the TE task she was asked to do.
    le_page = open_page()
    le_page.set_viewport_size({"width": 1280, "height": 900})
    login(le_page, live_server, haneul.email, DEFAULT_PASSWORD)
    le_page.goto("/")
    shot(le_page, "10-today-haneul")
    le_page.goto(f"/work/tasks/{le_task.pk}/")
    shot(le_page, "11-task-haneul")
    le_page.locator("#toggle-form button").click()
    le_page.wait_for_load_state("networkidle")
    shot(le_page, "12-task-haneul-done")
    assert Task.objects.get(pk=le_task.pk).is_done

    # Min-su escalates the ticket to Ha-neul; both see it.
    page.goto(f"/desk/tickets/{ticket.pk}/")
    shot(page, "13-ticket")
    page.locator("#escalate-form textarea").fill("구성 문제로 보입니다. 봐 주세요.")
    page.locator("#escalate-form button[value=le]").click()
    page.wait_for_load_state("networkidle")
    shot(page, "14-escalated-agent")
    ticket.refresh_from_db()
    assert ticket.escalated_to_id == haneul.pk
    le_page.goto("/inbox/")
    shot(le_page, "15-inbox-haneul")
    le_page.goto(f"/desk/tickets/{ticket.pk}/")
    shot(le_page, "16-ticket-haneul")
    assert "이하늘 님에게 에스컬레이션됨" in le_page.locator("#escalation-handoff").inner_text()
    assert le_page.locator("#escalate-form button[value=le]").count() == 0
    le_page.goto("/desk/escalated/")
    shot(le_page, "17-escalated-haneul")

    # Suspended mail: Min-su releases it to triage.
    page.goto("/desk/suspended/")
    shot(page, "18-suspended")
    page.goto(f"/desk/suspended/{held.pk}/")
    shot(page, "19-suspended-mail")
    page.locator(f"form[action$='/suspended/{held.pk}/release/'] button").click()
    page.wait_for_load_state("networkidle")
    shot(page, "20-released")
    held.refresh_from_db()
    assert held.status != InboundStatus.AUTO_REPLY

    # The customer files a ticket in the portal and marks it solved.
    portal = open_page()
    portal.set_viewport_size({"width": 1280, "height": 900})
    portal.goto("/portal/login/")
    sign_in = portal.locator("main form:has(input[name=password])")
    sign_in.locator("input[name=email]").fill(contact.email)
    sign_in.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    sign_in.locator("button[type=submit]").click()
    portal.wait_for_url("**/portal/")
    shot(portal, "21-portal")
    portal.goto("/portal/tickets/new/")
    new = portal.locator("#portal-new-ticket")
    new.locator("input[name=subject]").fill("프린터가 인쇄하지 않습니다")
    new.locator("textarea[name=description]").fill(
        "어제부터 모든 인쇄 작업이 대기열에 멈춰 있습니다."
    )
    shot(portal, "22-portal-new")
    new.locator("button[type=submit]").click()
    portal.wait_for_load_state("networkidle")
    shot(portal, "23-portal-ticket")
    filed = Ticket.objects.get(subject="프린터가 인쇄하지 않습니다")
    portal.locator("#portal-solve button").click()
    portal.wait_for_load_state("networkidle")
    shot(portal, "24-portal-solved")
    filed.refresh_from_db()
    assert filed.status == Status.SOLVED

    # A 404 and a 403.
    page.goto("/work/tasks/999999/")
    shot(page, "25-404")
    other.goto("/voice/summary/")
    shot(other, "26-403")
