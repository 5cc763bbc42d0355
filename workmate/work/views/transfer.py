"""Asana import (upload, then a job page that polls its progress) and project export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.work import services, transfer
from workmate.work.forms import AssigneeMapForm, ImportForm, add_service_errors
from workmate.work.models import ImportJob, ImportStatus, Project

RECENT_IMPORTS = 10
# Excel opens a UTF-8 CSV correctly (Korean included) only when it starts with a BOM.
BOM = "\ufeff"


def _recent_imports(project: Project) -> list[ImportJob]:
    return list(project.imports.select_related("created_by")[:RECENT_IMPORTS])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_asana(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an Asana CSV export; the import runs in the worker and its page shows progress."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = transfer.do_start_import(request.user, project, form.cleaned_data["file"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("work:import_job", pk=project.pk, job_pk=job.pk)
    else:
        form = ImportForm()
    context = {"project": project, "form": form, "imports": _recent_imports(project)}
    if request.htmx and request.method != "POST":
        return render(request, "work/partials/_import_jobs.html", context)
    status = 400 if form.is_bound else 200
    return render(request, "work/import.html", context, status=status)


def _job_page(
    request: HttpRequest,
    project: Project,
    job: ImportJob,
    *,
    map_form: AssigneeMapForm | None = None,
    status: int = 200,
) -> HttpResponse:
    report = job.report or {}
    stalled = job.is_stalled()
    # A stalled job stops the polling: nothing will change until someone restarts it.
    running = job.status in {ImportStatus.QUEUED, ImportStatus.RUNNING} and not stalled
    can_edit = services.can_edit_project(request.user, project)
    unknown = report.get("unknown_assignees", [])
    editable = unknown and job.status in {ImportStatus.DONE, ImportStatus.FAILED} and can_edit
    if map_form is None and editable:
        map_form = AssigneeMapForm(project=project, names=unknown)
    context = {
        "project": project,
        "job": job,
        "running": running,
        "stalled": stalled,
        "can_restart": can_edit and job.can_restart(),
        "report": report,
        "map_form": map_form,
        "skipped_lines": transfer.skipped_lines(report),
        "field_lines": transfer.field_lines(report) if job.status == ImportStatus.DONE else [],
    }
    template = "work/partials/_import_progress.html" if request.htmx else "work/import_job.html"
    return render(request, template, context, status=status)


def _job_for(project: Project, job_pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("created_by"), pk=job_pk, project=project
    )


@login_required
@require_safe
def import_job(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """One import's progress bar, then its report; htmx polls the partial while it runs."""
    project = services.get_project_for_user(request.user, pk)
    return _job_page(request, project, _job_for(project, job_pk))


@login_required
@require_POST
def map_assignees(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """Choose people for the names an import did not know, and import the file again."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    job = _job_for(project, job_pk)
    names = (job.report or {}).get("unknown_assignees", [])
    form = AssigneeMapForm(request.POST, project=project, names=names)
    if form.is_valid():
        try:
            again = transfer.do_rerun_import(request.user, job, form.mapping())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("work:import_job", pk=project.pk, job_pk=again.pk)
    return _job_page(request, project, job, map_form=form, status=400)


@login_required
@require_POST
def restart_import(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """Start a failed or stalled import again; the worker picks it up once this commits."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    job = _job_for(project, job_pk)
    try:
        job = transfer.do_restart_import(request.user, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _job_page(request, project, job, status=400)
    return redirect("work:import_job", pk=project.pk, job_pk=job.pk)


def _filename(project: Project, extension: str) -> str:
    return f"{slugify(project.name, allow_unicode=True) or 'project'}-{project.pk}.{extension}"


@login_required
@require_safe
def export_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The project in Asana's CSV columns, streamed, so it can go back into Asana or here."""
    project = services.get_project_for_user(request.user, pk)

    def lines():
        yield BOM
        yield from transfer.export_csv_lines(project)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename(project, "csv"))
    return response


@login_required
@require_safe
def export_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The project with its sections and task tree as one JSON document."""
    project = services.get_project_for_user(request.user, pk)
    response = JsonResponse(
        transfer.export_json(project), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = content_disposition_header(True, _filename(project, "json"))
    return response
