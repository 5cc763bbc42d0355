"""A project's board (GET /work/projects/<pk>/board/), its add-card forms and card moves."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workmate.testing.factories import make_project, make_task
from workmate.work import services
from workmate.work.models import Activity, Section, Tag, Task, Visibility
from workmate.work.views.board import CARDS_MAX, CARDS_SHOWN, cards_shown

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(team, alice, bob):
    # Team-visible: Bob edits as a teammate; Charlie, outside the team, cannot see it.
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def org_project(team, alice):
    # Org-wide: Charlie can read it but not change it.
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


@pytest.fixture
def design(project):
    return Section.objects.create(project=project, name="Design", position=1)


@pytest.fixture
def build(project):
    return Section.objects.create(project=project, name="Build", position=2)


def board_url(project) -> str:
    return reverse("work:board", args=[project.pk])


def add_url(project) -> str:
    return reverse("work:board_add_card", args=[project.pk])


def move_url(task) -> str:
    return reverse("work:move_task", args=[task.pk])


def cards(html: str) -> list[str]:
    return re.findall(r'class="task-link"[^>]*>([^<]+)</a>', html)


def column_html(page: str, key: object) -> str:
    return page.split(f'<section class="board-column" data-section="{key}"')[1].split("</section>")[
        0
    ]


def headings(page: str) -> list[str]:
    return re.findall(r'class="board-column"[^>]*>\s*<h2[^>]*>([^<]+?) <span', page)


def order(project, section) -> list[str]:
    """Titles of a column's top-level tasks, as saved."""
    return list(
        Task.objects.filter(project=project, section=section, parent=None)
        .order_by("position", "pk")
        .values_list("title", flat=True)
    )


def column_of(project, section, *titles: str) -> list[Task]:
    return [
        make_task(project=project, section=section, title=title, position=n)
        for n, title in enumerate(titles, start=1)
    ]


# --- The board -----------------------------------------------------------------------------


def test_logged_out_goes_to_login(client, project):
    response = client.get(board_url(project))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={board_url(project)}"


def test_post_to_the_board_is_refused(client, project, bob):
    client.force_login(bob)

    assert client.post(board_url(project)).status_code == 405


def test_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.get(board_url(project)).status_code == 404


def test_a_column_per_section_with_cards_in_order(client, project, design, build, bob):
    urgent = Tag.objects.create(name="urgent", colour="#b3261e")
    later = make_task(project=project, section=build, title="Load test", position=2)
    first = make_task(project=project, section=build, title="Write importer", position=1)
    first.tags.add(urgent)
    make_task(project=project, section=build, parent=first, title="Parse CSV")
    make_task(project=project, section=build, parent=first, title="Map fields")
    later.assignee = bob
    later.save()
    make_task(project=project, title="Loose end", due_on=datetime.date(2020, 1, 1))
    make_task(project=make_project(team=project.team), title="Other project")
    client.force_login(bob)

    page = client.get(board_url(project)).content.decode()

    assert "<html" in page
    assert headings(page) == ["No section", "Design", "Build"]
    assert cards(column_html(page, "none")) == ["Loose end"]
    assert "Overdue" in column_html(page, "none")
    assert cards(column_html(page, design.pk)) == []
    build_html = column_html(page, build.pk)
    # Subtasks are counted on their parent's card, not shown as cards.
    assert cards(build_html) == ["Write importer", "Load test"]
    importer = build_html.split("Write importer")[1].split("</li>\n<li")[0]
    assert "2 subtasks" in importer
    assert "urgent" in importer and 'fill="#b3261e"' in importer
    assert "Bob Lee" in build_html.split("Load test")[1]
    assert "Other project" not in page
    # The tabs say where we are; the list is one click away.
    assert f'<a href="{board_url(project)}" aria-current="page">Board</a>' in page
    assert f'href="{reverse("work:project", args=[project.pk])}"' in page
    assert 'class="card-move"' in page and 'class="board-add"' in page
    assert "js/board.js" in page and "vendor/sortable/Sortable.min.js" in page


