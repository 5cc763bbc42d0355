"""A project's board: a column per section, cards dragged between them or moved by keyboard."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
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


@dataclass
class Column:
    section: Section | None
    tasks: list[Task] = field(default_factory=list)
    # The add-card form's title and errors, kept when adding a card failed.
    title: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.section.pk) if self.section else "none"


def board_columns(project: Project) -> list[Column]:
    """Top-level tasks in a column per section, "No section" first when a task has none.

    Three queries however many cards: sections, tasks with assignee and subtask count,
    and their tags.
    """
    sections = list(project.sections.all())
    tasks = (
        project.tasks.filter(parent=None)
        .select_related("assignee")
        # Into a plain list (`_board_card.html` reads `tag_list`): no related manager
        # and queryset built per card.
        .prefetch_related(Prefetch("tags", to_attr="tag_list"))
        .with_subtask_count()
        .order_by("position", "pk")
    )
    columns = {None: Column(None)} | {s.pk: Column(s) for s in sections}
    for task in tasks:
        columns[task.section_id].tasks.append(task)
    if sections and not columns[None].tasks:
        del columns[None]
    return list(columns.values())


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
    columns = board_columns(project)
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
        "can_unarchive": project.is_archived
        and services.can_archive_project(request.user, project),
        "message": message,
        "moved": moved,
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
