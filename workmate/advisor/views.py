"""Advisor pages: assessments, import, workloads (edit, bulk edit, override), the rules,
the CSAP list. The report page, its exports and publishing live in the report views."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.advisor import access, assess, inventory, rules, services
from workmate.advisor.forms import (
    BulkEditForm,
    CsapServiceForm,
    ImportForm,
    NewAssessmentForm,
    OverrideForm,
    SettingsForm,
    WorkloadForm,
)
from workmate.advisor.models import (
    Assessment,
    CsapCertifiedService,
    ImportRun,
    Readiness,
    Verdict,
    Workload,
)
from workmate.work.forms import add_service_errors

PAGE_SIZE = 50
EVENTS_SHOWN = 20


# --- Home and new assessment ---------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    access.check_can_use_advisor(request.user)
    assessments = (
        access.visible_assessments(request.user)
        .select_related("customer", "architect")
        .order_by("customer__name", "-created_at")
    )
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "advisor/home.html",
        {"page": page, "can_create": access.is_architect(request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    access.check_can_use_advisor(request.user)
    if not access.is_architect(request.user):
        raise Http404
    form = NewAssessmentForm(
        request.POST or None,
        team_code=settings.ADVISOR_TEAM,
        initial={"customer": request.GET.get("customer")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.do_create_assessment(
                request.user,
                form.cleaned_data["customer"],
                form.cleaned_data["name"],
                architect=form.cleaned_data["architect"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(assessment)
    return render(request, "advisor/new.html", {"form": form})


# --- One assessment ------------------------------------------------------------------------


def _settings_form(assessment: Assessment, data=None) -> SettingsForm:
    initial = {
        name: getattr(assessment, name)
        for name in (
            "name",
            "sector",
            "region",
            "percentile",
            "comfort_factor",
            "pricing_model",
            "burstable_allowed",
            "relocate_enabled",
            "notes",
        )
    }
    initial["allowed_families"] = ", ".join(assessment.allowed_families or [])
    return SettingsForm(data, initial=initial)


def _workload_page(request: HttpRequest, assessment: Assessment):
    rows = assessment.workloads.all()
    verdict = request.GET.get("verdict", "")
    readiness = request.GET.get("readiness", "")
    q = request.GET.get("q", "").strip()[:100]
    if verdict in Verdict.values:
        rows = rows.filter(verdict=verdict)
    if readiness in Readiness.values:
        rows = rows.filter(readiness=readiness)
    if q:
        rows = rows.filter(vm_name__icontains=q)
    rows = rows.only(
        "pk",
        "assessment_id",
        "vm_name",
        "vcenter",
        "cpus",
        "memory_mib",
        "os_tools",
        "os_config",
        "readiness",
        "verdict",
        "override_verdict",
        "instance_type",
        "override_instance_type",
        "region",
        "override_region",
        "override_reason",
        "monthly_compute_usd",
        "monthly_storage_usd",
        "confidence",
        "fired_rules",
        "findings",
    ).order_by("vm_name", "vcenter", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, {"verdict": verdict, "readiness": readiness, "q": q}


def _context(request: HttpRequest, assessment: Assessment) -> dict:
    page, filters = _workload_page(request, assessment)
    can_edit = access.can_edit_assessment(request.user, assessment)
    summary = assess.summary(assessment)
    return {
        "assessment": assessment,
        "can_edit": can_edit,
        "summary": summary,
        "verdict_rows": [(c, label, summary.per_verdict[c]) for c, label in Verdict.choices],
        "readiness_rows": [(c, label, summary.per_readiness[c]) for c, label in Readiness.choices],
        "findings": assess.findings_by_id(assessment),
        "page": page,
        "filters": filters,
        "verdicts": Verdict.choices,
        "readinesses": Readiness.choices,
        "latest_import": services.latest_import(assessment),
        "events": list(assessment.events.select_related("actor")[:EVENTS_SHOWN]),
        "settings_form": _settings_form(assessment) if can_edit else None,
        "import_form": ImportForm() if can_edit else None,
        "bulk_form": BulkEditForm() if can_edit else None,
        "rules_by_id": rules.RULES_BY_ID,
    }


@login_required
@require_safe
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_assessment_for_user(request.user, pk)
    context = _context(request, obj)
    if request.htmx and request.htmx.target == "workload-list":
        return render(request, "advisor/partials/_workloads.html", context)
    return render(request, "advisor/assessment.html", context)


@login_required
@require_POST
def update_settings(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_assessment_for_user(request.user, pk)
    access.check_can_edit(request.user, obj)
    form = _settings_form(obj, request.POST)
    if form.is_valid():
        try:
            changed = services.do_update_assessment(request.user, obj, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("Saved. The assessment is being recomputed."))
            return redirect(obj)
    context = _context(request, obj) | {"settings_form": form}
    return render(request, "advisor/assessment.html", context, status=400)


@login_required
@require_safe
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The recomputation's progress bar (polled while it runs)."""
    obj = access.get_assessment_for_user(request.user, pk)
    return render(request, "advisor/partials/_compute_progress.html", {"assessment": obj})


# --- Import --------------------------------------------------------------------------------


@login_required
@require_POST
def start_import(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_assessment_for_user(request.user, pk)
    access.check_can_edit(request.user, obj)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["files"]]
        try:
            run = services.do_start_import(request.user, obj, files)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("advisor:import", obj.pk, run.pk)
    context = _context(request, obj) | {"import_form": form}
    return render(request, "advisor/assessment.html", context, status=400)