def test_no_section_is_left_out_when_every_task_has_one(client, project, design, bob):
    make_task(project=project, section=design, title="Sketch")
    client.force_login(bob)

    page = client.get(board_url(project)).content.decode()

    assert headings(page) == ["Design"]


def test_a_project_without_sections_has_one_column(client, project, bob):
    client.force_login(bob)

    page = client.get(board_url(project)).content.decode()

    assert headings(page) == ["No section"]
    assert 'id="add-card-none"' in page


def test_read_only_viewer_sees_cards_but_no_controls(client, org_project, charlie):
    make_task(project=org_project, title="Read me")
    client.force_login(charlie)

    page = client.get(board_url(org_project)).content.decode()

    assert cards(page) == ["Read me"]
    assert "Read only" in page
    assert 'class="card-move"' not in page and 'class="board-add"' not in page
    assert "Sortable.min.js" not in page


def test_arrows_at_the_edges_are_disabled(client, project, design, build, bob):
    column_of(project, design, "Top", "Bottom")
    client.force_login(bob)

    page = client.get(board_url(project)).content.decode()

    assert "disabled" in page.split('aria-label="Move “Top” up"')[1].split(">")[0]
    assert "disabled" in page.split('aria-label="Move “Top” to the previous section"')[1][:12]
    assert "disabled" not in page.split('aria-label="Move “Top” down"')[1].split(">")[0]
    assert "disabled" in page.split('aria-label="Move “Bottom” down"')[1].split(">")[0]
    assert page.count("Move “Top” ") == 4


def test_htmx_gets_only_the_columns(client, project, bob):
    make_task(project=project, title="Loose end")
    client.force_login(bob)

    fragment = client.get(board_url(project), headers=HTMX).content.decode()

    assert "<html" not in fragment
    assert fragment.startswith('<div id="board-columns"')
    assert cards(fragment) == ["Loose end"]


def test_the_list_page_links_to_the_board(client, project, bob):
    client.force_login(bob)

    page = client.get(reverse("work:project", args=[project.pk])).content.decode()

    assert f'<a href="{board_url(project)}">Board</a>' in page
    assert 'aria-current="page">List</a>' in page


def _queries(client, viewer, project, count: int) -> int:
    Task.objects.all().delete()
    Section.objects.all().delete()
    tag = Tag.objects.get_or_create(name="infra")[0]
    sections = [Section.objects.create(project=project, name=f"S{n}") for n in range(3)]
    for number in range(count):
        task = make_task(
            project=project,
            section=sections[number % 3] if number % 4 else None,
            title=f"Task {number}",
            assignee=viewer if number % 2 else None,
            due_on=datetime.date(2020, 1, 1) if number % 3 else None,
        )
        if number % 5 == 0:
            make_task(project=project, section=task.section, parent=task, title=f"Sub {number}")
            task.tags.add(tag)
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        # Every card shown, however many: the page must not read more for more cards.
        response = client.get(board_url(project), {"cards": CARDS_MAX})
    assert len(cards(response.content.decode())) == count
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_cards(client, project, bob):
    assert _queries(client, bob, project, 10) == _queries(client, bob, project, 200)


def test_a_long_column_shows_its_first_cards_and_a_way_to_more(client, project, build, bob):
    for number in range(CARDS_SHOWN + 5):
        make_task(project=project, section=build, title=f"Card {number:02}", position=number)
    client.force_login(bob)

    page = client.get(board_url(project)).content.decode()

    column = column_html(page, build.pk)
    assert cards(column) == [f"Card {number:02}" for number in range(CARDS_SHOWN)]
    assert f'<span class="count">{CARDS_SHOWN + 5}</span>' in column
    assert f"Showing the first {CARDS_SHOWN} of {CARDS_SHOWN + 5}." in column
    more = f"{board_url(project)}?cards={2 * CARDS_SHOWN}#column-{build.pk}-title"
    assert f'href="{more}"' in column
    # A card dropped below the last one shown goes before the first hidden one.
    first_hidden = Task.objects.get(title=f"Card {CARDS_SHOWN:02}")
    assert f'data-before-hidden="{first_hidden.pk}"' in column

    everything = column_html(client.get(more).content.decode(), build.pk)
    assert len(cards(everything)) == CARDS_SHOWN + 5
    assert "Showing the first" not in everything and "data-before-hidden" not in everything


