from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workmate.work import services
from workmate.work.forms import (
    AnswerForm,
    CommentForm,
    HandBackForm,
    add_service_errors,
)
from workmate.work.models import (
    Activity,
    RequestState,
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
