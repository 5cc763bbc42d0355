"""A project's board: a column per section, cards dragged between them or moved by keyboard."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workmate.work import services
from workmate.work.forms import MoveTaskForm, TaskQuickForm
from workmate.work.models import Project, Section, Task

# A refused change is answered with the board as saved, under one of these statuses:
# 400 for bad input, 409 when the mover's board was out of date.
BAD_REQUEST = 400
CONFLICT = 409


# Cards shown per column at first; "Show more" adds as many again (`?cards=`), up to
# CARDS_MAX. A board of 450 cards took ~110 ms and 650 KiB to draw; 5 columns of 25, 35 ms.
CARDS_SHOWN = 25
CARDS_MAX = 1000


@dataclass
class Column:
    section: Section | None
    tasks: list[Task] = field(default_factory=list)
    # How many top-level tasks the column holds, shown or not.
    total: int = 0
    # The first card not shown: a card dropped below the last one shown goes before it.
    first_hidden: int | None = None
    # The add-card form's title and errors, kept when adding a card failed.
    title: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.section.pk) if self.section else "none"

    @property
    def hidden(self) -> int:
        return self.total - len(self.tasks)


def cards_shown(request: HttpRequest) -> int:
    """How many cards a column shows: `cards` from the query or the form, within limits."""
    try:
        wanted = int(request.POST.get("cards") or request.GET.get("cards") or CARDS_SHOWN)
    except ValueError:
        return CARDS_SHOWN
    return min(max(wanted, CARDS_SHOWN), CARDS_MAX)


def board_columns(project: Project, limit: int = CARDS_SHOWN) -> list[Column]:
    """Top-level tasks in a column per section, "No section" first when a task has none;
    the first `limit` cards of each column, and how many it holds.

    Three queries however many cards: sections, the cards (numbered and counted per
    column by window functions, so one query cuts every column), and their tags.
    """
    sections = list(project.sections.all())
    in_column = {"partition_by": [F("section_id")]}
    tasks = (
        project.tasks.filter(parent=None)
        .select_related("assignee")
        .prefetch_related(Prefetch("tags", to_attr="tag_list"))
        .with_subtask_count()
        .annotate(
            place=Window(RowNumber(), order_by=[F("position"), F("pk")], **in_column),
            column_total=Window(Count("pk"), **in_column),
        )
        # One card more than shown: the first hidden one.
        .filter(place__lte=limit + 1)
        .order_by("position", "pk")
    )
    columns = {None: Column(None)} | {s.pk: Column(s) for s in sections}
    for task in tasks:
        column = columns[task.section_id]
        column.total = task.column_total
        if task.place <= limit:
            column.tasks.append(task)
        else:
            column.first_hidden = task.pk
    if sections and not columns[None].tasks:
        del columns[None]
    return list(columns.values())


def _place_in_column(task_id: int) -> int:
    """Where a top-level card sits in its column, counting from 1 (0 if it is not one)."""
    task = Task.objects.filter(pk=task_id, parent=None).first()
    if task is None:
        return 0
    ahead = Q(position__lt=task.position) | Q(position=task.position, pk__lte=task.pk)
    column = Task.objects.filter(
        project_id=task.project_id, parent=None, section_id=task.section_id
    )
    return column.filter(ahead).count()


def _board(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    message: str = "",
    moved: int | None = None,
    failed_add: Column | None = None,
) -> HttpResponse:
    """The board page, or only its columns for htmx (and for the drag script)."""
    limit = cards_shown(request)
    if moved is not None:
        # A card moved or added below the cards shown stays in sight: show down to it.
        limit = min(max(limit, _place_in_column(moved)), CARDS_MAX)
    columns = board_columns(project, limit)
    if failed_add is not None:
        column = next((c for c in columns if c.key == failed_add.key), None)
        if column is not None:
            column.title, column.errors = failed_add.title, failed_add.errors
        else:
            # The column is gone (or never was): say it above the board instead.
            message = " ".join(failed_add.errors)
    context = {
        "project": project,
        "columns": columns,
        "can_edit": services.can_edit_project(request.user, project),
        "can_unarchive": project.is_archived and services.can_manage_project(request.user, project),
        "message": message,
        "moved": moved,
        "cards": limit,
        "default_cards": CARDS_SHOWN,
        "more_cards": min(limit + CARDS_SHOWN, CARDS_MAX),
    }
    if request.htmx:
        return render(request, "work/partials/_board_columns.html", context, status=status)
    return render(request, "work/board.html", context, status=status)


def _board_url(project: Project, task: Task | None = None) -> str:
    url = reverse("work:board", args=[project.pk])
    return f"{url}#card-{task.pk}" if task is not None else url


@login_required
@require_safe
def board(request: HttpRequest, pk: int) -> HttpResponse:
    return _board(request, services.get_project_for_user(request.user, pk))


@login_required
@require_POST
def add_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a card at the bottom of one column (the same service as the list's quick add)."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = TaskQuickForm(request.POST, project=project)
    if form.is_valid():
        try:
            task = services.do_create_task(
                request.user,
                project,
                title=form.cleaned_data["title"],
                section=form.cleaned_data["section"],
            )
        except ValidationError as error:
            errors = error.messages
        else:
            if request.htmx:
                return _board(request, project, moved=task.pk)
            messages.success(request, _("Task “%(title)s” added.") % {"title": task.title})
            return redirect(_board_url(project, task))
    else:
        errors = [message for messages_ in form.errors.values() for message in messages_]
    failed = Column(
        form.cleaned_data.get("section"), title=request.POST.get("title", ""), errors=errors
    )
    return _board(request, project, status=BAD_REQUEST, failed_add=failed)


def _keyboard_target(task: Task, direction: str) -> tuple[Section | None, Task | None]:
    """Where one step up, down, left or right takes a card: its section and the card after it.

    Up and down swap it with its neighbour; left and right put it at the top of the
    neighbouring column, in the board's column order. A step off the edge stays put.
    """
    column = list(
        Task.objects.filter(project_id=task.project_id, section=task.section, parent=None)
        .order_by("position", "pk")
        .only("pk")
    )
    index = next(i for i, card in enumerate(column) if card.pk == task.pk)
    others = column[:index] + column[index + 1 :]

    def before(at: int) -> Task | None:
        return others[at] if at < len(others) else None

    if direction in {"up", "down"}:
        return task.section, before(max(0, index - 1) if direction == "up" else index + 1)
    sections: list[Section | None] = list(task.project.sections.all())
    if Task.objects.filter(project_id=task.project_id, section=None, parent=None).exists():
        sections.insert(0, None)
    here = sections.index(task.section)
    there = here - 1 if direction == "left" else here + 1
    if not 0 <= there < len(sections):
        return task.section, before(index)
    target = sections[there]
    first = (
        Task.objects.filter(project_id=task.project_id, section=target, parent=None)
        .order_by("position", "pk")
        .first()
    )
    return target, first


@login_required
@require_POST
def move_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card: dragged (section + the card it now sits before) or a keyboard step.

    htmx and the drag script get the fresh columns back, also when the move failed
    because the board was out of date (409), so the page never shows a move that did
    not happen; without JavaScript the board reloads at the card.
    """
    task = services.get_task_for_user(request.user, pk)
    project = task.project
    services.check_can_edit(request.user, project)
    form = MoveTaskForm(request.POST, project=project)
    status, message = 200, ""
    if task.parent_id:
        status, message = BAD_REQUEST, _("A subtask moves with its parent.")
    elif not form.is_valid():
        status, message = BAD_REQUEST, _("That move is not possible.")
    else:
        data = form.cleaned_data
        try:
            if data["direction"]:
                section, before = _keyboard_target(task, data["direction"])
            else:
                section, before = data["section"], None
                if data["before"] is not None:
                    before = Task.objects.filter(project=project, pk=data["before"]).first()
                    if before is None:
                        raise ValidationError(
                            _("That task has moved meanwhile. Look at the board again.")
                        )
            task = services.do_move_task(request.user, task, section=section, before=before)
        except ValidationError as error:
            status, message = CONFLICT, " ".join(error.messages)
    if request.htmx:
        moved = task.pk if status == 200 else None
        return _board(request, project, status=status, message=message, moved=moved)
    if message:
        messages.error(request, message)
    return redirect(_board_url(project, task))
