"""What the work app shows on the "today" home page (see workmate/accounts/today.py):
the requests that wait for the viewer's reply, those the viewer waits on, the tasks due
today and this week, and the quick add of a task or a request.

Each section reads its first few rows and their count, whatever their number.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q
from django.http import QueryDict
from django.utils import timezone

from workmate.accounts.models import User
from workmate.accounts.today import SECTION_LIMIT, Section, Viewer
from workmate.work.forms import QuickAddProjectForm, TaskQuickForm
from workmate.work.models import Project, Task, WorkRequest
from workmate.work.views.my_work import ROW_FIELDS, UPCOMING_DAYS


def _requests(viewer: Viewer, side: str) -> tuple[list[WorkRequest], int]:
    """The viewer's open requests on one side ("assignee": asked of them, "requester":
    asked by them), soonest reply-by first, so the overdue ones lead."""
    rows = WorkRequest.objects.open().filter(**{side: viewer.user})
    other = "requester" if side == "assignee" else "assignee"
    items = list(
        rows.select_related("task", "task__project", other).order_by("reply_by", "pk")[
            :SECTION_LIMIT
        ]
    )
    for item in items:
        item.overdue = item.reply_by < viewer.now  # type: ignore[attr-defined]
    return items, rows.count()


def needs_reply(viewer: Viewer) -> Section:
    items, count = _requests(viewer, "assignee")
    return Section("", "work/today/_needs_reply.html", {"items": items, "count": count})


def waiting_on(viewer: Viewer) -> Section:
    items, count = _requests(viewer, "requester")
    return Section("", "work/today/_waiting_on.html", {"items": items, "count": count})


def due_soon(viewer: Viewer) -> Section:
    """Open tasks assigned to the viewer due today (or before) and in the next days,
    the same groups as My Tasks' "Today" and "Upcoming"."""
    today = timezone.localdate(viewer.now)
    soon = today + datetime.timedelta(days=UPCOMING_DAYS)
    due = (
        Task.objects.visible_to(viewer.user)
        .assigned_to(viewer.user)
        .open()
        .filter(due_on__lte=soon)
    )
    counts = due.aggregate(
        today=Count("pk", filter=Q(due_on__lte=today)),
        week=Count("pk", filter=Q(due_on__gt=today)),
    )
    tasks = list(
        due.select_related("project", "parent")
        .only(*ROW_FIELDS)
        .order_by(F("due_on").asc(), "-priority", "pk")[:SECTION_LIMIT]
    )
    return Section(
        "",
        "work/today/_due.html",
        {"tasks": tasks, "today_count": counts["today"], "week_count": counts["week"]},
    )


def default_project(user: User, projects: list[Project]) -> Project | None:
    """Where the quick add puts a task unless told: the project of the last task the person
    created that they may still add to, else the first of their projects by name."""
    if not projects:
        return None
    by_pk = {project.pk: project for project in projects}
    last = (
        Task.objects.filter(created_by=user, project_id__in=list(by_pk))
        .order_by("-created_at", "-pk")
        .values_list("project_id", flat=True)
        .first()
    )
    return by_pk.get(last) or projects[0]  # type: ignore[arg-type]


def quick_add_forms(
    user: User, projects: list[Project], data: QueryDict | None = None, project_pk: object = None
) -> dict:
    """The quick add's forms: the project picker and the project's own quick-add form.

    `data` is a refused submission, shown again with its errors; `project_pk` a project
    picked (the picker reloads the fields for it), else the person's default project.
    """
    from workmate.inbox import services as inbox_services

    by_pk = {str(project.pk): project for project in projects}
    chosen = data.get("project") if data is not None else project_pk
    project = by_pk.get(str(chosen)) or default_project(user, projects)
    if project is None:
        return {"projects": projects}
    return {
        "projects": projects,
        "project": project,
        "project_form": QuickAddProjectForm(
            data, user=user, projects=projects, initial={"project": project.pk}
        ),
        "task_form": TaskQuickForm(data, project=project, user=user),
        "urgent_left": inbox_services.urgent_left_today(user),
    }


def editable_projects(user: User) -> list[Project]:
    return list(Project.objects.editable_by(user).select_related("team").order_by("name", "pk"))


def quick_add(viewer: Viewer) -> Section:
    data = quick_add_forms(
        viewer.user, editable_projects(viewer.user), viewer.bound.get("quick_add")
    )
    return Section("", "work/today/_quick_add.html", data, column="side")
