from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.templatetags.workmate import when
from workmate.work import services
from workmate.work.forms import (
    AnswerForm,
    CommentForm,
    HandBackForm,
    ProjectForm,
    SectionForm,
    TaskQuickForm,
    add_service_errors,
)
from workmate.work.models import (
    Activity,
    Project,
    RequestState,
    Section,
    Task,
    TaskStatus,
    WorkRequest,
)

# Each My Tasks group shows at most this many tasks; the page says when there are more.
GROUP_LIMIT = 50
REQUEST_LIMIT = 100
PROJECTS_PAGE_SIZE = 50
UPCOMING_DAYS = 7
DONE_RECENTLY_DAYS = 7


# --- My Tasks ----------------------------------------------------------------------------


@dataclass
class TaskGroup:
    key: str
    title: str
    tasks: list[Task]
    more: bool


def _capped(key: str, title: str, tasks: QuerySet[Task]) -> TaskGroup:
    # One extra row tells whether the group was cut, without a COUNT query.
    rows = list(tasks[: GROUP_LIMIT + 1])
    return TaskGroup(key, title, rows[:GROUP_LIMIT], len(rows) > GROUP_LIMIT)


@login_required
@require_safe
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The viewer's open tasks by when they are due, and what they finished lately."""
    user = request.user
    today = timezone.localdate()
    mine = (
        Task.objects.visible_to(user)
        .assigned_to(user)
        .select_related("project", "parent")
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")
    )
    open_tasks = mine.open()
    soon = today + datetime.timedelta(days=UPCOMING_DAYS)
    groups = [
        _capped("today", _("Today"), open_tasks.filter(due_on__lte=today)),
        _capped("upcoming", _("Upcoming"), open_tasks.filter(due_on__gt=today, due_on__lte=soon)),
        _capped("later", _("Later"), open_tasks.filter(Q(due_on__gt=soon) | Q(due_on=None))),
        _capped(
            "done",
            _("Done recently"),
            mine.done()
            .filter(completed_at__gte=timezone.now() - datetime.timedelta(days=DONE_RECENTLY_DAYS))
            .order_by("-completed_at", "-pk"),
        ),
    ]
    context = {"groups": groups, "limit": GROUP_LIMIT}
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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def projects(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProjectForm(request.POST, user=user)
        if form.is_valid():
            try:
                project = services.do_create_project(user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
                return redirect("work:project", pk=project.pk)
    else:
        form = ProjectForm(user=user)
    listing = (
        Project.objects.visible_to(user)
        .active()
        .select_related("team", "owner")
        .annotate(
            open_tasks=Count("tasks", filter=~Q(tasks__status=TaskStatus.DONE), distinct=True)
        )
        .order_by("name", "pk")
    )
    page = Paginator(listing, PROJECTS_PAGE_SIZE).get_page(request.GET.get("page"))
    if request.htmx and request.method != "POST":
        return render(request, "work/partials/_project_rows.html", {"page": page})
    status = 400 if form.is_bound else 200
    return render(request, "work/projects.html", {"page": page, "form": form}, status=status)


@dataclass
class SectionGroup:
    section: Section | None
    tasks: list[Task] = field(default_factory=list)


def _project_page(
    request: HttpRequest,
    project: Project,
    *,
    task_form: TaskQuickForm | None = None,
    section_form: SectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project's list: top-level tasks under their sections, "No section" first."""
    sections = list(project.sections.all())
    tasks = (
        project.tasks.filter(parent=None)
        .select_related("assignee")
        .annotate(subtask_count=Count("subtasks"))
        .order_by("position", "pk")
    )
    groups = {None: SectionGroup(None)} | {s.pk: SectionGroup(s) for s in sections}
    for task in tasks:
        groups[task.section_id].tasks.append(task)
    if sections and not groups[None].tasks:
        # "No section" only earns its place when some task has no section.
        del groups[None]
    context = {
        "project": project,
        "groups": list(groups.values()),
        "can_edit": services.can_edit_project(request.user, project),
    }
    if request.htmx and request.method == "GET":
        return render(request, "work/partials/_project_tasks.html", context)
    context["task_form"] = task_form or TaskQuickForm(project=project)
    context["section_form"] = section_form or SectionForm()
    return render(request, "work/project.html", context, status=status)


@login_required
@require_safe
def project(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, services.get_project_for_user(request.user, pk))


@login_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = TaskQuickForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.do_create_task(request.user, project, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sent = task.requests.select_related("assignee").first()
            if sent is not None:
                message = _("Task “%(title)s” added. %(name)s is asked to reply by %(when)s.") % {
                    "title": task.title,
                    "name": sent.assignee.full_name,
                    "when": when(timezone.localtime(sent.reply_by)),
                }
            else:
                message = _("Task “%(title)s” added.") % {"title": task.title}
            messages.success(request, message)
            return redirect("work:project", pk=project.pk)
    return _project_page(request, project, task_form=form, status=400)


@login_required
@require_POST
def add_section(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = services.do_create_section(request.user, project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Section “%(name)s” added.") % {"name": section.name})
            return redirect("work:project", pk=project.pk)
    return _project_page(request, project, section_form=form, status=400)


# --- Task detail -------------------------------------------------------------------------


def describe_activity(activity: Activity) -> str:
    """One readable line of history, e.g. "Alice Kim changed status from Open to Done"."""
    who = activity.actor.full_name if activity.actor else _("Someone")
    names = {"who": who, "old": activity.old_value, "new": activity.new_value}
    try:
        model_field = Task._meta.get_field(activity.field) if activity.field else None
    except FieldDoesNotExist:
        model_field = None
    names["field"] = str(getattr(model_field, "verbose_name", activity.field))
    verb = activity.verb
    if verb in {"changed", "completed", "reopened"} and activity.field:
        if activity.old_value and activity.new_value:
            return _("%(who)s changed %(field)s from %(old)s to %(new)s") % names
        if activity.new_value:
            return _("%(who)s set %(field)s to %(new)s") % names
        return _("%(who)s cleared %(field)s") % names
    lines = {
        "created": _("%(who)s created the task"),
        "commented": _("%(who)s commented"),
        "requested": _("%(who)s asked %(new)s to take this on"),
        "acknowledged": _("%(who)s acknowledged the request"),
        "answered": _("%(who)s answered the request"),
        "handed_back": _("%(who)s handed the task back to %(new)s"),
        "blocked_by": _("%(who)s marked it as blocked by %(new)s"),
        "unblocked": _("%(who)s removed the block by %(old)s"),
    }
    if verb in lines:
        return lines[verb] % names
    return _("%(who)s: %(verb)s") % {**names, "verb": verb}


@dataclass
class RequestRow:
    request: WorkRequest
    answer_form: forms.Form | None = None
    hand_back_form: forms.Form | None = None


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    comment_form: CommentForm | None = None,
    bound: dict[str, forms.Form] | None = None,
    bound_request: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The task with everything around it; `bound` forms replace the blank ones on error."""
    bound = bound or {}
    user = request.user
    open_requests: Sequence[WorkRequest] = task.requests.open().select_related(
        "requester", "assignee"
    )
    rows = []
    for item in open_requests:
        row = RequestRow(item)
        if item.assignee_id == user.pk:
            mine = item.pk == bound_request
            prefix = f"request-{item.pk}"
            row.answer_form = (mine and bound.get("answer")) or AnswerForm(
                prefix=f"{prefix}-answer"
            )
            row.hand_back_form = (mine and bound.get("hand_back")) or HandBackForm(
                prefix=f"{prefix}-back"
            )
        rows.append(row)
    if bound_request is not None and bound_request not in {row.request.pk for row in rows}:
        # The request closed meanwhile, so its form is not on the page: say why up top.
        for form in bound.values():
            for message in form.non_field_errors():
                messages.error(request, message)
    history = [
        (activity, describe_activity(activity))
        for activity in task.activities.select_related("actor")
    ]
    context = {
        "task": task,
        "can_edit": services.can_edit_project(user, task.project),
        "subtasks": task.subtasks.select_related("assignee").order_by("position", "pk"),
        "blockers": task.dependencies.select_related("blocked_by").order_by("pk"),
        "request_rows": rows,
        "comments": task.comments.select_related("author"),
        "history": history,
        "comment_form": comment_form or CommentForm(),
        "pending": RequestState.PENDING,
    }
    template = "work/partials/_task_detail.html" if request.htmx else "work/task.html"
    return render(request, template, context, status=status)


@login_required
@require_safe
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, services.get_task_for_user(request.user, pk))


@login_required
@require_POST
def toggle_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a task complete, or reopen it when it is done."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    if task.is_done:
        services.do_update_task(request.user, task, {"status": TaskStatus.OPEN})
        messages.success(request, _("Task reopened."))
    else:
        services.do_complete_task(request.user, task)
        messages.success(request, _("Task marked complete."))
    return redirect("work:task", pk=task.pk)


@login_required
@require_POST
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            result = services.do_add_comment(request.user, task, form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.mentioned:
                names = ", ".join(person.full_name for person in result.mentioned)
                messages.success(
                    request, _("Comment added; %(names)s will be told.") % {"names": names}
                )
            else:
                messages.success(request, _("Comment added."))
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, comment_form=form, status=400)


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
