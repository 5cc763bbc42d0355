"""No page scrolls sideways on a phone: every main page at 390×844, in Korean and English.

Realistic data (a request, a ticket, a proposal, time logged) and the worst title a
person can type: 300 characters without a space. Each page's document width is measured
in Chromium; a page wider than the screen fails the test with its width.

Adding a page is one line in PAGES: (who, URL with {ids} from `workday`). Pages with a
box that opens (the task's Ask request box, the @mention list) are measured open too.

Left out on purpose, from the staff and portal URL patterns: POST-only actions and htmx
fragments (they render inside a page measured here), files and feeds (export.csv/json,
time.csv, reports.csv, the .ics feed, attachments), the signed-out pages that share
login.html's layout (login, password reset and its steps, portal login/password: the
phone test of the sign-in form is test_browser_smoke), the desk queues that render the
same table as /desk/all/ (unassigned, at-risk, breached, pending), voice/<id>/edit/
(the author's form, the same fields as voice/new/), and /admin/ (Django's own).
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from workmate.accounts.models import OrgRole, User
from workmate.checkins import services as checkins
from workmate.desk import mailin
from workmate.desk import services as desk
from workmate.desk.agent import do_escalate
from workmate.desk.models import ContractTier, Macro
from workmate.desk.tests.test_mailin import compose
from workmate.levels.ladder_seed import seed_msp_ladder
from workmate.levels.models import LedgerEntry
from workmate.levels.services import do_add_glue
from workmate.library import services as library
from workmate.pipeline import services as pipeline
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_contact,
    make_customer,
    make_sla_policy,
    make_ticket,
    make_user,
)
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work import services as work
from workmate.work import status as work_status
from workmate.work.models import ImportJob, ImportStatus, Project
from workmate.work.templating import do_save_as_template
from workmate.work.timelogs import do_log_time

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
# 300 characters and not one space: a pasted identifier, a URL, a long Korean compound.
LONG = ("Q3_결산보고서_최종본_v2-" * 20)[:300]

# (who signs in: "staff" or "contact", URL). The staff member leads the team, owns the
# project and works the desk, so every page is open to them.
PAGES = [
    ("staff", "/"),
    ("staff", "/work/"),
    ("staff", "/work/requests/"),
    ("staff", "/work/projects/"),
    ("staff", "/work/projects/{project}/"),
    ("staff", "/work/projects/{project}/board/"),
    ("staff", "/work/projects/{project}/settings/"),
    ("staff", "/work/projects/{project}/fields/"),
    ("staff", "/work/tasks/{task}/"),
    ("staff", "/work/tasks/{task}/edit/"),
    ("staff", "/work/projects/{project}/import/"),
    ("staff", "/work/projects/{project}/import/{job}/"),
    ("staff", "/work/projects/{project}/import/{failed_job}/"),
    ("staff", "/work/timesheet/"),
    ("staff", "/work/templates/"),
    ("staff", "/work/templates/{template}/"),
    ("staff", "/work/templates/{template}/version/"),
    ("staff", "/work/projects/{project}/status/"),
    ("staff", "/pipeline/"),
    ("staff", "/pipeline/list/"),
    ("staff", "/pipeline/new/"),
    ("staff", "/pipeline/{poc}/"),
    ("staff", "/pipeline/{poc}/edit/"),
    ("staff", "/pipeline/contracts/"),
    ("staff", "/pipeline/division/"),
    ("staff", "/inbox/"),
    ("staff", "/inbox/preferences/"),
    ("staff", "/inbox/urgent/"),
    ("staff", "/inbox/calendar/"),
    ("staff", "/checkins/"),
    ("staff", "/checkins/{checkin}/"),
    ("staff", "/checkins/search/"),
    ("staff", "/checkins/new/"),
    ("staff", "/checkins/{checkin}/edit/"),
    ("staff", "/voice/"),
    ("staff", "/voice/mine/"),
    ("staff", "/voice/new/"),
    ("staff", "/voice/{proposal}/"),
    ("staff", "/voice/waiting/"),
    ("staff", "/voice/scoreboard/"),
    ("staff", "/voice/summary/"),
    ("staff", "/desk/"),
    ("staff", "/desk/mine/"),
    ("staff", "/desk/escalated/"),
    ("staff", "/desk/triage/"),
    ("staff", "/desk/suspended/"),
    ("staff", "/desk/suspended/{held}/"),
    ("staff", "/desk/macros/{macro}/"),
    ("staff", "/desk/all/"),
    ("staff", "/desk/tickets/{ticket}/"),
    ("staff", "/desk/customers/"),
    ("staff", "/desk/customers/{customer}/"),
    ("staff", "/desk/reports/"),
    ("staff", "/desk/macros/"),
    ("staff", "/desk/time/"),
    ("staff", "/library/"),
    ("staff", "/library/s/{space}/"),
    ("staff", "/library/pages/{library_page}/"),
    ("staff", "/library/pages/{library_page}/edit/"),
    ("staff", "/library/pages/{library_page}/history/"),
    ("staff", "/library/pages/{library_page}/diff/?from=1&to=2"),
    ("staff", "/reviews/"),
    ("staff", "/reviews/pay/"),
    ("staff", "/reviews/pay/me/"),
    ("staff", "/advisor/"),
    ("staff", "/advisor/new/"),
    ("staff", "/advisor/rules/"),
    ("staff", "/advisor/csap/"),
    ("staff", "/advisor/{assessment}/"),
    ("staff", "/advisor/{assessment}/workloads/{workload}/"),
    ("staff", "/advisor/{assessment}/imports/{advisor_run}/"),
    ("staff", "/me/"),
    ("staff", "/people/"),
    ("staff", "/password/change/"),
    ("staff", "/levels/"),
    ("staff", "/levels/ladder/?track=ic&flavour=TE"),
    ("staff", "/levels/ladder/versions/"),
    ("staff", "/levels/ladder/edit/?track=ic&level=3&competency=delivery&flavour=TE"),
    ("staff", "/levels/ledger/"),
    ("staff", "/levels/ledger/glue/"),
    ("staff", "/levels/brag/?all=on"),
    ("staff", "/levels/brag/print/?all=on"),
    ("staff", "/levels/confirmations/"),
    ("staff", "/levels/teams/{team}/"),
    ("staff", "/levels/people/{member}/"),
    ("staff", "/levels/people/{member}/ledger/"),
    ("member", "/levels/confirmations/{glue}/"),
    ("staff", "/no-such-page/"),
    ("staff", "/advisor/{assessment}/report/"),
    ("staff", "/advisor/{assessment}/project/"),
    ("staff", "/automation/"),
    ("staff", "/automation/new/"),
    ("staff", "/automation/{automation_rule}/?number={ticket}"),
    ("staff", "/automation/{automation_rule}/edit/"),
    ("staff", "/automation/{automation_rule}/runs/{automation_run}/"),
    ("staff", "/automation/events/"),
    ("contact", "/portal/"),
    ("contact", "/portal/tickets/{ticket}/"),
    ("contact", "/portal/tickets/new/"),
    ("contact", "/portal/no-such-page/"),
    ("staff", "/search/?q=서버 -장애 type:task"),
    ("contact", "/portal/search/?q=서버"),
    ("contact", "/portal/reports/"),
    ("contact", "/portal/reports/{report}/"),
    # A plain member: the 403 page (the monthly summary is for leads).
    ("member", "/voice/summary/"),
    ("member", "/work/tasks/{task}/"),
    ("staff", "/webhooks/"),
    ("staff", "/webhooks/new/"),
    ("staff", "/webhooks/{endpoint}/"),
    ("staff", "/webhooks/deliveries/{delivery}/"),
    ("staff", "/webhooks/incoming/new/"),
    ("staff", "/success/"),
    ("staff", "/success/customers/{customer}/"),
    ("staff", "/success/customers/{customer}/meetings/new/"),
    ("staff", "/success/meetings/{success_meeting}/"),
    ("staff", "/success/feedback/"),
    ("staff", "/success/feedback/{success_item}/"),
    ("staff", "/success/themes/"),
    ("staff", "/success/themes/{success_theme}/"),
    ("staff", "/success/reports/?group=customer&months=12"),
    ("contact", "/portal/feedback/"),
    ("contact", "/portal/feedback/{success_item}/"),
    ("contact", "/portal/feedback/new/"),
]


@pytest.fixture
def workday(team, alice, bob) -> dict[str, int]:
    """A team's ordinary week, with the 300-character title in every list it can reach."""
    project = work.do_create_project(alice, team=team, name=LONG[:200])
    section = work.do_create_section(alice, project, name="Backlog")
    task = work.do_create_task(alice, project, title=LONG, section=section, tags=[LONG[:40]])
    for n in range(5):
        work.do_create_task(
            alice,
            project,
            title=f"Weekly report {n}",
            assignee=bob if n % 2 else alice,
            due_on=timezone.localdate() + datetime.timedelta(days=n),
        )
    work.do_send_request(alice, task, bob, message=LONG)
    work.do_send_request(
        bob, work.do_create_task(bob, project, title=LONG[::-1]), alice, message=LONG
    )
    work.do_add_comment(bob, task, f"@{alice.email.split('@')[0]} {LONG}")
    do_log_time(alice, task, minutes=90, note=LONG)
    template = do_save_as_template(alice, project, name=LONG[:100])
    work_status.do_post_status_update(
        alice, project, health="at_risk", summary=LONG, next_milestone=LONG[:200]
    )
    poc = pipeline.do_create_poc(alice, title=LONG[:200], idea=LONG, team=team)
    pipeline.do_update_poc(alice, poc, believe=LONG, will=LONG, measured_by=LONG)
    pipeline.do_record_contract(
        alice,
        vendor=LONG[:200],
        service=LONG[:200],
        contracted_on=timezone.localdate(),
        account_manager=LONG[:200],
        team=team,
    )
    checkin = checkins.do_create_checkin(
        alice,
        team,
        title=LONG[:100],
        questions=[LONG[:200]],
        frequency="weekly",
        weekday=0,
        time_of_day=datetime.time(9),
    )
    proposal = voice.do_post_proposal(
        bob, title=LONG[:200], problem=LONG, suggestion=LONG, area=Area.TOOLS
    )
    make_sla_policy(tier=ContractTier.BUSINESS, priority=2, around_the_clock=True)
    customer = make_customer(name=LONG[:100], email_domains=["hanbit.example"])
    contact = make_contact(customer, email="jisoo@hanbit.example", full_name=LONG[:100])
    ticket = make_ticket(customer=customer, requester=contact, subject=LONG[:250], priority=2)
    desk.do_assign(alice, ticket, alice)
    desk.do_reply(alice, ticket, LONG, minutes=15)
    for n in range(3):
        make_ticket(customer=customer, subject=f"VPN tunnel flaps {n}")
    macro = Macro.objects.create(name=LONG[:120], body=LONG, created_by=alice)
    make_user(email="dana@example.com", full_name=LONG[:100])
    # Korean names, one a teammate the @mention list offers.
    add_member(team, make_user(email="jimin@example.com", full_name="김지민"))
    customer.le_architect = alice
    customer.save(update_fields=["le_architect"])
    escalated = make_ticket(customer=customer, requester=contact, subject=LONG[::-1][:250])
    desk.do_reply(bob, escalated, "확인 부탁드립니다.", minutes=5)
    do_escalate(bob, escalated, "le", note=LONG)
    held = mailin.ingest(
        compose(
            sender=f"{LONG[:60]} <{LONG[:60].replace('_', '')}@lists.hanbit.example>",
            subject=LONG[:200],
            body=LONG,
            headers={"Precedence": "bulk", "List-Id": "<ops.hanbit.example>"},
        )
    )
    errors = [{"line": n, "reason": LONG} for n in range(2, 5)]
    failed_job = ImportJob.objects.create(
        project=project,
        created_by=alice,
        file="imports/x.csv",
        status=ImportStatus.FAILED,
        report={"errors": errors},
    )
    job = ImportJob.objects.create(
        project=project,
        created_by=alice,
        file="imports/y.csv",
        status=ImportStatus.DONE,
        total_rows=3,
        processed_rows=3,
        report={
            "rows": 3,
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "unknown_assignees": [f"{LONG[:80]} <{LONG[:40]}@example.com>"],
        },
    )
    space = library.do_create_space(alice, name=LONG[:100], key="TE", kind="team", team=team)
    library_page = library.do_create_page(
        alice, space, title=LONG[:200], body=f"# {LONG}\n\n{LONG}", tags=[LONG[:50]]
    )
    library.do_save_page(bob, library_page, base_number=1, title=LONG[:200], body=LONG)
    # Levels: the ladder, Alice an executive (she edits it), glue work Bob is asked to confirm.
    seed_msp_ladder()
    User.objects.filter(pk=alice.pk).update(org_role=OrgRole.EXECUTIVE)
    glue = do_add_glue(
        alice,
        title=LONG,
        description=LONG,
        occurred_on=timezone.localdate(),
        colleague=bob,
    )
    LedgerEntry.objects.filter(pk=glue.pk).update(starred=True, impact=LONG[:500])
    advisor = advisor_workday(alice, customer)
    automation = automation_workday(alice, team, ticket)
    success = success_workday(alice, customer, contact)
    return {
        **automation,
        **success,
        "space": space.key,
        "library_page": library_page.pk,
        "team": team.pk,
        "member": bob.pk,
        "glue": glue.confirmation.pk,
        **advisor,
        "project": project.pk,
        "task": task.pk,
        "checkin": checkin.pk,
        "proposal": proposal.pk,
        "ticket": ticket.pk,
        "customer": customer.pk,
        "held": held.pk,
        "macro": macro.pk,
        "job": job.pk,
        "failed_job": failed_job.pk,
        "template": template.pk,
        "poc": poc.pk,
        **webhooks_workday(alice, project),
    }


