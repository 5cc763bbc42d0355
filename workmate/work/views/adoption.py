"""A template's page (versions and adoption) and a project's written status updates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from workmate.work import services, status, templating
from workmate.work.forms import add_service_errors
from workmate.work.models import StatusCadence
from workmate.work.rhythm_forms import StatusUpdateForm, TemplateVersionForm


@login_required
@require_safe
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project_template = templating.get_template_for_user(request.user, pk)
    context = {
        "template": project_template,
        "adoption": templating.adoption(project_template, request.user),
        "can_version": templating.can_version(request.user, project_template),
    }
    return render(request, "work/template_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def template_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    project_template = templating.get_template_for_user(request.user, pk)
    if not templating.can_version(request.user, project_template):
        raise PermissionDenied(_("Only the author or a lead of its team can save a new version."))
    form = TemplateVersionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            version = templating.do_save_new_version(
                request.user,
                project_template,
                form.cleaned_data["project"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)d of “%(name)s” saved.")
                % {"number": version.number, "name": project_template.name},
            )
            return redirect("work:template", pk=project_template.pk)
    status_code = 400 if form.is_bound else 200
    context = {"template": project_template, "form": form}
    return render(request, "work/template_version.html", context, status=status_code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    can_post = status.can_post(request.user, project)
    cadence = StatusCadence.objects.filter(project=project).first()
    initial = {"every_days": cadence.every_days if cadence else status.DEFAULT_EVERY_DAYS}
    form = StatusUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_post:
            raise PermissionDenied(
                _("Only the project's owner or a lead of its team posts updates.")
            )
        if form.is_valid():
            try:
                status.do_post_status_update(request.user, project, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Status update posted."))
                return redirect("work:project_status", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "can_post": can_post,
        "updates": project.status_updates.select_related("author")[:20],
        "cadence": cadence,
    }
    return render(
        request, "work/project_status.html", context, status=400 if form.is_bound else 200
    )
