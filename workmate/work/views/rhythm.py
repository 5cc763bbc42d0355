"""Recurring tasks, time logs, the timesheet and templates.

The recurrence and time log parts live on the task detail; their forms post here and an
htmx request gets the part back, a plain one a redirect to the task (or, on an error, a
page with just that part, so everything works without JavaScript).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.work import recurrence, services, templating, timelogs
from workmate.work.forms import add_service_errors
from workmate.work.models import Task
from workmate.work.rhythm_forms import (
    ChecklistForm,
    RecurrenceForm,
    SaveTemplateForm,
    TimeLogForm,
    UseTemplateForm,
)


def _task_part(
    request: HttpRequest, task: Task, part: str, *, status: int = 200, **context: object
) -> HttpResponse:
    """One part of the task detail: alone for htmx, inside a small page otherwise."""
    can_edit = services.can_edit_project(request.user, task.project)
    can_work = can_edit or services.can_work_on(request.user, task)
    context.update(task=task, can_edit=can_edit, can_work=can_work)
    partial = f"work/partials/_task_{part}.html"
    if request.htmx:
        # htmx swaps only 2xx answers, so a form with errors comes back as 200 for it.
        return render(request, partial, context)
    return render(request, "work/task_part.html", {**context, "partial": partial}, status=status)


# --- Recurrence ----------------------------------------------------------------------------


@login_required
@require_POST
def set_recurrence(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    form = RecurrenceForm(request.POST, prefix="recurrence")
    if form.is_valid():
        try:
            recurrence.do_set_recurrence(request.user, task, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return _task_part(request, task, "recurrence")
            messages.success(request, _("The task now repeats."))
            return redirect("work:task", pk=task.pk)
    return _task_part(request, task, "recurrence", status=400, recurrence_form=form)


@login_required
@require_POST
def remove_recurrence(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    recurrence.do_remove_recurrence(request.user, task)
    if request.htmx:
        return _task_part(request, task, "recurrence")
    messages.success(request, _("The task no longer repeats."))
    return redirect("work:task", pk=task.pk)


# --- Time logs -----------------------------------------------------------------------------


@login_required
@require_POST
def log_time(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_work_on(request.user, task)
    form = TimeLogForm(request.POST, prefix="time")
    if form.is_valid():
        try:
            entry = timelogs.do_log_time(request.user, task, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return _task_part(request, task, "timelogs")
            messages.success(
                request,
                _("Logged %(time)s.") % {"time": timelogs.format_minutes(entry.minutes)},
            )
            return redirect("work:task", pk=task.pk)
    return _task_part(request, task, "timelogs", status=400, timelog_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_time_log(request: HttpRequest, pk: int) -> HttpResponse:
    entry = timelogs.get_time_log_for_user(request.user, pk)
    if request.method == "POST":
        form = TimeLogForm(request.POST, prefix="time")
        if form.is_valid():
            try:
                timelogs.do_update_time_log(request.user, entry, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Time entry saved."))
                return redirect("work:task", pk=entry.task_id)
    else:
        form = TimeLogForm.for_entry(entry, prefix="time")
    template = "work/partials/_timelog_form.html" if request.htmx else "work/timelog_edit.html"
    status = 400 if form.is_bound and not request.htmx else 200
    return render(request, template, {"entry": entry, "form": form}, status=status)


@login_required
@require_POST
def delete_time_log(request: HttpRequest, pk: int) -> HttpResponse:
    entry = timelogs.get_time_log_for_user(request.user, pk)
    task = entry.task
    timelogs.do_delete_time_log(request.user, entry)
    if request.htmx:
        return _task_part(request, task, "timelogs")
    messages.success(request, _("Time entry deleted."))
    return redirect("work:task", pk=task.pk)


@login_required
@require_safe
def timesheet(request: HttpRequest) -> HttpResponse:
    today = timelogs.today_for(request.user)
    monday = timelogs.parse_week(request.GET.get("week"), today)
    context = {"sheet": timelogs.timesheet_for(request.user, monday), "today": today}
    template = "work/partials/_timesheet.html" if request.htmx else "work/timesheet.html"
    return render(request, template, context)


# --- Templates -----------------------------------------------------------------------------


@login_required
@require_safe
def templates(request: HttpRequest) -> HttpResponse:
    listing = templating.templates_for(request.user)
    template = "work/partials/_template_rows.html" if request.htmx else "work/templates.html"
    return render(request, template, {"templates": listing})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def use_template(request: HttpRequest, pk: int) -> HttpResponse:
    project_template = templating.get_template_for_user(request.user, pk)
    if request.method == "POST":
        form = UseTemplateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                project = templating.do_use_template(
                    request.user, project_template, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Project “%(name)s” created from “%(template)s”.")
                    % {"name": project.name, "template": project_template.name},
                )
                return redirect("work:project", pk=project.pk)
    else:
        form = UseTemplateForm(
            user=request.user,
            initial={"name": project_template.name, "team": project_template.team_id},
        )
    context = {"template": project_template, "form": form}
    status = 400 if form.is_bound else 200
    if request.htmx:
        return render(request, "work/partials/_template_use_form.html", context)
    return render(request, "work/templates_use.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def save_template(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    if request.method == "POST":
        form = SaveTemplateForm(request.POST)
        if form.is_valid():
            try:
                saved = templating.do_save_as_template(request.user, project, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
                return redirect("work:templates")
    else:
        form = SaveTemplateForm(initial={"name": project.name})
    context = {"project": project, "form": form}
    status = 400 if form.is_bound else 200
    if request.htmx:
        return render(request, "work/partials/_template_save_form.html", context)
    return render(request, "work/templates_save.html", context, status=status)


@login_required
@require_POST
def apply_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    form = ChecklistForm(request.POST, user=request.user, prefix="checklist")
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = templating.do_apply_checklist(
                request.user, data["template"], task, start_on=data["start_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d subtask added from the checklist.",
                    "%(count)d subtasks added from the checklist.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("work:task", pk=task.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("work:task", pk=task.pk)