def automation_workday(alice: User, team, ticket) -> dict[str, int]:
    """A desk rule with a long name, conditions and actions, and a failed run."""
    from workmate.automation import engine
    from workmate.automation.tests.helpers import make_rule

    rule = make_rule(
        alice,
        name=LONG[:200],
        scope="team",
        team=team,
        event_type="ticket.created",
        object_type="ticket",
        conditions={"all": [{"field": "subject", "op": "contains", "value": LONG[:200]}]},
        actions=[
            {"type": "comment", "params": {"body": LONG}},
            {"type": "assign", "params": {"person": "999999"}},
        ],
    )
    run = engine.run_rule(rule, ticket, "ticket")
    return {"automation_rule": rule.pk, "automation_run": run.pk}


def webhooks_workday(alice: User, project) -> dict[str, int]:
    """An endpoint with a long name and URL, a failed delivery with long headers and body."""
    from workmate.webhooks.models import Attempt, Delivery, Endpoint
    from workmate.webhooks.services import do_create_incoming_hook

    endpoint = Endpoint.objects.create(
        name=LONG[:100],
        url=f"https://hooks.example.com/{LONG}",
        owner=alice,
        scope="project",
        project=project,
        event_types=["task.created", "task.completed"],
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint, key="event:1", event_type="task.created", body=LONG, attempt_count=1
    )
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        request_headers={"webhook-signature": LONG},
        status_code=500,
        response_excerpt=LONG,
        error=LONG[:500],
    )
    do_create_incoming_hook(alice, name=LONG[:100], project=project)
    return {"endpoint": endpoint.pk, "delivery": delivery.pk}


