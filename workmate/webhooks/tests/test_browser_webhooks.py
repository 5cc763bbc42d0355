"""A team lead connects a Slack channel in the browser, sends a test and sees it arrive;
then a new task in the project reaches the channel too."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project
from workmate.webhooks.models import Endpoint
from workmate.work import services as work

pytestmark = pytest.mark.browser


def test_a_lead_connects_slack_and_the_messages_arrive(page, live_server, alice, team, receiver):
    project = make_project(name="Core banking", team=team, owner=alice)

    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto("/webhooks/")
    page.get_by_role("link", name="New endpoint").click()
    page.fill("#endpoint-form [name=name]", "#ops")
    page.select_option("[name=kind]", "slack")
    page.fill("[name=url]", receiver.url("browser-slack"))
    page.select_option("[name=scope]", "project")
    page.select_option("[name=project]", str(project.pk))
    page.select_option("#endpoint-form [name=language]", "ko")
    page.check("input[name=event_types][value='task.created']")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("h1")).to_have_text("#ops")
    expect(page.locator("#secret")).to_have_count(0)  # A chat channel signs nothing.
    page.get_by_role("button", name="Send a test").click()
    expect(page.locator("#deliveries [data-status=delivered]")).to_have_count(1)
    [test] = receiver.got("browser-slack")
    assert json.loads(test.body)["text"].startswith("Workmate 테스트 메시지")

    task = work.do_create_task(alice, project, title="Renew the TLS certificate")

    [_test, created] = receiver.got("browser-slack")
    message = json.loads(created.body)
    assert "Renew the TLS certificate" in message["text"]
    assert f"/work/tasks/{task.pk}/" in message["blocks"][0]["text"]["text"]
    page.reload()
    expect(page.locator("#deliveries [data-status=delivered]")).to_have_count(2)
    assert Endpoint.objects.get().owner == alice
