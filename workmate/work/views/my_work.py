from __future__ import annotations

import datetime
from dataclasses import dataclass

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
    tasks: list[Task]
    more: bool
    # Only when the page shows this group alone: its page of tasks.
    page: Page | None = None


def _capped(key: str, title: str, tasks: QuerySet[Task]) -> TaskGroup:
    # One extra row tells whether the group was cut, without a COUNT query.
    rows = list(tasks[: GROUP_LIMIT + 1])
    return TaskGroup(key, title, rows[:GROUP_LIMIT], len(rows) > GROUP_LIMIT)


def _my_groups(user: User) -> dict[str, tuple[str, QuerySet[Task]]]:
    """Each My Tasks group's key, title and tasks, in the order the page shows them."""
    today = timezone.localdate()
    mine = (
        Task.objects.visible_to(user)
        .assigned_to(user)
        .select_related("project", "parent")
        # Only what a row shows (`work_rows.task_row_html`): each datetime column read is
        # parsed per row, and descriptions can be pages of Markdown. A row reading
        # anything else would cost a query per row, which the query-count tests catch.
        .only(*ROW_FIELDS)
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")
    )
    open_tasks = mine.open()
    soon = today + datetime.timedelta(days=UPCOMING_DAYS)
    return {
        "today": (_("Today"), open_tasks.filter(due_on__lte=today)),
        "upcoming": (_("Upcoming"), open_tasks.filter(due_on__gt=today, due_on__lte=soon)),
        "later": (_("Later"), open_tasks.filter(Q(due_on__gt=soon) | Q(due_on=None))),
        "done": (
            _("Done recently"),
            mine.done()
            .filter(completed_at__gte=timezone.now() - datetime.timedelta(days=DONE_RECENTLY_DAYS))
            .order_by("-completed_at", "-pk"),
        ),
    }


@login_required
@require_safe
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The viewer's open tasks by when they are due, and what they finished lately.

    With `?group=<key>` the page shows that one group in full, a page at a time.
    """
    groups = _my_groups(request.user)
    key = request.GET.get("group", "")
    if key in groups:
        title, tasks = groups[key]
        page = Paginator(tasks, GROUP_PAGE_SIZE).get_page(request.GET.get("page"))
        shown = [TaskGroup(key, title, list(page.object_list), False, page)]
    else:
        shown = [_capped(name, title, tasks) for name, (title, tasks) in groups.items()]
    context = {"groups": shown, "limit": GROUP_LIMIT, "one_group": key in groups}
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