def success_workday(alice: User, customer, contact) -> dict[str, int]:
    """A meeting, a theme and an answered feedback item, each with the long text."""
    from workmate.success import services as success

    theme = success.do_create_theme(alice, name=LONG[:200], description=LONG)
    words = success.FeedbackInput(words=LONG, contact=contact, theme=theme, internal_note=LONG)
    meeting = success.do_record_meeting(
        alice,
        customer,
        held_on=timezone.localdate(),
        kind="quarterly",
        title=LONG[:200],
        notes=LONG,
        contacts=[contact],
        feedback=[words],
    )
    item = meeting.feedback.get()
    success.do_route(alice, [item], success.RouteInput("no_action", reason=LONG))
    success.do_answer(alice, item, LONG)
    return {"success_meeting": meeting.pk, "success_item": item.pk, "success_theme": theme.pk}


def advisor_workday(alice: User, customer) -> dict[str, int]:
    """An assessment with long names, a finding, an override and an import's refusals."""
    from workmate.advisor import assess, publishing, services
    from workmate.advisor.models import CsapCertifiedService, ImportRun, ImportStatus
    from workmate.testing.factories import make_price_table, make_team, make_workload

    add_member(make_team(code="LE", name="Lead Engineering"), alice)
    make_price_table()
    assessment = services.do_create_assessment(alice, customer, LONG[:200])
    workload = make_workload(
        assessment=assessment,
        vm_name=LONG[:255],
        vcenter=LONG[:100],
        os_tools=LONG[:200],
        sector="finance",
        data_classes=["credit", "personal"],
        target_region="us-east-1",
    )
    for n in range(3):
        make_workload(assessment=assessment, vm_name=f"web{n:02d}", business_value="none")
    assess.compute(assessment)
    services.do_override(alice, workload, reason=LONG, verdict="retain")
    CsapCertifiedService.objects.create(tier="medium", provider=LONG[:100], service=LONG[:200])
    run = ImportRun.objects.create(
        assessment=assessment,
        created_by=alice,
        status=ImportStatus.PREVIEW,
        format="rvtools_xlsx",
        preview={
            "rows": 1,
            "new": 1,
            "updates": 0,
            "first": [
                {
                    "row": 2,
                    "vm_name": LONG[:255],
                    "vcenter": LONG[:60],
                    "cpus": 2,
                    "memory_mib": 4096,
                    "os_tools": LONG[:200],
                    "powerstate": "on",
                }
            ],
        },
        refusals=[{"file": LONG[:80], "row": 3, "vm_name": LONG[:255], "reason": LONG}],
    )
    # Published, so the customer's portal shows its report (workmate/advisor/portal.py).
    report = publishing.do_publish(alice, assessment)
    return {
        "assessment": assessment.pk,
        "workload": workload.pk,
        "advisor_run": run.pk,
        "report": report.pk,
    }


