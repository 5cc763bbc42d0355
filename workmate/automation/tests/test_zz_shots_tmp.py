from __future__ import annotations

import pytest
from playwright.sync_api import Page

from workmate.automation import engine
from workmate.automation.tests.helpers import make_rule
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_ticket

pytestmark = pytest.mark.browser


def test_shots(page: Page, live_server, alice, team, settings):
    alice.language = "ko"
    alice.save()
    rule = make_rule(
        alice,
        name="엔터프라이즈 고객의 P1 → 근무 중인 팀장에게 배정",
        scope="team",
        team=team,
        event_type="ticket.created",
        object_type="ticket",
        conditions={"all": [{"field": "priority", "op": "is", "value": "1"}], "any": []},
        actions=[
            {"type": "assign", "params": {"person": "on_duty_lead"}},
            {"type": "comment", "params": {"body": "P1: {{ticket.subject}}"}},
        ],
    )
    ticket = make_ticket(priority=1)
    engine.run_rule(rule, ticket, "ticket")
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    for name, url in [
        ("home", "/automation/"),
        ("new", "/automation/new/"),
        ("edit", f"/automation/{rule.pk}/edit/"),
        ("rule", f"/automation/{rule.pk}/?number={ticket.pk}"),
        ("events", "/automation/events/"),
    ]:
        page.goto(f"{live_server.url}{url}")
        page.screenshot(path=f"/tmp/auto_shot_{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        print(name, width)