def _get_run(request: HttpRequest, pk: int, run_pk: int) -> tuple[Assessment, ImportRun]:
    obj = access.get_assessment_for_user(request.user, pk)
    run = obj.imports.filter(pk=run_pk).first()
    if run is None:
        raise Http404("No such import.")
    run.assessment = obj
    return obj, run


@login_required
@require_safe
def import_run(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """An import: reading, its preview with the refusals, applying, done (polled)."""
    obj, run = _get_run(request, pk, run_pk)
    context = {
        "assessment": obj,
        "run": run,
        "can_edit": access.can_edit_assessment(request.user, obj),
        "files": list(run.files.all()),
    }
    if request.htmx:
        return render(request, "advisor/partials/_import.html", context)
    return render(request, "advisor/import.html", context)


@login_required
@require_POST
def confirm_import(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    obj, run = _get_run(request, pk, run_pk)
    try:
        services.do_confirm_import(request.user, run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("advisor:import", obj.pk, run.pk)


@login_required
@require_POST
def cancel_import(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    obj, run = _get_run(request, pk, run_pk)
    try:
        services.do_cancel_import(request.user, run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(obj)


@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    """Workmate's inventory template (header and two example rows); public like any
    documentation: it holds no data."""
    response = HttpResponse(inventory.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workmate-inventory-template.csv"'
    return response


# --- Workloads -----------------------------------------------------------------------------


def _get_workload(request: HttpRequest, pk: int, wpk: int) -> Workload:
    obj = access.get_assessment_for_user(request.user, pk)
    workload = obj.workloads.select_related("overridden_by").filter(pk=wpk).first()
    if workload is None:
        raise Http404("No such workload.")
    workload.assessment = obj
    return workload


def _workload_context(request: HttpRequest, workload: Workload, **forms) -> dict:
    assessment = workload.assessment
    can_edit = access.can_edit_assessment(request.user, assessment)
    initial = {name: getattr(workload, name) for name in WorkloadForm.base_fields}
    return {
        "assessment": assessment,
        "workload": workload,
        "can_edit": can_edit,
        "fired": [rules.RULES_BY_ID[i] for i in workload.fired_rules if i in rules.RULES_BY_ID],
        "findings": [
            (rules.FINDINGS_BY_ID[f["id"]], f)
            for f in workload.findings
            if f.get("id") in rules.FINDINGS_BY_ID
        ],
        "form": forms.get("form") or (WorkloadForm(initial=initial) if can_edit else None),
        "override_form": forms.get("override_form")
        or (
            OverrideForm(
                initial={
                    "verdict": workload.override_verdict,
                    "instance_type": workload.override_instance_type,
                    "region": workload.override_region,
                    "reason": workload.override_reason,
                }
            )
            if can_edit
            else None
        ),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workload(request: HttpRequest, pk: int, wpk: int) -> HttpResponse:
    item = _get_workload(request, pk, wpk)
    if request.method == "POST":
        access.check_can_edit(request.user, item.assessment)
        form = WorkloadForm(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if v != getattr(item, k)}
            try:
                if values:
                    services.do_edit_workloads(request.user, item.assessment, [item.pk], values)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved and recomputed."))
                return redirect("advisor:workload", pk, wpk)
        context = _workload_context(request, item, form=form)
        return render(request, "advisor/workload.html", context, status=400)
    return render(request, "advisor/workload.html", _workload_context(request, item))


@login_required
@require_POST
def override(request: HttpRequest, pk: int, wpk: int) -> HttpResponse:
    item = _get_workload(request, pk, wpk)
    access.check_can_edit(request.user, item.assessment)
    if "clear" in request.POST:
        services.do_clear_override(request.user, item)
        messages.success(request, _("Override removed: the computed result applies."))
        return redirect("advisor:workload", pk, wpk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.do_override(request.user, item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Override saved."))
            return redirect("advisor:workload", pk, wpk)
    context = _workload_context(request, item, override_form=form)
    return render(request, "advisor/workload.html", context, status=400)


@login_required
@require_POST
def bulk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_assessment_for_user(request.user, pk)
    access.check_can_edit(request.user, obj)
    form = BulkEditForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("workload") if v.isdigit()][:1000]
    if form.is_valid():
        try:
            count = services.do_edit_workloads(
                request.user, obj, ids, {form.cleaned_data["field"]: form.cleaned_data["value"]}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(count)s workloads changed and recomputed.") % {"count": count}
            )
    else:
        messages.error(request, _("Choose the attribute to set."))
    back = request.POST.get("next", "")
    if back.startswith(obj.get_absolute_url()):
        return redirect(back)
    return redirect(obj)


# --- Rules and the CSAP list ---------------------------------------------------------------


@login_required
@require_safe
def rule_book(request: HttpRequest) -> HttpResponse:
    access.check_can_use_advisor(request.user)
    return render(
        request,
        "advisor/rules.html",
        {
            "verdict_rules": rules.VERDICT_RULES,
            "findings": rules.FINDINGS,
            "os_eol": rules.OS_END_OF_LIFE,
            "min_perf_days": rules.MIN_PERF_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def csap(request: HttpRequest) -> HttpResponse:
    access.check_can_use_advisor(request.user)
    can_edit = access.is_architect(request.user)
    form = CsapServiceForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if "remove" in request.POST:
            item = CsapCertifiedService.objects.filter(pk=request.POST.get("remove")).first()
            if item is not None:
                services.do_remove_csap_service(request.user, item)
            return redirect("advisor:csap")
        if form.is_valid():
            try:
                services.do_add_csap_service(request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("advisor:csap")
    return render(
        request,
        "advisor/csap.html",
        {
            "services": CsapCertifiedService.objects.all(),
            "form": form if can_edit else None,
        },
        status=400 if form.errors else 200,
    )