def test_a_move_answers_with_as_many_cards_as_were_shown(client, project, design, build, bob):
    for number in range(CARDS_SHOWN + 5):
        make_task(project=project, section=build, title=f"Card {number:02}", position=number)
    sketch = make_task(project=project, section=design, title="Sketch")
    client.force_login(bob)

    response = client.post(
        move_url(sketch), {"section": build.pk, "cards": 2 * CARDS_SHOWN}, headers=HTMX
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert len(cards(column_html(fragment, build.pk))) == CARDS_SHOWN + 6
    assert f'hx-vals=\'{{"cards": "{2 * CARDS_SHOWN}"}}\'' in fragment


def test_a_card_moved_or_added_below_the_cards_shown_stays_in_sight(
    client, project, design, build, bob
):
    for number in range(CARDS_SHOWN + 5):
        make_task(project=project, section=build, title=f"Card {number:02}", position=number)
    first_hidden = Task.objects.get(title=f"Card {CARDS_SHOWN:02}")
    sketch = make_task(project=project, section=design, title="Sketch")
    client.force_login(bob)

    moved = client.post(
        move_url(sketch), {"section": build.pk, "before": first_hidden.pk}, headers=HTMX
    ).content.decode()
    column = column_html(moved, build.pk)
    assert cards(column)[-1] == "Sketch" and len(cards(column)) == CARDS_SHOWN + 1
    assert f'hx-vals=\'{{"cards": "{CARDS_SHOWN + 1}"}}\'' in moved

    added = client.post(
        add_url(project), {"title": "Brand new", "section": build.pk}, headers=HTMX
    ).content.decode()
    assert cards(column_html(added, build.pk))[-1] == "Brand new"


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", CARDS_SHOWN), ("abc", CARDS_SHOWN), ("3", CARDS_SHOWN), ("99999", CARDS_MAX)],
)
def test_cards_shown_stay_within_limits(rf, asked, shown):
    assert cards_shown(rf.get("/", {"cards": asked})) == shown


# --- Add a card ----------------------------------------------------------------------------


def test_add_card_needs_log_in(client, project):
    response = client.post(add_url(project), {"title": "Sneaky"})

    assert response.status_code == 302
    assert not Task.objects.exists()


def test_add_card_refuses_get(client, project, bob):
    client.force_login(bob)

    assert client.get(add_url(project)).status_code == 405


def test_add_card_outsider_gets_404(client, project, charlie):
    client.force_login(charlie)

    assert client.post(add_url(project), {"title": "Sneaky"}).status_code == 404
    assert not Task.objects.exists()


def test_add_card_read_only_viewer_gets_403(client, org_project, charlie):
    client.force_login(charlie)

    assert client.post(add_url(org_project), {"title": "Sneaky"}).status_code == 403
    assert not Task.objects.exists()


def test_adds_a_card_at_the_bottom_of_its_column(client, project, design, bob):
    column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(
        add_url(project), {"title": " Review ", "section": design.pk}, follow=True
    )

    task = Task.objects.get(title="Review")
    assert (task.section, task.created_by, task.assignee) == (design, bob, None)
    assert order(project, design) == ["Sketch", "Review"]
    assert response.redirect_chain == [(f"{board_url(project)}#card-{task.pk}", 302)]
    page = response.content.decode()
    assert cards(column_html(page, design.pk)) == ["Sketch", "Review"]
    assert "Task “Review” added." in page