def sign_in_contact(page: Page, email: str) -> None:
    page.goto("/portal/login/")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/portal/")


# The outermost elements that stick out to the right: what to fix when a page is too wide.
CULPRITS = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].map((c) => "." + c).join("");
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > limit
      && e.parentElement.getBoundingClientRect().right <= limit)
    .slice(0, 5).map((e) => name(e.parentElement) + " > " + name(e));
}"""


def too_wide(page: Page, url: str) -> tuple[int, list[str]] | None:
    """The page's width and what sticks out when it is wider than the screen, else None.

    With PHONE_SCREENSHOTS=<folder> set, each page is also saved there to look at.
    """
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if folder := os.environ.get("PHONE_SCREENSHOTS"):
        name = re.sub(r"[^a-z0-9]+", "-", url).strip("-") or "home"
        language = page.evaluate("document.documentElement.lang")
        page.screenshot(path=Path(folder) / f"{language}-{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    return (width, page.evaluate(CULPRITS)) if width > WIDTH else None


@pytest.mark.parametrize("language", ["ko", "en"])
def test_no_page_scrolls_sideways_at_390_px(
    page: Page, open_page, live_server, workday, alice, bob, language
):
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(language=language)
    from workmate.desk.models import Contact

    Contact.objects.filter(email="jisoo@hanbit.example").update(language=language)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    portal = open_page()
    portal.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in_contact(portal, "jisoo@hanbit.example")
    member = open_page()
    member.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    login(member, live_server, bob.email, DEFAULT_PASSWORD)
    assert Project.objects.count() == 1

    wide = {}
    pages = {"staff": page, "contact": portal, "member": member}
    for who, pattern in PAGES:
        url = pattern.format(**workday)
        found = too_wide(pages[who], url)
        if found is not None:
            wide[url] = found

    # The task page with its boxes open: the Ask form filled in (a person picked, so the
    # reply-by and their availability show) and the @mention list under the comment box.
    url = f"/work/tasks/{workday['task']}/"
    page.goto(url)
    page.locator("#ask-form select").first.select_option(str(bob.pk))
    page.wait_for_load_state("networkidle")
    page.locator("#ask-form textarea").first.fill(LONG)
    page.locator("#comment-form textarea").press_sequentially("@김")
    page.locator(".mention-list li[role=option]").first.wait_for()
    assert "김지민" in page.locator(".mention-list").inner_text()
    if (width := page.evaluate("document.documentElement.scrollWidth")) > WIDTH:
        wide[url + " (open)"] = (width, page.evaluate(CULPRITS))
    if folder := os.environ.get("PHONE_SCREENSHOTS"):
        page.screenshot(path=Path(folder) / f"{language}-task-open.png", full_page=True)

    assert wide == {}, f"pages wider than {WIDTH} px: {wide}"

    # The portal has no menu button: on a phone its two links stay in sight.
    portal.goto("/portal/")
    for name in ("/portal/", "/portal/tickets/new/"):
        assert portal.locator(f".site-nav a[href='{name}']").is_visible(), name

    # Fitting is not enough: the desk queue's customer column once fit by showing one
    # character a line. On a phone each ticket is a card whose cells have room.
    page.goto("/desk/all/")
    customer = page.locator(f"#ticket-row-{workday['ticket']} td").nth(2)
    box = customer.bounding_box()
    assert box is not None and box["width"] > WIDTH / 2, box
    # Held mail too: the sender's address once stood a few letters a line.
    page.goto("/desk/suspended/")
    sender = page.locator(f"#suspended-table tr[data-inbound='{workday['held']}'] td").nth(1)
    box = sender.bounding_box()
    assert box is not None and box["width"] > WIDTH / 3, box
