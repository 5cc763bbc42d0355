"""The advisor API: assessments, their workloads with results, imports, overrides, rules.

Who may read and change what is the pages' rule (`access`): LE architects, team leads
and executives read; the LE architects and the assessment's architect change. Routes
call the same services as the pages; errors are raised and become JSON in `workmate.api`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from workmate.accounts.models import User
from workmate.advisor import access, assess, rules, services
from workmate.advisor.models import (
    Assessment,
    Confidence,
    ImportRun,
    Percentile,
    PricingModel,
    Readiness,
    Verdict,
    Workload,
)
from workmate.desk.models import Customer, Industry
from workmate.lib.apitypes import Id
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageParams, UserOut, paginate

router = Router(tags=["advisor"])

# Literal values rather than enum classes: the OpenAPI components are named by class and
# "Verdict" or "Readiness" would be ambiguous beside other apps'.
VerdictValue = Literal[tuple(Verdict.values)]  # type: ignore[valid-type]
ReadinessValue = Literal[tuple(Readiness.values)]  # type: ignore[valid-type]
SectorValue = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
PercentileValue = Literal[tuple(Percentile.values)]  # type: ignore[valid-type]
PricingValue = Literal[tuple(PricingModel.values)]  # type: ignore[valid-type]
ConfidenceValue = Literal[tuple(Confidence.values)]  # type: ignore[valid-type]
LIST_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
AREAD_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: ErrorOut}


# --- Schemas -----------------------------------------------------------------------------


class CustomerRef(Schema):
    id: int
    name: str
    industry: str


class SettingsOut(Schema):
    region: str
    percentile: PercentileValue
    comfort_factor: Decimal
    pricing_model: PricingValue
    allowed_families: list[str]
    burstable_allowed: bool
    relocate_enabled: bool


class SummaryOut(Schema):
    total: int
    excluded: int
    per_verdict: dict[str, int]
    per_readiness: dict[str, int]
    monthly_on_demand_usd: Decimal
    monthly_reserved_usd: Decimal
    monthly_storage_usd: Decimal
    monthly_compute_usd: Decimal = Field(..., description="By the assessment's pricing model.")
    overridden: int
    missing_utilisation: int
    unknown_os: int
    price_date: datetime.date | None
    region: str
    hours_per_month: int
    pricing_model: str


class AssessmentOut(Schema):
    id: int
    name: str
    customer: CustomerRef
    architect: UserOut
    sector: SectorValue
    notes: str
    settings: SettingsOut
    computed_at: datetime.datetime | None
    computing: bool = Field(..., description="A recomputation is queued or running.")
    price_date: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_settings(obj: Assessment) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in services.WHAT_IF_FIELDS}

    @staticmethod
    def resolve_computing(obj: Assessment) -> bool:
        return bool(obj.compute_status)


class AssessmentDetailOut(AssessmentOut):
    summary: SummaryOut

    @staticmethod
    def resolve_summary(obj: Assessment) -> Any:
        return assess.summary(obj)


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next_cursor: str | None


class AssessmentIn(Schema):
    customer: Id
    name: str = Field(..., max_length=200)
    architect: Id | None = Field(None, description="An LE member; you when left out.")
    sector: SectorValue | None = Field(None, description="The customer's industry when left out.")
    region: str | None = None
    percentile: PercentileValue | None = None
    comfort_factor: Decimal | None = None
    pricing_model: PricingValue | None = None
    allowed_families: list[str] | None = None
    burstable_allowed: bool | None = None
    relocate_enabled: bool | None = None


class AssessmentPatch(Schema):
    name: str | None = Field(None, max_length=200)
    sector: SectorValue | None = None
    notes: str | None = None
    architect: Id | None = None
    region: str | None = None
    percentile: PercentileValue | None = None
    comfort_factor: Decimal | None = None
    pricing_model: PricingValue | None = None
    allowed_families: list[str] | None = None
    burstable_allowed: bool | None = None
    relocate_enabled: bool | None = None


class OverrideOut(Schema):
    verdict: str
    instance_type: str
    region: str
    reason: str
    by: UserOut | None
    at: datetime.datetime | None


class WorkloadOut(Schema):
    id: int
    vm_name: str
    vcenter: str
    # Source attributes.
    powerstate: str
    is_template: bool
    cpus: int
    memory_mib: int
    provisioned_mib: int | None
    in_use_mib: int | None
    partition_consumed_mib: int | None
    os: str = Field(..., description="VMware Tools' OS, else the configuration file's.")
    cpu_p95_pct: Decimal | None
    mem_p95_pct: Decimal | None
    cpu_avg_pct: Decimal | None
    mem_avg_pct: Decimal | None
    perf_days: int | None
    environment: str
    business_value: str = Field(..., description="Empty: unknown.")
    db_engine: str
    license: str
    sector: str = Field(..., description="Empty: the assessment's sector.")
    data_classes: list[str]
    csap_tier: str
    target_region: str
    dr_region: str
    # Results.
    readiness: ReadinessValue | Literal[""]
    verdict: VerdictValue | Literal[""] = Field(..., description="As computed.")
    chosen_verdict: VerdictValue | Literal[""] = Field(
        ..., description="The override, else the computed one."
    )
    instance_type: str
    chosen_instance_type: str
    region: str
    chosen_region: str
    sizing_basis: str
    needed_vcpu: Decimal | None
    needed_memory_mib: int | None
    storage_gb: Decimal | None
    monthly_compute_usd: Decimal | None
    monthly_on_demand_usd: Decimal | None
    monthly_reserved_usd: Decimal | None
    monthly_storage_usd: Decimal | None
    confidence: ConfidenceValue | Literal[""]
    rules: list[str] = Field(..., description="Ids of the rules that fired, in order.")
    findings: list[dict[str, Any]] = Field(..., description="Regulation findings: id and details.")
    caveats: list[str]
    override: OverrideOut | None

    @staticmethod
    def resolve_os(obj: Workload) -> str:
        return obj.os_name

    @staticmethod
    def resolve_rules(obj: Workload) -> list[str]:
        return obj.fired_rules or []

    @staticmethod
    def resolve_override(obj: Workload) -> dict[str, Any] | None:
        if not obj.is_overridden:
            return None
        return {
            "verdict": obj.override_verdict,
            "instance_type": obj.override_instance_type,
            "region": obj.override_region,
            "reason": obj.override_reason,
            "by": obj.overridden_by,
            "at": obj.overridden_at,
        }


class WorkloadPage(Schema):
    items: list[WorkloadOut]
    next_cursor: str | None


class WorkloadFilters(PageParams):
    verdict: VerdictValue | None = Field(None, description="The chosen verdict.")
    readiness: ReadinessValue | None = None
    overridden: bool | None = None


class WorkloadPatch(Schema):
    powerstate: str | None = None
    is_template: bool | None = None
    cpus: int | None = Field(None, ge=1, le=100000)
    memory_mib: int | None = Field(None, ge=1, le=2**50)
    provisioned_mib: int | None = Field(None, ge=0, le=2**50)
    in_use_mib: int | None = Field(None, ge=0, le=2**50)
    os: str | None = Field(None, max_length=255)
    cpu_p95_pct: Decimal | None = None
    mem_p95_pct: Decimal | None = None
    cpu_avg_pct: Decimal | None = None
    mem_avg_pct: Decimal | None = None
    perf_days: int | None = Field(None, ge=0, le=100000)
    environment: str | None = None
    business_value: str | None = None
    db_engine: str | None = Field(None, max_length=64)
    license: str | None = None
    sector: str | None = None
    data_classes: list[str] | None = None
    csap_tier: str | None = None
    target_region: str | None = None
    dr_region: str | None = None

    def values(self) -> dict[str, Any]:
        data = self.dict(exclude_unset=True)
        if "os" in data:
            data["os_tools"] = data.pop("os")
        return {k: ("" if v is None and k not in _NULLABLE else v) for k, v in data.items()}


_NULLABLE = {
    "provisioned_mib",
    "in_use_mib",
    "cpu_p95_pct",
    "mem_p95_pct",
    "cpu_avg_pct",
    "mem_avg_pct",
    "perf_days",
}


class BulkIn(Schema):
    workloads: list[Id] = Field(..., min_length=1, max_length=5000)
    values: WorkloadPatch


class BulkOut(Schema):
    changed: int
    recomputing: bool = Field(..., description="Many workloads: the worker recomputes them.")


class OverrideIn(Schema):
    reason: str = Field(..., max_length=2000)
    verdict: VerdictValue | None = None
    instance_type: str | None = Field(None, max_length=32)
    region: str | None = Field(None, max_length=32)


class RefusalOut(Schema):
    file: str
    row: int
    vm_name: str
    reason: str


class ImportOut(Schema):
    id: int
    status: str
    format: str
    phase: str
    progress_done: int
    progress_total: int
    error: str
    rows_read: int
    rows_created: int
    rows_updated: int
    preview: dict[str, Any]
    refusals: list[RefusalOut]
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class FindingOut(Schema):
    id: str
    title: str
    basis: str
    requirement: str
    checklist: list[str]
    workloads: list[int] = Field(..., description="Ids of the workloads it touches.")


class RuleOut(Schema):
    id: str
    verdict: str = Field(..., description="Empty for a note.")
    sentence: str
    when: list[list[Any]]


class RulesOut(Schema):
    verdict_rules: list[RuleOut]
    findings: list[FindingOut]


# --- Helpers -----------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, return-value]


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    return access.get_assessment_for_user(_user(request), assessment_id)


def _workload(assessment: Assessment, workload_id: int) -> Workload:
    workload = get_object_or_404(
        assessment.workloads.select_related("overridden_by"), pk=workload_id
    )
    workload.assessment = assessment
    return workload


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


# --- Routes ------------------------------------------------------------------------------


@router.get("/assessments", response={200: AssessmentPage, **LIST_ERRORS})
def list_assessments(
    request: HttpRequest, filters: Query[PageParams], customer: Id | None = None
) -> dict[str, Any]:
    """Assessments you may read, newest first."""
    user = _user(request)
    access.check_can_use_advisor(user)
    rows = access.visible_assessments(user).select_related("customer", "architect")
    if customer is not None:
        rows = rows.filter(customer_id=customer)
    return paginate(rows, cursor=filters.cursor, limit=filters.limit, keys=("-created_at", "-id"))


@router.post("/assessments", response={201: AssessmentDetailOut, **WRITE_ERRORS})
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[Assessment]:
    """A new assessment of a desk customer (LE architects)."""
    user = _user(request)
    access.check_can_use_advisor(user)
    customer = get_object_or_404(Customer, pk=payload.customer)
    data = _clean(payload.dict(exclude={"customer", "name", "architect"}))
    architect = None
    if payload.architect is not None:
        architect = User.objects.filter(pk=payload.architect).first()
        if architect is None:
            raise ValidationError({"architect": _("Choose an active member of the LE team.")})
    assessment = services.do_create_assessment(
        user, customer, payload.name, architect=architect, **data
    )
    return Status(201, _assessment(request, assessment.pk))


@router.get("/assessments/{assessment_id}", response={200: AssessmentDetailOut, **AREAD_ERRORS})
def get_assessment(request: HttpRequest, assessment_id: Id) -> Assessment:
    """The assessment, its what-if settings and the summary of its results."""
    return _assessment(request, assessment_id)


@router.patch("/assessments/{assessment_id}", response={200: AssessmentDetailOut, **WRITE_ERRORS})
def patch_assessment(
    request: HttpRequest, assessment_id: Id, payload: AssessmentPatch
) -> Assessment:
    """Change the fields you send. A what-if setting recomputes every workload in the
    worker (`computing` is true until it is done); overrides stay."""
    assessment = _assessment(request, assessment_id)
    data = payload.dict(exclude_unset=True)
    services.do_update_assessment(_user(request), assessment, **data)
    return _assessment(request, assessment_id)


@router.get(
    "/assessments/{assessment_id}/workloads",
    response={200: WorkloadPage, **LIST_ERRORS, 404: ErrorOut},
)
def list_workloads(
    request: HttpRequest, assessment_id: Id, filters: Query[WorkloadFilters]
) -> dict[str, Any]:
    """The workloads with their results, by VM name."""
    assessment = _assessment(request, assessment_id)
    rows = assessment.workloads.select_related("overridden_by")
    if filters.verdict is not None:
        rows = rows.filter(
            Q(override_verdict=filters.verdict) | Q(override_verdict="", verdict=filters.verdict)
        )
    if filters.readiness is not None:
        rows = rows.filter(readiness=filters.readiness)
    if filters.overridden is not None:
        rows = (
            rows.exclude(override_reason="")
            if filters.overridden
            else rows.filter(override_reason="")
        )
    return paginate(rows, cursor=filters.cursor, limit=filters.limit, keys=("vm_name", "id"))


@router.get(
    "/assessments/{assessment_id}/workloads/{workload_id}",
    response={200: WorkloadOut, **AREAD_ERRORS},
)
def get_workload(request: HttpRequest, assessment_id: Id, workload_id: Id) -> Workload:
    return _workload(_assessment(request, assessment_id), workload_id)


@router.patch(
    "/assessments/{assessment_id}/workloads/{workload_id}",
    response={200: WorkloadOut, **WRITE_ERRORS},
)
def patch_workload(
    request: HttpRequest, assessment_id: Id, workload_id: Id, payload: WorkloadPatch
) -> Workload:
    """Change the attributes you send; the workload is recomputed at once."""
    assessment = _assessment(request, assessment_id)
    workload = _workload(assessment, workload_id)
    services.do_edit_workloads(_user(request), assessment, [workload.pk], payload.values())
    return _workload(assessment, workload_id)


@router.post("/assessments/{assessment_id}/bulk-edit", response={200: BulkOut, **WRITE_ERRORS})
def bulk_edit(request: HttpRequest, assessment_id: Id, payload: BulkIn) -> dict[str, Any]:
    """Set the same attributes on many workloads at once."""
    assessment = _assessment(request, assessment_id)
    changed = services.do_edit_workloads(
        _user(request), assessment, payload.workloads, payload.values.values()
    )
    return {"changed": changed, "recomputing": changed > services.INLINE_RECOMPUTE}


@router.put(
    "/assessments/{assessment_id}/workloads/{workload_id}/override",
    response={200: WorkloadOut, **WRITE_ERRORS},
)
def set_override(
    request: HttpRequest, assessment_id: Id, workload_id: Id, payload: OverrideIn
) -> Workload:
    """Choose another verdict, instance type or region, with a reason; the computed
    result stays beside it."""
    assessment = _assessment(request, assessment_id)
    workload = _workload(assessment, workload_id)
    services.do_override(
        _user(request),
        workload,
        reason=payload.reason,
        verdict=payload.verdict or "",
        instance_type=payload.instance_type or "",
        region=payload.region or "",
    )
    return _workload(assessment, workload_id)


@router.delete(
    "/assessments/{assessment_id}/workloads/{workload_id}/override",
    response={200: WorkloadOut, **WRITE_ERRORS},
)
def clear_override(request: HttpRequest, assessment_id: Id, workload_id: Id) -> Workload:
    assessment = _assessment(request, assessment_id)
    services.do_clear_override(_user(request), _workload(assessment, workload_id))
    return _workload(assessment, workload_id)


@router.get(
    "/assessments/{assessment_id}/findings", response={200: list[FindingOut], **AREAD_ERRORS}
)
def findings(request: HttpRequest, assessment_id: Id) -> list[dict[str, Any]]:
    """Each Korean regulation finding with the workloads it touches."""
    assessment = _assessment(request, assessment_id)
    return [
        _finding(finding, [pk for pk, _name in touched])
        for finding, touched in assess.findings_by_id(assessment)
    ]


def _finding(finding: rules.Finding, workloads: list[int]) -> dict[str, Any]:
    return {
        "id": finding.id,
        "title": str(finding.title),
        "basis": str(finding.basis),
        "requirement": str(finding.requirement),
        "checklist": [str(item) for item in finding.checklist],
        "workloads": workloads,
    }


@router.post("/assessments/{assessment_id}/imports", response={202: ImportOut, **WRITE_ERRORS})
def start_import(
    request: HttpRequest, assessment_id: Id, files: File[list[UploadedFile]]
) -> Status[ImportRun]:
    """Upload the inventory (multipart, field `files`, one or more); it is read in the
    worker into a preview (status `preview`). Confirm it to apply it."""
    assessment = _assessment(request, assessment_id)
    run = services.do_start_import(
        _user(request), assessment, [(f.name or "inventory", f.read()) for f in files]
    )
    run.refresh_from_db()
    return Status(202, run)


def _run(request: HttpRequest, assessment_id: int, import_id: int) -> ImportRun:
    assessment = _assessment(request, assessment_id)
    run = get_object_or_404(assessment.imports, pk=import_id)
    run.assessment = assessment
    return run


@router.get(
    "/assessments/{assessment_id}/imports/{import_id}", response={200: ImportOut, **AREAD_ERRORS}
)
def get_import(request: HttpRequest, assessment_id: Id, import_id: Id) -> ImportRun:
    """An import's status, progress, preview and refused rows (poll it)."""
    return _run(request, assessment_id, import_id)


@router.post(
    "/assessments/{assessment_id}/imports/{import_id}/confirm",
    response={202: ImportOut, **WRITE_ERRORS},
)
def confirm_import(request: HttpRequest, assessment_id: Id, import_id: Id) -> Status[ImportRun]:
    """Apply a previewed import (in the worker, one transaction), then compute."""
    run = _run(request, assessment_id, import_id)
    services.do_confirm_import(_user(request), run)
    run.refresh_from_db()
    return Status(202, run)


@router.get("/rules", response={200: RulesOut, 401: ErrorOut, 403: ErrorOut})
def rule_book(request: HttpRequest) -> dict[str, Any]:
    """The ordered 7 Rs rule set and the regulation findings, as the rules page shows."""
    access.check_can_use_advisor(_user(request))
    return {
        "verdict_rules": [
            {
                "id": rule.id,
                "verdict": rule.verdict,
                "sentence": str(rule.sentence),
                "when": [
                    [name, op, value if not isinstance(value, Decimal) else str(value)]
                    for name, op, value in rule.when
                ],
            }
            for rule in rules.VERDICT_RULES
        ],
        "findings": [_finding(finding, []) for finding in rules.FINDINGS],
    }