def test_adds_a_card_without_a_section(client, project, design, bob):
    client.force_login(bob)

    client.post(add_url(project), {"title": "Loose end"})

    assert Task.objects.get().section is None


def test_htmx_add_card_gets_the_columns_back(client, project, design, bob):
    client.force_login(bob)

    response = client.post(
        add_url(project), {"title": "Sketch", "section": design.pk}, headers=HTMX
    )

    task = Task.objects.get()
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert cards(column_html(fragment, design.pk)) == ["Sketch"]
    assert f'<li class="board-card is-moved" id="card-{task.pk}"' in fragment


def test_a_blank_card_title_is_shown_in_its_column(client, project, design, build, bob):
    client.force_login(bob)

    response = client.post(add_url(project), {"title": "  ", "section": build.pk}, headers=HTMX)

    assert response.status_code == 400
    assert not Task.objects.exists()
    fragment = response.content.decode()
    assert 'id="add-card-' + str(build.pk) + '-error"' in column_html(fragment, build.pk)
    assert "-error" not in column_html(fragment, design.pk)


def test_cannot_add_a_card_to_another_projects_section(client, project, bob):
    elsewhere = Section.objects.create(project=make_project(team=project.team), name="Theirs")
    client.force_login(bob)

    response = client.post(add_url(project), {"title": "Sneaky", "section": elsewhere.pk})

    assert response.status_code == 400
    assert not Task.objects.exists()
    assert 'class="error"' in response.content.decode()


def test_an_error_without_its_column_is_shown_above_the_board(client, project, design, bob):
    elsewhere = Section.objects.create(project=make_project(team=project.team), name="Theirs")
    client.force_login(bob)

    response = client.post(
        add_url(project), {"title": "Sneaky", "section": elsewhere.pk}, headers=HTMX
    )

    assert response.status_code == 400
    assert not Task.objects.exists()
    fragment = response.content.decode()
    assert headings(fragment) == ["Design"]
    assert 'class="message message-error board-message" role="alert">Select a valid choice' in (
        fragment
    )


# --- Move a card: access -------------------------------------------------------------------


def test_move_needs_log_in(client, project, design):
    task = make_task(project=project, title="Sketch")

    response = client.post(move_url(task), {"section": design.pk})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.section is None


def test_move_refuses_get(client, project, bob):
    task = make_task(project=project)
    client.force_login(bob)

    assert client.get(move_url(task)).status_code == 405


def test_move_outsider_gets_404(client, project, design, charlie):
    task = make_task(project=project)
    client.force_login(charlie)

    assert client.post(move_url(task), {"section": design.pk}).status_code == 404
    task.refresh_from_db()
    assert task.section is None


def test_move_read_only_viewer_gets_403(client, org_project, charlie):
    section = Section.objects.create(project=org_project, name="Done")
    task = make_task(project=org_project)
    client.force_login(charlie)

    assert client.post(move_url(task), {"section": section.pk}).status_code == 403
    task.refresh_from_db()
    assert task.section is None


# --- Move a card: dragged ------------------------------------------------------------------


def test_dragged_into_another_column_before_a_card(client, project, design, build, bob):
    _sketch, review = column_of(project, design, "Sketch", "Review")
    column_of(project, build, "Code", "Test")
    code = Task.objects.get(title="Code")
    client.force_login(bob)

    response = client.post(move_url(review), {"section": build.pk, "before": code.pk})

    assert response.status_code == 302
    assert response.url == f"{board_url(project)}#card-{review.pk}"
    assert order(project, design) == ["Sketch"]
    assert order(project, build) == ["Review", "Code", "Test"]
    assert list(
        Task.objects.filter(section=build).order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]
    review.refresh_from_db()
    assert review.version == 2
    line = Activity.objects.get(task=review, field="section")
    assert (line.actor, line.old_value, line.new_value) == (bob, "Design", "Build")


