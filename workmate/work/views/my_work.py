from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workmate.accounts.models import User
from workmate.lib.prepared import PreparedQuery
from workmate.work import services
from workmate.work.forms import (
    AnswerForm,
    HandBackForm,
    add_service_errors,
)
from workmate.work.models import (
    Task,
    WorkRequest,
)
from workmate.work.templatetags.work_rows import TASK_ROW_COLUMNS, TaskRow
from workmate.work.views.tasks import _task_page

# Each My Tasks group shows at most this many tasks; a capped group links to all of it.
# Rendering a row costs ~0.1 ms, so four long groups would dominate the page's time.
GROUP_LIMIT = 20
# A single group ("show all", `?group=later`) is paginated by this many tasks.
GROUP_PAGE_SIZE = 50
REQUEST_LIMIT = 100
PROJECTS_PAGE_SIZE = 50
UPCOMING_DAYS = 7
ROW_FIELDS = (
    "title",
    "status",
    "priority",
    "due_on",
    "due_at",
    "completed_at",
    "project__name",
    "parent__title",
)
DONE_RECENTLY_DAYS = 7


# --- My Tasks ----------------------------------------------------------------------------


@dataclass
class TaskGroup:
    key: str
    title: str
    tasks: list[TaskRow]
    more: bool
    # Only when the page shows this group alone: its page of tasks.
    page: Page | None = None


# The groups in the order the page shows them, with the arguments of each besides the
# viewer (and their kinds, for `PreparedQuery`).
GROUPS: dict[str, dict[str, str]] = {
    "today": {"today": "date"},
    "upcoming": {"today": "date", "soon": "date"},
    "later": {"soon": "date"},
    "done": {"since": "datetime"},
}


def _group_tasks(key: str, user: User, **moments: Any) -> QuerySet[Task]:
    """One My Tasks group's rows (`TASK_ROW_COLUMNS`), in the order the page shows them."""
    mine = (
        Task.objects.visible_to(user)
        .assigned_to(user)
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")
    )
    if key == "today":
        tasks = mine.open().filter(due_on__lte=moments["today"])
    elif key == "upcoming":
        tasks = mine.open().filter(due_on__gt=moments["today"], due_on__lte=moments["soon"])
    elif key == "later":
        tasks = mine.open().filter(Q(due_on__gt=moments["soon"]) | Q(due_on=None))
    else:
        tasks = (
            mine.done().filter(completed_at__gte=moments["since"]).order_by("-completed_at", "-pk")
        )
    # Only what a row shows (`work_rows.row_html`), as tuples: no model instances.
    return tasks.values_list(*TASK_ROW_COLUMNS)


def _moments() -> dict[str, dict[str, Any]]:
    """Each group's dates, in the viewer's zone."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=UPCOMING_DAYS)
    since = timezone.now() - datetime.timedelta(days=DONE_RECENTLY_DAYS)
    values = {"today": today, "soon": soon, "since": since}
    return {key: {name: values[name] for name in kinds} for key, kinds in GROUPS.items()}


@functools.cache
def _prepared_group(key: str, limit: int) -> PreparedQuery:
    """A group's first `limit` rows, its SQL built once per process (workmate.lib.prepared):
    building the four groups' querysets, with the visibility rule's subqueries, was a
    quarter of the page's time. The viewer and the dates are parameters of each run."""

    def build(user: int, **moments: Any) -> QuerySet[Task]:
        return _group_tasks(key, User(pk=user), **moments)[:limit]

    return PreparedQuery(build, user="id", **GROUPS[key])


def _titles() -> dict[str, str]:
    return {
        "today": _("Today"),
        "upcoming": _("Upcoming"),
        "later": _("Later"),
        "done": _("Done recently"),
    }


@login_required
@require_safe
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The viewer's open tasks by when they are due, and what they finished lately.

    With `?group=<key>` the page shows that one group in full, a page at a time.
    """
    titles = _titles()
    moments = _moments()
    key = request.GET.get("group", "")
    if key in GROUPS:
        tasks = _group_tasks(key, request.user, **moments[key])
        page = Paginator(tasks, GROUP_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [TaskRow._make(row) for row in page.object_list]
        shown = [TaskGroup(key, titles[key], rows, False, page)]
    else:
        shown = []
        # One extra row tells whether the group was cut, without a COUNT query.
        for name in GROUPS:
            found = _prepared_group(name, GROUP_LIMIT + 1).rows(
                user=request.user.pk, **moments[name]
            )
            rows = [TaskRow._make(row) for row in found[:GROUP_LIMIT]]
            shown.append(TaskGroup(name, titles[name], rows, len(found) > GROUP_LIMIT))
    context = {"groups": shown, "limit": GROUP_LIMIT, "one_group": key in GROUPS}
    template = "work/partials/_my_tasks.html" if request.htmx else "work/my_tasks.html"
    return render(request, template, context)


# --- Requests ----------------------------------------------------------------------------


@login_required
@require_safe
def requests(request: HttpRequest) -> HttpResponse:
    """Open requests the viewer must answer, and the ones they wait on, soonest first."""
    open_requests = (
        WorkRequest.objects.open()
        .select_related("task", "task__project", "requester", "assignee")
        .order_by("reply_by", "pk")
    )
    context = {
        "to_me": open_requests.filter(assignee=request.user)[:REQUEST_LIMIT],
        "from_me": open_requests.filter(requester=request.user)[:REQUEST_LIMIT],
    }
    template = "work/partials/_requests.html" if request.htmx else "work/requests.html"
    return render(request, template, context)


# --- Projects ----------------------------------------------------------------------------


def _request_and_task(request: HttpRequest, pk: int) -> tuple[WorkRequest, Task]:
    work_request = services.get_request_for_user(request.user, pk)
    return work_request, services.get_task_for_user(request.user, work_request.task_id)


@login_required
@require_POST
def acknowledge_request(request: HttpRequest, pk: int) -> HttpResponse:
    work_request, task = _request_and_task(request, pk)
    try:
        services.do_acknowledge_request(request.user, work_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You acknowledged the request."))
    return redirect("work:task", pk=task.pk)


@login_required
@require_POST
def answer_request(request: HttpRequest, pk: int) -> HttpResponse:
    work_request, task = _request_and_task(request, pk)
    form = AnswerForm(request.POST, prefix=f"request-{pk}-answer")
    if form.is_valid():
        try:
            services.do_answer_request(request.user, work_request, form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer is sent."))
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, bound={"answer": form}, bound_request=pk, status=400)


@login_required
@require_POST
def hand_back_request(request: HttpRequest, pk: int) -> HttpResponse:
    work_request, task = _request_and_task(request, pk)
    form = HandBackForm(request.POST, prefix=f"request-{pk}-back")
    if form.is_valid():
        try:
            services.do_hand_back_request(request.user, work_request, form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("You handed the task back to %(name)s.")
                % {"name": work_request.requester.full_name},
            )
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, bound={"hand_back": form}, bound_request=pk, status=400)
