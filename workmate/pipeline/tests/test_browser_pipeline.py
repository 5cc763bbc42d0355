"""A PoC in a real browser: from a Voice proposal to rolled out, every step on record."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from workmate.pipeline.models import PoC, Stage
from workmate.pipeline.tests.conftest import verify
from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_page, make_project, make_space
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work import services as work
from workmate.work import templating

pytestmark = pytest.mark.browser


def test_a_poc_goes_from_a_proposal_to_rolled_out(page, live_server, nina, nbd, team, alice, bob):
    proposal = voice.do_post_proposal(
        bob,
        title="Backups cost too much",
        problem="The NAS bill doubles every year.",
        suggestion="Try object storage.",
        area=Area.values[0],
    )
    runbook = verify(
        make_page(
            space=make_space(team=nbd, key="NBD"), owner=nina, title="Object storage runbook"
        ),
        nina,
    )
    project = make_project(name="Backup rollout", team=team, owner=alice)
    work.do_create_task(alice, project, title="Move the first customer")
    template = templating.do_save_as_template(alice, project, name="Backup move")

    login(page, live_server, nina.email, DEFAULT_PASSWORD)
    page.goto(f"/voice/{proposal.pk}/")
    page.get_by_role("button", name="Turn into PoC").click()
    expect(page.locator("h1")).to_contain_text("Backups cost too much")
    expect(page.locator("h1 .poc-stage")).to_have_text("Idea")

    # Idea → running: the gate names what is missing until the PoC is written out.
    page.get_by_role("button", name="Move to Running").click()
    expect(page.locator(".form-errors")).to_contain_text("Set the time box")
    page.get_by_role("link", name="Edit").click()
    page.fill("[name=believe]", "moving backups to object storage")
    page.fill("[name=will]", "halve the storage bill")
    page.fill("[name=measured_by]", "the monthly invoice")
    page.fill("[name=starts_on]", "2026-03-02")
    page.fill("[name=ends_on]", "2026-03-27")
    page.fill("[name=budget_krw]", "3000000")
    for index, (name, target) in enumerate(
        [("Storage bill", "-40%"), ("Restore of 1 TB", "< 2 h"), ("Failed backups", "< 1/week")]
    ):
        page.fill(f"[name=criterion_{index}]", name)
        page.fill(f"[name=target_{index}]", target)
        page.fill(f"[name=result_{index}]", "met")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".poc-hypothesis")).to_contain_text("halve the storage bill")
    page.get_by_role("button", name="Move to Running").click()
    expect(page.locator("h1 .poc-stage")).to_have_text("Running")

    # Running → decided with a MADR decision record.
    form = page.locator("#decide-form")
    form.locator("[name=context]").fill("The NAS bill doubles every year.")
    form.locator("[name=options]").fill("Object storage\nA bigger NAS")
    form.get_by_label("Go", exact=True).check()
    form.locator("[name=outcome]").fill("Object storage: half the cost.")
    form.locator("[name=consequences]").fill("Restores need the new tool.")
    form.locator("[name=revisit_on]").fill("2027-06-01")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision-record")).to_contain_text("A bigger NAS")

    # Decided → documented (verified runbook) → templated → rolled out.
    page.select_option("[name=runbook]", label=runbook.title)
    page.get_by_role("button", name="Move to Documented").click()
    expect(page.locator("#poc-links")).to_contain_text("Object storage runbook")
    page.select_option("[name=project_template]", label=template.name)
    page.get_by_role("button", name="Move to Templated").click()
    expect(page.locator("#poc-links")).to_contain_text("Backup move")
    page.get_by_label("TE · Technical Engineering").check()
    page.get_by_role("button", name="Move to Rolled out").click()
    expect(page.locator("h1 .poc-stage")).to_have_text("Rolled out")
    expect(page.locator("#timeline li[data-event=moved]")).to_have_count(5)

    poc = PoC.objects.get()
    assert (poc.stage, poc.proposal, poc.runbook, poc.project_template) == (
        Stage.ROLLED_OUT,
        proposal,
        runbook,
        template,
    )
    assert list(poc.adopted_by.values_list("code", flat=True)) == ["TE"]
    assert poc.decision.decision == "go"

    # The proposal shows the PoC's state; the board shows it in its column.
    page.goto(f"/voice/{proposal.pk}/")
    expect(page.locator("#poc-panel")).to_contain_text("Rolled out")
    page.goto("/pipeline/")
    expect(page.locator('[data-stage="rolled_out"] .poc-card')).to_have_count(1)