def test_dragged_to_the_end_of_a_column(client, project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    column_of(project, build, "Code", "Test")
    client.force_login(bob)

    client.post(move_url(sketch), {"section": build.pk, "before": ""})

    assert order(project, build) == ["Code", "Test", "Sketch"]
    assert order(project, design) == []


def test_dragged_into_no_section(client, project, design, bob):
    (sketch,) = column_of(project, design, "Sketch")
    column_of(project, None, "Loose end")
    client.force_login(bob)

    client.post(move_url(sketch), {"section": "", "before": ""})

    assert order(project, None) == ["Loose end", "Sketch"]


def test_reordered_within_a_column(client, project, design, bob):
    first, _second, third = column_of(project, design, "One", "Two", "Three")
    client.force_login(bob)

    client.post(move_url(third), {"section": design.pk, "before": first.pk})

    assert order(project, design) == ["Three", "One", "Two"]
    # Staying in its column records no change of section.
    assert not Activity.objects.filter(field="section").exists()


def test_htmx_move_gets_the_fresh_columns(client, project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"section": build.pk}, headers=HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith('<div id="board-columns"')
    assert cards(column_html(fragment, build.pk)) == ["Sketch"]
    assert cards(column_html(fragment, design.pk)) == []
    assert f'<li class="board-card is-moved" id="card-{sketch.pk}"' in fragment


def test_a_stale_board_gets_409_and_the_saved_columns(client, project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    (code,) = column_of(project, build, "Code")
    # Someone else moved "Code" out of Build after this board was drawn.
    services.do_move_task(bob, code, section=None)
    client.force_login(bob)

    response = client.post(move_url(sketch), {"section": build.pk, "before": code.pk}, headers=HTMX)

    assert response.status_code == 409
    sketch.refresh_from_db()
    assert (sketch.section, sketch.version) == (design, 1)
    fragment = response.content.decode()
    assert "That task has moved meanwhile" in fragment
    assert "is-moved" not in fragment
    assert cards(column_html(fragment, design.pk)) == ["Sketch"]
    assert cards(column_html(fragment, "none")) == ["Code"]


def test_a_deleted_neighbour_gets_409(client, project, design, bob):
    (sketch,) = column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"section": design.pk, "before": 999999}, headers=HTMX)

    assert response.status_code == 409
    sketch.refresh_from_db()
    assert sketch.version == 1
    assert "That task has moved meanwhile" in response.content.decode()


def test_a_failed_move_without_javascript_says_why_on_the_board(client, project, design, bob):
    (sketch,) = column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"section": design.pk, "before": 999999}, follow=True)

    assert response.redirect_chain == [(f"{board_url(project)}#card-{sketch.pk}", 302)]
    assert "That task has moved meanwhile" in response.content.decode()


def test_cannot_drag_into_another_projects_section(client, project, design, bob):
    (sketch,) = column_of(project, design, "Sketch")
    elsewhere = Section.objects.create(project=make_project(team=project.team), name="Theirs")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"section": elsewhere.pk}, headers=HTMX)

    assert response.status_code == 400
    sketch.refresh_from_db()
    assert sketch.section == design
    assert "That move is not possible." in response.content.decode()


def test_a_subtask_is_not_moved_as_a_card(client, project, design, build, bob):
    (parent,) = column_of(project, design, "Parent")
    child = make_task(project=project, section=design, parent=parent, title="Child")
    client.force_login(bob)

    response = client.post(move_url(child), {"section": build.pk}, headers=HTMX)

    assert response.status_code == 400
    child.refresh_from_db()
    assert child.section == design


# --- Move a card: by keyboard --------------------------------------------------------------


