"""Work in a real browser: start a project, fill and rearrange its board, and answer a request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from workmate.testing.browser import login
from workmate.testing.factories import DEFAULT_PASSWORD, make_project, make_task
from workmate.work.models import Comment, Project, RequestState, Section, Task, WorkRequest
from workmate.work.views.board import CARDS_SHOWN

pytestmark = pytest.mark.browser


@pytest.fixture
def people(team, alice, bob):
    return team, alice, bob


def watch_console(page: Page) -> list[str]:
    """Everything the page logs or throws, to check that nothing was blocked."""
    seen: list[str] = []

    def logged(message: ConsoleMessage) -> None:
        seen.append(f"{message.type}: {message.text}")

    page.on("console", logged)
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


def csp_violations(seen: list[str]) -> list[str]:
    return [line for line in seen if "Content Security Policy" in line]


def column(page: Page, name: str):
    return page.locator(".board-column", has=page.locator("h2", has_text=name))


def card_titles(page: Page, name: str) -> list[str]:
    return column(page, name).locator(".board-card .task-link").all_inner_texts()


def drag(page: Page, source, target, *, above: bool = False, below: bool = False) -> None:
    """A real pointer drag: press on the card, move in steps, release over the target.

    `above` releases over the target's top edge, which puts the card before it; `below`
    over its bottom edge, after it.
    """
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    end = target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + 20, steps=5)
    y = end["y"] + 4 if above else end["y"] + end["height"] / 2
    if below:
        y = end["y"] + end["height"] - 4
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=20)
    if below:
        # The dragged card now takes room in the list and the target has moved: let the
        # cards finish sliding, then go to the target's new bottom edge.
        page.wait_for_timeout(300)
        moved = target.bounding_box()
        assert moved
        page.mouse.move(moved["x"] + moved["width"] / 2, moved["y"] + moved["height"] - 4, steps=5)
        page.wait_for_timeout(300)
    page.mouse.up()


def test_start_a_project_add_tasks_and_drag_a_card(page: Page, live_server, people):
    team, alice, _bob = people
    seen = watch_console(page)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    page.goto("/work/projects/")
    form = page.locator("#new-project-form")
    form.locator("input[name=name]").fill("Data centre move")
    form.locator("select[name=team]").select_option(str(team.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Data centre move")
    project = Project.objects.get(name="Data centre move")
    assert (project.team, project.owner) == (team, alice)

    for name in ("To do", "Doing"):
        section_form = page.locator("#add-section-form")
        section_form.locator("input[name=name]").fill(name)
        section_form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(f"Section “{name}” added.")
    for title in ("Rack servers", "Cable switches", "Label ports"):
        task_form = page.locator("#add-task-form")
        task_form.locator("input[name=title]").fill(title)
        task_form.locator("select[name=section]").select_option(label="To do")
        task_form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(f"Task “{title}” added.")
    to_do, doing = Section.objects.filter(project=project).order_by("position")

    page.locator(".project-tabs a", has_text="Board").click()
    expect(page).to_have_url(re.compile(rf"/work/projects/{project.pk}/board/$"))

    expect(column(page, "To do").locator(".board-card")).to_have_count(3)
    assert card_titles(page, "To do") == ["Rack servers", "Cable switches", "Label ports"]

    with page.expect_response(lambda r: r.url.endswith("/move/") and r.status == 200):
        drag(
            page,
            column(page, "To do").locator(".board-card", has_text="Cable switches"),
            column(page, "Doing").locator(".board-cards"),
        )
    expect(column(page, "Doing").locator(".board-card")).to_have_count(1)
    moved = Task.objects.get(title="Cable switches")
    assert moved.section == doing
    assert list(
        Task.objects.filter(section=to_do).order_by("position").values_list("title", flat=True)
    ) == ["Rack servers", "Label ports"]

    # Reorder within a column: "Label ports" above "Rack servers".
    with page.expect_response(lambda r: r.url.endswith("/move/") and r.status == 200):
        drag(
            page,
            column(page, "To do").locator(".board-card", has_text="Label ports"),
            column(page, "To do").locator(".board-card", has_text="Rack servers"),
            above=True,
        )
    expect(column(page, "To do").locator(".board-card").first).to_contain_text("Label ports")

    page.reload()
    assert card_titles(page, "To do") == ["Label ports", "Rack servers"]
    assert card_titles(page, "Doing") == ["Cable switches"]
    assert list(
        Task.objects.filter(section=to_do).order_by("position").values_list("title", flat=True)
    ) == ["Label ports", "Rack servers"]
    assert not csp_violations(seen), seen


def test_a_card_dropped_below_a_long_columns_last_shown_card_stays_there(
    page: Page, live_server, people
):
    team, alice, _bob = people
    project = make_project(name="Backlog", team=team, owner=alice)
    inbox = Section.objects.create(project=project, name="Inbox", position=0)
    backlog = Section.objects.create(project=project, name="Backlog", position=1)
    make_task(project=project, section=inbox, title="Mover", position=0)
    for number in range(CARDS_SHOWN + 3):
        make_task(project=project, section=backlog, title=f"Item {number:02}", position=number)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    # Tall enough that both ends of the drag are on screen at once.
    page.set_viewport_size({"width": 1280, "height": 3600})
    page.goto(f"/work/projects/{project.pk}/board/")
    shown = column(page, "Backlog").locator(".board-card")
    expect(shown).to_have_count(CARDS_SHOWN)
    expect(column(page, "Backlog").locator(".board-more")).to_contain_text(
        f"Showing the first {CARDS_SHOWN} of {CARDS_SHOWN + 3}."
    )

    with page.expect_response(lambda r: r.url.endswith("/move/") and r.status == 200):
        drag(page, column(page, "Inbox").locator(".board-card"), shown.last, below=True)

    # Not at the very end of the column, behind cards nobody saw: right where it was put,
    # and still in sight.
    order = list(
        Task.objects.filter(section=backlog).order_by("position").values_list("title", flat=True)
    )
    assert order.index("Mover") == CARDS_SHOWN
    assert order[CARDS_SHOWN + 1] == f"Item {CARDS_SHOWN:02}"
    expect(column(page, "Backlog").locator(".board-card").last).to_contain_text("Mover")


def test_move_a_card_with_the_keyboard(page: Page, live_server, people):
    team, alice, _bob = people
    project = make_project(name="Lab", team=team, owner=alice)
    to_do = Section.objects.create(project=project, name="To do", position=1)
    doing = Section.objects.create(project=project, name="Doing", position=2)
    for position, title in enumerate(["First", "Second"], start=1):
        Task.objects.create(
            project=project, section=to_do, title=title, position=position, created_by=alice
        )
    seen = watch_console(page)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/work/projects/{project.pk}/board/")

    right = page.get_by_role("button", name="Move “Second” to the next section")
    right.focus()
    page.keyboard.press("Enter")

    expect(column(page, "Doing").locator(".board-card")).to_have_text(re.compile("Second"))
    # Focus stays on the moved card: "→" is disabled at the last column, so "←" has it.
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-label", "Move “Second” to the previous section")
    assert Task.objects.get(title="Second").section == doing

    page.keyboard.press("Enter")
    expect(column(page, "To do").locator(".board-card")).to_have_count(2)
    # Left and right land at the top of the column.
    assert card_titles(page, "To do") == ["Second", "First"]
    # At the first column "←" is disabled, so focus takes the way back.
    expect(page.locator(":focus")).to_have_attribute(
        "aria-label", "Move “Second” to the next section"
    )

    page.get_by_role("button", name="Move “Second” down").focus()
    page.keyboard.press("Space")
    expect(column(page, "To do").locator(".board-card").first).to_contain_text("First")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Move “Second” up")
    assert list(
        Task.objects.filter(section=to_do).order_by("position").values_list("title", flat=True)
    ) == ["First", "Second"]

    # Add a card from the keyboard: Enter sends it, and focus is back for the next one.
    add = page.get_by_label("New card in Doing")
    add.fill("Third")
    add.press("Enter")
    expect(column(page, "Doing").locator(".board-card")).to_have_text(re.compile("Third"))
    expect(page.locator(":focus")).to_have_id(f"add-card-{doing.pk}")
    assert Task.objects.get(title="Third").section == doing
    assert not csp_violations(seen), seen


def test_a_request_is_sent_and_answered_in_writing(page: Page, live_server, people):
    team, alice, bob = people
    project = make_project(name="Backups", team=team, owner=alice)
    seen = watch_console(page)
    login(page, live_server, alice.email, DEFAULT_PASSWORD)

    page.goto(f"/work/projects/{project.pk}/")
    form = page.locator("#add-task-form")
    form.locator("input[name=title]").fill("Check the backup restore")
    form.locator("select[name=assignee]").select_option(label="Bob Lee")
    form.locator("textarea[name=request_message]").fill("Restore one into the lab.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Bob Lee is asked to reply by")
    request = WorkRequest.objects.get()
    assert (request.requester, request.assignee, request.state) == (
        alice,
        bob,
        RequestState.PENDING,
    )
    page.locator("form[action$='/logout/'] button").click()

    login(page, live_server, bob.email, DEFAULT_PASSWORD)
    page.locator("#site-nav a", has_text="Work").click()
    page.locator(".work-nav a", has_text="Requests").click()
    needs_reply = page.locator("#needs-my-reply")
    row = needs_reply.locator(f"tr[data-request='{request.pk}']")
    expect(row).to_contain_text("Check the backup restore")
    expect(row).to_contain_text("Alice Kim")
    row.locator(".task-link").click()
    panel = page.locator("#task-panel")
    answer = panel.locator(f"textarea[name='request-{request.pk}-answer-answer']")
    answer.fill("Restored last night's backup to the lab: all 40 VMs boot.")
    panel.get_by_role("button", name="Send answer").click()
    expect(page.locator(".messages")).to_contain_text("Your answer is sent.")
    page.locator("form[action$='/logout/'] button").click()

    login(page, live_server, alice.email, DEFAULT_PASSWORD)
    page.goto(f"/work/tasks/{request.task_id}/")
    expect(page.locator("#comments")).to_contain_text("all 40 VMs boot")
    expect(page.locator("#comments")).to_contain_text("Bob Lee")
    expect(page.locator("#open-requests")).to_have_count(0)
    expect(page.locator("#history")).to_contain_text("Bob Lee answered the request")
    page.locator(".work-nav a", has_text="Requests").click()
    expect(page.locator("#waiting-on-others")).to_contain_text("You are not waiting on anyone.")
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED
    assert request.closed_at is not None
    assert Comment.objects.get(task=request.task).author == bob
    assert not csp_violations(seen), seen
