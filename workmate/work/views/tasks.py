from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import User
from workmate.accounts.templatetags.workmate import when
from workmate.inbox import services as inbox_services
from workmate.lib.downloads import safe_download
from workmate.work import services
from workmate.work.forms import (
    AnswerForm,
    AskForm,
    AttachmentForm,
    CommentForm,
    DependencyForm,
    HandBackForm,
    RequestBoxForm,
    SubtaskForm,
    TaskEditForm,
    add_service_errors,
    people_who_can_see,
)
from workmate.work.models import (
    Activity,
    Frequency,
    Priority,
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
# Children and grandchildren of a task are edited inline; deeper subtasks are links.
INLINE_DEPTH = 2


def activity_value(field: str, value: str) -> str:
    """A value of the history in the reader's language: codes of choices become their names.

    Rows written before codes were kept hold the name in the writer's language; they are
    shown as written.
    """
    choices: dict[str, type[models.Choices]] = {
        "status": TaskStatus,
        "priority": Priority,
        "recurrence": Frequency,
    }
    kind = choices.get(field)
    if kind is None or not value:
        return value
    labels = {str(code): label for code, label in kind.choices}
    return str(labels.get(value, value))


def describe_activity(activity: Activity) -> str:
    """One readable line of history, e.g. "Alice Kim changed status from Open to Done"."""
    who = activity.actor.full_name if activity.actor else _("Someone")
    names = {
        "who": who,
        "old": activity_value(activity.field, activity.old_value),
        "new": activity_value(activity.field, activity.new_value),
    }
    try:
        model_field = Task._meta.get_field(activity.field) if activity.field else None
    except FieldDoesNotExist:
        model_field = None
    # Fields that are relations or rules rather than task columns have their own labels.
    labels = {"recurrence": _("repeat rule"), "subtasks": _("subtasks"), "tags": _("tags")}
    names["field"] = str(
        labels.get(activity.field) or getattr(model_field, "verbose_name", activity.field)
    )
    verb = activity.verb
    if verb in {"changed", "completed", "reopened"} and activity.field:
        if activity.old_value and activity.new_value:
            return _("%(who)s changed %(field)s from %(old)s to %(new)s") % names
        if activity.new_value:
            return _("%(who)s set %(field)s to %(new)s") % names
        return _("%(who)s cleared %(field)s") % names
    lines = {
        "created": _("%(who)s created the task"),
        "imported": _("%(who)s imported the task from Asana"),
        "commented": _("%(who)s commented"),
        "requested": _("%(who)s asked %(new)s to take this on"),
        "asked": _("%(who)s asked %(new)s for a reply"),
        "acknowledged": _("%(who)s acknowledged the request"),
        "answered": _("%(who)s answered the request"),
        "handed_back": _("%(who)s handed the task back to %(new)s"),
        "declined": _("%(who)s declined the request from %(new)s"),
        "blocked_by": _("%(who)s marked it as blocked by %(new)s"),
        "unblocked": _("%(who)s removed the block by %(old)s"),
        "attached": _("%(who)s attached %(new)s"),
        "detached": _("%(who)s removed the attachment %(old)s"),
        "followed": _("%(who)s started following the task"),
        "unfollowed": _("%(who)s stopped following the task"),
    }
    if verb in lines:
        return lines[verb] % names
    return _("%(who)s: %(verb)s") % {**names, "verb": verb}


@dataclass
class RequestRow:
    request: WorkRequest
    answer_form: forms.Form | None = None
    hand_back_form: forms.Form | None = None


@dataclass
class SubtaskNode:
    task: Task
    depth: int
    children: list[SubtaskNode] = field(default_factory=list)

    @property
    def inline(self) -> bool:
        return self.depth <= INLINE_DEPTH


def subtask_tree(task: Task) -> list[SubtaskNode]:
    """The subtasks of `task` at any depth, as a tree, in two queries whatever the depth.

    Steps: read (id, parent) of every subtask of the project; walk down from `task` to
    collect its descendants; fetch those tasks at once; hang each under its parent in
    position order.
    """
    children_of: dict[int, list[int]] = defaultdict(list)
    edges = Task.objects.filter(project_id=task.project_id, parent__isnull=False).values_list(
        "pk", "parent_id"
    )
    for pk, parent_id in edges:
        children_of[parent_id].append(pk)
    descendants: set[int] = set()
    frontier = [task.pk]
    while frontier:
        found = [pk for parent in frontier for pk in children_of[parent] if pk not in descendants]
        descendants.update(found)
        frontier = found
    if not descendants:
        return []
    nodes: dict[int, SubtaskNode] = {task.pk: SubtaskNode(task, 0)}
    rows = list(
        Task.objects.filter(pk__in=descendants)
        .select_related("assignee")
        .order_by("position", "pk")
    )
    by_pk = {row.pk: row for row in rows}

    def node_for(pk: int) -> SubtaskNode:
        if pk not in nodes:
            row = by_pk[pk]
            parent = node_for(row.parent_id)  # type: ignore[arg-type]
            nodes[pk] = SubtaskNode(row, parent.depth + 1)
            parent.children.append(nodes[pk])
        return nodes[pk]

    for row in rows:
        node_for(row.pk)
    return nodes[task.pk].children


def _form_status(request: HttpRequest, status: int) -> int:
    # htmx swaps only 2xx answers into the page, so a form shown again with its errors
    # is a 200 there; without htmx the 4xx tells the browser and tests what happened.
    return 200 if request.htmx else status


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
    can_edit = services.can_edit_project(user, task.project)
    can_work = can_edit or services.can_work_on(user, task)
    blockers = list(task.dependencies.select_related("blocked_by").order_by("pk"))
    followers = list(task.followers.order_by("full_name", "pk"))
    context = {
        "task": task,
        "can_edit": can_edit,
        "can_work": can_work,
        "subtask_nodes": subtask_tree(task),
        "blockers": blockers,
        "is_blocked": any(not dependency.blocked_by.is_done for dependency in blockers),
        "blocking": task.dependents.select_related("task").order_by("pk"),
        "followers": followers,
        "following": any(person.pk == user.pk for person in followers),
        "attachments": task.attachments.select_related("uploaded_by"),
        "tags": task.tags.all(),
        "request_rows": rows,
        # The people each comment mentions, for its links: one query for them all.
        "comments": task.comments.select_related("author").prefetch_related("mentions"),
        "history": history,
        "comment_form": comment_form or CommentForm(),
        "urgent_left": inbox_services.urgent_left_today(user),
        "pending": RequestState.PENDING,
    }
    if can_work:
        context["subtask_form"] = bound.get("subtask") or SubtaskForm(
            project=task.project, prefix="subtask", user=user
        )
        context["ask_form"] = bound.get("ask") or AskForm(
            task=task, user=user, prefix="ask", can_reassign=can_edit
        )
        context["people"] = list(people_who_can_see(task.project).order_by("full_name", "pk"))
        context["attachment_form"] = bound.get("attachment") or AttachmentForm()
    if can_edit:
        context["dependency_form"] = bound.get("dependency") or DependencyForm(task=task)
    template = "work/partials/_task_detail.html" if request.htmx else "work/task.html"
    return render(request, template, context, status=status)


def _back(request: HttpRequest, task: Task) -> HttpResponse:
    """Back to the task page the form was on (a subtask's form sits on its ancestor's page)."""
    back = request.POST.get("back", "")
    return redirect("work:task", pk=int(back) if back.isdigit() else task.pk)


@login_required
@require_safe
def task(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, services.get_task_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit every field of a task; a stale version shows the current values, saving nothing."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    conflict = False
    status = 200
    if request.method == "POST":
        form = TaskEditForm(request.POST, task=task, user=request.user)
        if form.is_valid():
            try:
                services.do_update_task(
                    request.user,
                    task,
                    form.changes(),
                    expected_version=form.cleaned_data["version"],
                    tags=services.parse_tag_names(form.cleaned_data["tags"]),
                    **form.request_kwargs(),
                )
            except services.VersionConflict as error:
                conflict = True
                current = services.get_task_for_user(request.user, error.current.pk)
                form = TaskEditForm(
                    initial=TaskEditForm.initial_for(current), task=current, user=request.user
                )
                task = current
            except ValidationError as error:
                form.show_service_error(error)
            else:
                messages.success(request, _("Task saved."))
                return redirect("work:task", pk=task.pk)
        status = _form_status(request, 409 if conflict else 400)
    else:
        form = TaskEditForm(initial=TaskEditForm.initial_for(task), task=task, user=request.user)
    context = {
        "task": task,
        "form": form,
        "conflict": conflict,
        "editing": True,
        "urgent_left": inbox_services.urgent_left_today(request.user),
    }
    template = "work/partials/_task_edit.html" if request.htmx else "work/task.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def toggle_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a task complete, or reopen it when it is done."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_work_on(request.user, task)
    if task.is_done:
        services.do_update_task(request.user, task, {"status": TaskStatus.OPEN})
        messages.success(request, _("Task reopened."))
    else:
        services.do_complete_task(request.user, task)
        messages.success(request, _("Task marked complete."))
    return _back(request, task)


@login_required
@require_POST
def rename_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a (sub)task's title in place."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    try:
        services.do_update_task(request.user, task, {"title": request.POST.get("title", "")})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Title saved."))
    return _back(request, task)


@login_required
@require_POST
def add_subtask(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a subtask under `pk` (the task itself, or one of its children inline)."""
    parent = services.get_task_for_user(request.user, pk)
    services.check_can_work_on(request.user, parent)
    form = SubtaskForm(request.POST, project=parent.project, prefix="subtask", user=request.user)
    if form.is_valid():
        try:
            services.do_create_task(
                request.user,
                parent.project,
                title=form.cleaned_data["title"],
                assignee=form.cleaned_data["assignee"],
                parent=parent,
                **form.request_kwargs(),
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(request, _("Subtask added."))
            return _back(request, parent)
    back = request.POST.get("back", "")
    if back.isdigit() and int(back) != parent.pk:
        # The form sat under a child on its ancestor's page: say what went wrong up there.
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(request, parent)
    return _task_page(request, parent, bound={"subtask": form}, status=_form_status(request, 400))


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ask" on a task: a written request to one person, for a reply or to take it on."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_work_on(request.user, task)
    can_reassign = services.can_edit_project(request.user, task.project)
    form = AskForm(
        request.POST, task=task, user=request.user, prefix="ask", can_reassign=can_reassign
    )
    if form.is_valid():
        data = form.cleaned_data
        person = data["person"]
        try:
            sent = services.do_send_request(
                request.user,
                task,
                person,
                message=data["request_message"],
                reply_by=data["reply_by"],
                urgent_reason=data["urgent_reason"].strip() if data["urgent"] else "",
                reassign=bool(data.get("reassign")),
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s is asked to reply by %(when)s.")
                % {"name": person.full_name, "when": when(timezone.localtime(sent.reply_by))},
            )
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, bound={"ask": form}, status=_form_status(request, 400))


@login_required
@require_safe
def reply_by_field(request: HttpRequest) -> HttpResponse:
    """The request box's reply-by, pre-filled for the person just picked (htmx).

    The proposal is what sending now would give: the team's reply-by hours in the
    person's own working calendar. Picking nobody, or oneself, empties it.
    """
    prefix = request.GET.get("prefix", "")
    if prefix and not prefix.isidentifier():
        raise Http404("No such form.")
    picked = ""
    for key, value in request.GET.items():
        if key in {"person", "assignee"} or key.endswith(("-assignee", "-person")):
            picked = value.strip()
    project = None
    if request.GET.get("project", "").isdigit():
        project = services.get_project_for_user(request.user, int(request.GET["project"]))
    initial = {}
    if picked.isdigit() and int(picked) != request.user.pk:
        person = User.objects.filter(is_active=True, pk=int(picked)).first()
        if person is None:
            raise Http404("No such person.")
        initial["reply_by"] = services.reply_by_for(person, timezone.now(), project)
    form = RequestBoxForm(prefix=prefix or None, initial=initial)
    return render(request, "work/partials/_reply_by_field.html", {"form": form})


@login_required
@require_POST
def add_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_work_on(request.user, task)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.do_add_attachment(request.user, task, form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": attachment.name})
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, bound={"attachment": form}, status=_form_status(request, 400))


@login_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download an attachment; only people who can see its task get it."""
    item = services.get_attachment_for_user(request.user, pk)
    return safe_download(item.file, name=item.name, content_type=item.content_type)


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.get_attachment_for_user(request.user, pk)
    services.do_remove_attachment(request.user, item)
    messages.success(request, _("Removed %(name)s.") % {"name": item.name})
    return redirect("work:task", pk=item.task_id)


@login_required
@require_POST
def add_dependency(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    form = DependencyForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.do_add_dependency(request.user, task, form.cleaned_data["blocked_by"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Dependency added."))
            return redirect("work:task", pk=task.pk)
    return _task_page(request, task, bound={"dependency": form}, status=_form_status(request, 400))


@login_required
@require_POST
def remove_dependency(request: HttpRequest, pk: int, blocker: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    blocked_by = services.get_task_for_user(request.user, blocker)
    services.do_remove_dependency(request.user, task, blocked_by)
    messages.success(request, _("Dependency removed."))
    return redirect("work:task", pk=task.pk)


@login_required
@require_POST
def follow_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow the task (`follow=1`) or stop following it (`follow=0`)."""
    task = services.get_task_for_user(request.user, pk)
    follow = request.POST.get("follow", "1") != "0"
    services.do_follow_task(request.user, task, follow=follow)
    if follow:
        messages.success(request, _("You follow this task now."))
    else:
        messages.success(request, _("You no longer follow this task."))
    return redirect("work:task", pk=task.pk)


@login_required
@require_POST
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            urgent = form.cleaned_data["urgent"]
            result = services.do_add_comment(
                request.user,
                task,
                form.cleaned_data["body"],
                urgent_reason=form.cleaned_data["urgent_reason"] if urgent else "",
            )
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