def test_up_and_down_swap_with_the_neighbour(client, project, design, bob):
    _one, two, _three = column_of(project, design, "One", "Two", "Three")
    client.force_login(bob)

    client.post(move_url(two), {"direction": "up"})
    assert order(project, design) == ["Two", "One", "Three"]

    client.post(move_url(two), {"direction": "down"})
    assert order(project, design) == ["One", "Two", "Three"]

    client.post(move_url(two), {"direction": "down"})
    assert order(project, design) == ["One", "Three", "Two"]


def test_left_and_right_go_to_the_top_of_the_next_column(client, project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    column_of(project, build, "Code")
    column_of(project, None, "Loose end")
    client.force_login(bob)

    client.post(move_url(sketch), {"direction": "right"})
    assert order(project, build) == ["Sketch", "Code"]

    client.post(move_url(sketch), {"direction": "left"})
    client.post(move_url(sketch), {"direction": "left"})
    # "No section" is the first column because a task has no section.
    assert order(project, None) == ["Sketch", "Loose end"]
    assert order(project, design) == []


def test_a_step_off_the_edge_changes_nothing(client, project, design, build, bob):
    top, bottom = column_of(project, build, "Top", "Bottom")
    client.force_login(bob)

    client.post(move_url(top), {"direction": "up"})
    client.post(move_url(bottom), {"direction": "right"})
    client.post(move_url(bottom), {"direction": "down"})

    assert order(project, build) == ["Top", "Bottom"]
    top.refresh_from_db()
    bottom.refresh_from_db()
    assert (top.version, bottom.version) == (1, 1)


def test_keyboard_move_without_javascript_comes_back_to_the_card(client, project, design, bob):
    _one, two = column_of(project, design, "One", "Two")
    client.force_login(bob)

    response = client.post(move_url(two), {"direction": "up"}, follow=True)

    assert response.redirect_chain == [(f"{board_url(project)}#card-{two.pk}", 302)]
    assert cards(column_html(response.content.decode(), design.pk)) == ["Two", "One"]


def test_keyboard_move_with_htmx_marks_the_moved_card(client, project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"direction": "right"}, headers=HTMX)

    fragment = response.content.decode()
    assert f'<li class="board-card is-moved" id="card-{sketch.pk}"' in fragment
    assert cards(column_html(fragment, build.pk)) == ["Sketch"]


def test_an_unknown_direction_is_refused(client, project, design, bob):
    (sketch,) = column_of(project, design, "Sketch")
    client.force_login(bob)

    response = client.post(move_url(sketch), {"direction": "sideways"}, headers=HTMX)

    assert response.status_code == 400
    sketch.refresh_from_db()
    assert sketch.version == 1


# --- The move service ----------------------------------------------------------------------


def test_move_service_leaves_a_task_already_in_place_alone(project, design, bob):
    _one, two = column_of(project, design, "One", "Two")

    moved = services.do_move_task(bob, two, section=design)

    assert moved.version == 1
    assert not Activity.objects.exists()


def test_move_service_works_from_a_stale_task_object(project, design, build, bob):
    (sketch,) = column_of(project, design, "Sketch")
    stale = Task.objects.get(pk=sketch.pk)
    services.do_move_task(bob, sketch, section=build)

    moved = services.do_move_task(bob, stale, section=None)

    # The second move starts from the saved row, not the stale copy: version 3, from Build.
    assert moved.version == 3
    assert list(Activity.objects.filter(field="section").values_list("old_value", "new_value")) == [
        ("Design", "Build"),
        ("Build", ""),
    ]


def test_move_service_keeps_a_subtask_among_its_siblings(project, design, bob):
    (parent,) = column_of(project, design, "Parent")
    first = make_task(project=project, section=design, parent=parent, title="A", position=1)
    second = make_task(project=project, section=design, parent=parent, title="B", position=2)

    services.do_move_task(bob, second, section=design, before=first)

    assert list(parent.subtasks.order_by("position").values_list("title", flat=True)) == [
        "B",
        "A",
    ]
    parent.refresh_from_db()
    assert parent.position == 1
