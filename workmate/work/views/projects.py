from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.templatetags.workmate import when
from workmate.work import services
from workmate.work.forms import (
    ProjectForm,
    SectionForm,
    TaskQuickForm,
    add_service_errors,
)
from workmate.work.models import (
    Project,
    Section,
    Task,
    TaskStatus,
)

# Each My Tasks group shows at most this many tasks; the page says when there are more.
GROUP_LIMIT = 50
REQUEST_LIMIT = 100
PROJECTS_PAGE_SIZE = 50
UPCOMING_DAYS = 7
DONE_RECENTLY_DAYS = 7


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
