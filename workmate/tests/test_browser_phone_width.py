"""No page scrolls sideways on a phone: every main page at 390×844, in Korean and English.

Realistic data (a request, a ticket, a proposal, time logged) and the worst title a
person can type: 300 characters without a space. Each page's document width is measured
in Chromium; a page wider than the screen fails the test with its width.

Adding a page is one line in PAGES: (who, URL with {ids} from `workday`).
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from workmate.accounts.models import User
from workmate.checkins import services as checkins
from workmate.desk import agent as desk_agent
from workmate.desk import mailin
from workmate.desk import services as desk
from workmate.desk.models import ContractTier, Macro
from workmate.desk.tests.test_mailin import compose
from workmate.testing.browser import login
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    make_contact,
    make_customer,
    make_sla_policy,
    make_ticket,
    make_user,
)
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work import services as work
from workmate.work.models import Project
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
    ("staff", "/work/timesheet/"),
    ("staff", "/work/templates/"),
    ("staff", "/inbox/"),
    ("staff", "/inbox/preferences/"),
    ("staff", "/inbox/urgent/"),
    ("staff", "/inbox/calendar/"),
    ("staff", "/checkins/"),
    ("staff", "/checkins/{checkin}/"),
    ("staff", "/checkins/search/"),
    ("staff", "/voice/"),
    ("staff", "/voice/mine/"),
    ("staff", "/voice/new/"),
    ("staff", "/voice/{proposal}/"),
    ("staff", "/voice/waiting/"),
    ("staff", "/voice/scoreboard/"),
    ("staff", "/voice/summary/"),
    ("staff", "/desk/mine/"),
    ("staff", "/desk/all/"),
    ("staff", "/desk/escalated/"),
    ("staff", "/desk/suspended/"),
    ("staff", "/desk/suspended/{mail}/"),
    ("staff", "/desk/tickets/{ticket}/"),
    ("staff", "/desk/customers/"),
    ("staff", "/desk/customers/{customer}/"),
    ("staff", "/desk/reports/"),
    ("staff", "/desk/macros/"),
    ("staff", "/desk/time/"),
    ("staff", "/me/"),
    ("staff", "/people/"),
    ("staff", "/no-such-page/"),
    ("contact", "/portal/"),
    ("contact", "/portal/tickets/{ticket}/"),
    ("contact", "/portal/tickets/new/"),
    ("contact", "/portal/no-such-page/"),
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
    do_save_as_template(alice, project, name=LONG[:100])
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
    Macro.objects.create(name=LONG[:120], body=LONG, created_by=alice)
    # Bob brings alice in on the ticket with a long hand-off: "Escalated to me" and the
    # ticket's hand-off box; a long mail held as bulk: "Suspended mail".
    customer.le_architect = alice
    customer.save(update_fields=["le_architect"])
    escalated = make_ticket(customer=customer, requester=contact, subject=LONG[:250])
    desk_agent.do_escalate(bob, escalated, "le", LONG)
    held = mailin.ingest(
        compose(subject=LONG, body=LONG, headers={"Precedence": "bulk", "List-Id": LONG[:80]})
    )
    make_user(email="dana@example.com", full_name=LONG[:100])
    return {
        "project": project.pk,
        "task": task.pk,
        "checkin": checkin.pk,
        "proposal": proposal.pk,
        "ticket": ticket.pk,
        "customer": customer.pk,
        "mail": held.pk,
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
    page: Page, open_page, live_server, workday, alice, language
):
    User.objects.filter(pk=alice.pk).update(language=language)
    from workmate.desk.models import Contact

    Contact.objects.filter(email="jisoo@hanbit.example").update(language=language)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    portal = open_page()
    portal.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in_contact(portal, "jisoo@hanbit.example")
    assert Project.objects.count() == 1

    wide = {}
    for who, pattern in PAGES:
        url = pattern.format(**workday)
        found = too_wide(page if who == "staff" else portal, url)
        if found is not None:
            wide[url] = found

    assert wide == {}, f"pages wider than {WIDTH} px: {wide}"

    # Fitting is not enough: the desk queue's customer column once fit by showing one
    # character a line. On a phone each ticket is a card whose cells have room.
    page.goto("/desk/all/")
    customer = page.locator(f"#ticket-row-{workday['ticket']} td").nth(2)
    box = customer.bounding_box()
    assert box is not None and box["width"] > WIDTH / 2, box
    # Held mail too: the sender's address once stood a few letters a line.
    page.goto("/desk/suspended/")
    sender = page.locator(f"#suspended-table tr[data-inbound='{workday['mail']}'] td").nth(1)
    box = sender.bounding_box()
    assert box is not None and box["width"] > WIDTH / 3, box
