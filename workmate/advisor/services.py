"""Changing assessments: one function per change, shared by the pages and the API.

`do_*` functions check rights, validate, write, add a line to the assessment's timeline
and leave the recomputation to `assess` (at once for a few workloads, in the worker for
the whole assessment). Imports are read and applied in the worker (`tasks.py`).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.advisor import access, assess, inventory
from workmate.advisor.models import (
    Assessment,
    AssessmentEvent,
    BusinessValue,
    CsapCertifiedService,
    CsapTier,
    DataClass,
    Environment,
    EventKind,
    ImportFile,
    ImportRun,
    ImportStatus,
    License,
    Percentile,
    Powerstate,
    PricingModel,
    Verdict,
    Workload,
)
from workmate.desk.models import Customer, Industry

logger = logging.getLogger(__name__)

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
FAMILY_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
INSTANCE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
# The what-if settings: changing one recomputes every workload.
WHAT_IF_FIELDS = (
    "region",
    "percentile",
    "comfort_factor",
    "pricing_model",
    "allowed_families",
    "burstable_allowed",
    "relocate_enabled",
)
ASSESSMENT_FIELDS = ("name", "sector", "notes", "architect", *WHAT_IF_FIELDS)
# Per-workload attributes editable on the page and through the API (bulk edit too).
EDITABLE_FIELDS = (
    "powerstate",
    "is_template",
    "cpus",
    "memory_mib",
    "provisioned_mib",
    "in_use_mib",
    "os_tools",
    "cpu_p95_pct",
    "mem_p95_pct",
    "cpu_avg_pct",
    "mem_avg_pct",
    "perf_days",
    "environment",
    "business_value",
    "db_engine",
    "license",
    "sector",
    "data_classes",
    "csap_tier",
    "target_region",
    "dr_region",
)
# Editing more workloads than this at once recomputes the whole assessment in the worker.
INLINE_RECOMPUTE = 200


def record(assessment: Assessment, actor: User | None, kind: str, **data: Any) -> AssessmentEvent:
    return AssessmentEvent.objects.create(assessment=assessment, actor=actor, kind=kind, data=data)


# --- Validation of values ----------------------------------------------------------------


def _region(value: Any, field: str, blank: bool = False) -> str:
    text = str(value or "").strip().lower()
    if not text and blank:
        return ""
    if not REGION_RE.match(text):
        raise ValidationError({field: _("Give an AWS region code such as ap-northeast-2.")})
    return text


def _choice(value: Any, field: str, choices: list[str], blank: bool = True) -> str:
    text = str(value or "").strip()
    if (text or not blank) and text not in choices:
        raise ValidationError(
            {field: _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}}
        )
    return text


def _families(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    if not isinstance(value, list | tuple):
        raise ValidationError({"allowed_families": _("Give a list of instance families.")})
    families = []
    for item in value:
        item = str(item).strip().lower()
        if not item:
            continue
        if not FAMILY_RE.match(item):
            raise ValidationError(
                {
                    "allowed_families": _("“%(value)s” is not an instance family such as m6i.")
                    % {"value": item[:20]}
                }
            )
        if item not in families:
            families.append(item)
    return families


def _comfort(value: Any) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"comfort_factor": _("Give a number such as 1.3.")}) from None
    if not Decimal("1") <= number <= Decimal("3"):
        raise ValidationError({"comfort_factor": _("The comfort factor is between 1.0 and 3.0.")})
    return number


def _architect(value: Any) -> User:
    user = value if isinstance(value, User) else User.objects.filter(pk=value).first()
    if user is None or not user.is_active or not access.is_architect(user):
        raise ValidationError({"architect": _("Choose an active member of the LE team.")})
    return user


def clean_assessment_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate assessment fields (any subset), returning them cleaned."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            text = str(value or "").strip()
            if not text:
                raise ValidationError({"name": _("Give the assessment a name.")})
            if len(text) > 200:
                raise ValidationError({"name": _("At most 200 characters.")})
            cleaned[name] = text
        elif name == "notes":
            cleaned[name] = str(value or "")
        elif name == "sector":
            cleaned[name] = _choice(value, name, Industry.values, blank=False)
        elif name == "architect":
            cleaned[name] = _architect(value)
        elif name == "region":
            cleaned[name] = _region(value, name)
        elif name == "percentile":
            cleaned[name] = _choice(value, name, Percentile.values, blank=False)
        elif name == "comfort_factor":
            cleaned[name] = _comfort(value)
        elif name == "pricing_model":
            cleaned[name] = _choice(value, name, PricingModel.values, blank=False)
        elif name == "allowed_families":
            cleaned[name] = _families(value)
        elif name in {"burstable_allowed", "relocate_enabled"}:
            if not isinstance(value, bool):
                raise ValidationError({name: _("Give true or false.")})
            cleaned[name] = value
        else:
            raise ValidationError({name: _("This field cannot be changed.")})
    return cleaned


def clean_workload_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate per-workload attributes with the same rules as the import."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        try:
            if name not in EDITABLE_FIELDS:
                raise inventory.RowRefused(_("This field cannot be changed."))
            if name in {"cpus", "memory_mib"}:
                cleaned[name] = inventory._positive(inventory._int(value, name, True), name)
            elif name in {"provisioned_mib", "in_use_mib", "perf_days"}:
                cleaned[name] = inventory._int(value, name)
            elif name.endswith("_pct"):
                cleaned[name] = inventory._percent(value, name)
            elif name == "is_template":
                cleaned[name] = inventory._bool(value, name)
            elif name == "powerstate":
                cleaned[name] = _choice(value, name, Powerstate.values)
            elif name in {"environment", "business_value", "license", "sector", "csap_tier"}:
                choices = {
                    "environment": Environment.values,
                    "business_value": BusinessValue.values,
                    "license": License.values,
                    "sector": Industry.values,
                    "csap_tier": CsapTier.values,
                }[name]
                cleaned[name] = _choice(value, name, choices)
            elif name == "data_classes":
                if isinstance(value, list | tuple):
                    value = ";".join(str(v) for v in value)
                cleaned[name] = inventory._data_classes(value)
            elif name in {"target_region", "dr_region"}:
                cleaned[name] = _region(value, name, blank=True)
            else:
                cleaned[name] = inventory._name(value, name)[: 64 if name == "db_engine" else 255]
        except inventory.RowRefused as exc:
            raise ValidationError({name: str(exc)}) from None
    return cleaned


# --- Assessments -------------------------------------------------------------------------


@transaction.atomic
def do_create_assessment(
    actor: User, customer: Customer, name: str, architect: User | None = None, **values: Any
) -> Assessment:
    if not access.is_architect(actor):
        raise ValidationError(_("Only LE architects create assessments."))
    values = {"name": name, "architect": architect or actor, **values}
    values.setdefault("sector", customer.industry)
    cleaned = clean_assessment_values(values)
    assessment = Assessment.objects.create(customer=customer, **cleaned)
    record(assessment, actor, EventKind.CREATED, name=assessment.name, customer=customer.name)
    return assessment


def _show(value: Any) -> Any:
    if isinstance(value, User):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def do_update_assessment(actor: User, assessment: Assessment, **values: Any) -> list[str]:
    """Change an assessment's fields; a what-if setting or the sector recomputes every
    workload in the worker, keeping every override. Returns the changed field names."""
    access.check_can_edit(actor, assessment)
    cleaned = clean_assessment_values(values)
    # Lock the row: two architects changing settings at once must both be recorded.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    changes = {}
    for name, value in cleaned.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [_show(old), _show(value)]
            setattr(locked, name, value)
    if not changes:
        return []
    locked.save(update_fields=[*changes, "updated_at"])
    for name in changes:
        setattr(assessment, name, getattr(locked, name))
    record(assessment, actor, EventKind.SETTINGS, changes=changes)
    if set(changes) & {*WHAT_IF_FIELDS, "sector"}:
        schedule_compute(assessment)
    return list(changes)


def schedule_compute(assessment: Assessment) -> None:
    """Recompute the whole assessment in the worker once this transaction commits."""
    from workmate.advisor.tasks import recompute_assessment

    Assessment.objects.filter(pk=assessment.pk).update(
        compute_status="queued", compute_done=0, compute_total=0
    )
    assessment.compute_status = "queued"
    transaction.on_commit(lambda: recompute_assessment.enqueue(assessment.pk))


def run_compute(assessment_id: int) -> int | None:
    """The worker's side of `schedule_compute`: safe to run twice (it recomputes)."""
    assessment = Assessment.objects.filter(pk=assessment_id).select_related("customer").first()
    if assessment is None:
        return None
    Assessment.objects.filter(pk=assessment_id).update(compute_status="running")

    def progress(done: int, total: int) -> None:
        Assessment.objects.filter(pk=assessment_id).update(compute_done=done, compute_total=total)

    count = assess.compute(assessment, progress=progress)
    Assessment.objects.filter(pk=assessment_id).update(compute_status="")
    record(assessment, None, EventKind.COMPUTED, workloads=count)
    return count


# --- Workloads ---------------------------------------------------------------------------


@transaction.atomic
def do_edit_workloads(
    actor: User, assessment: Assessment, workload_ids: list[int], values: dict[str, Any]
) -> int:
    """Set the same attributes on one or many workloads (bulk edit) and recompute them."""
    access.check_can_edit(actor, assessment)
    if not values:
        raise ValidationError(_("Choose at least one attribute to change."))
    cleaned = clean_workload_values(values)
    rows = assessment.workloads.filter(pk__in=workload_ids)
    names = list(rows.order_by("vm_name").values_list("vm_name", flat=True)[:20])
    count = rows.update(**cleaned, updated_at=timezone.now())
    if not count:
        raise ValidationError(_("Choose at least one workload of this assessment."))
    if count > INLINE_RECOMPUTE:
        schedule_compute(assessment)
    else:
        for workload in assessment.workloads.filter(pk__in=workload_ids):
            workload.assessment = assessment
            assess.recompute_workload(workload)
    record(
        assessment,
        actor,
        EventKind.EDITED,
        count=count,
        workloads=names,
        changes={k: _show(v) for k, v in cleaned.items()},
    )
    return count


@transaction.atomic
def do_override(
    actor: User,
    workload: Workload,
    reason: str,
    verdict: str = "",
    instance_type: str = "",
    region: str = "",
) -> Workload:
    """The architect's judgement: choose another verdict, target type or region, with a
    reason. The computed values stay; costs follow the chosen target."""
    assessment = workload.assessment
    access.check_can_edit(actor, assessment)
    verdict = _choice(verdict, "verdict", Verdict.values)
    instance_type = str(instance_type or "").strip().lower()
    if instance_type and not INSTANCE_RE.match(instance_type):
        raise ValidationError({"instance_type": _("Give an instance type such as m6i.large.")})
    region = _region(region, "region", blank=True)
    reason = str(reason or "").strip()
    if not (verdict or instance_type or region):
        raise ValidationError(_("Choose a verdict, an instance type or a region to override."))
    if not reason:
        raise ValidationError({"reason": _("Say why you override the computed result.")})
    locked = Workload.objects.select_for_update().get(pk=workload.pk)
    locked.assessment = assessment
    locked.override_verdict = verdict
    locked.override_instance_type = instance_type
    locked.override_region = region
    locked.override_reason = reason
    locked.overridden_by = actor
    locked.overridden_at = timezone.now()
    locked.save(
        update_fields=[
            "override_verdict",
            "override_instance_type",
            "override_region",
            "override_reason",
            "overridden_by",
            "overridden_at",
            "updated_at",
        ]
    )
    assess.recompute_workload(locked)
    record(
        assessment,
        actor,
        EventKind.OVERRIDDEN,
        workload=locked.vm_name,
        computed={
            "verdict": locked.verdict,
            "instance_type": locked.instance_type,
            "region": locked.region,
        },
        chosen={"verdict": verdict, "instance_type": instance_type, "region": region},
        reason=reason,
    )
    return locked


@transaction.atomic
def do_clear_override(actor: User, workload: Workload) -> Workload:
    assessment = workload.assessment
    access.check_can_edit(actor, assessment)
    locked = Workload.objects.select_for_update().get(pk=workload.pk)
    locked.assessment = assessment
    if not locked.is_overridden:
        return locked
    locked.override_verdict = locked.override_instance_type = locked.override_region = ""
    locked.override_reason = ""
    locked.overridden_by = None
    locked.overridden_at = None
    locked.save(
        update_fields=[
            "override_verdict",
            "override_instance_type",
            "override_region",
            "override_reason",
            "overridden_by",
            "overridden_at",
            "updated_at",
        ]
    )
    assess.recompute_workload(locked)
    record(assessment, actor, EventKind.OVERRIDE_CLEARED, workload=locked.vm_name)
    return locked


# --- Imports -----------------------------------------------------------------------------


@transaction.atomic
def do_start_import(
    actor: User, assessment: Assessment, files: list[tuple[str, bytes]]
) -> ImportRun:
    """Keep the uploaded files and read them in the worker into a preview."""
    from workmate.advisor.tasks import read_import

    access.check_can_edit(actor, assessment)
    if not files:
        raise ValidationError({"files": _("Choose the inventory file(s).")})
    total = sum(len(data) for _name, data in files)
    if total > settings.ADVISOR_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "files": _("The files are larger than %(mb)s MB together.")
                % {"mb": settings.ADVISOR_IMPORT_MAX_BYTES // (1024 * 1024)}
            }
        )
    if assessment.imports.filter(status__in=[ImportStatus.READING, ImportStatus.APPLYING]).exists():
        raise ValidationError(_("Another import of this assessment is still running."))
    run = ImportRun.objects.create(assessment=assessment, created_by=actor)
    for name, data in files:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-120:] or "inventory"
        item = ImportFile(run=run, name=name[:255], size=len(data))
        item.file.save(safe, ContentFile(data), save=False)
        item.save()
    transaction.on_commit(lambda: read_import.enqueue(run.pk))
    return run


def _progress(run_id: int, phase: str, done: int, total: int) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        phase=phase, progress_done=done, progress_total=total
    )


def run_read(run_id: int) -> ImportRun | None:
    """Read an upload into its preview (the worker); a run not reading is left alone."""
    run = ImportRun.objects.select_related("assessment").filter(pk=run_id).first()
    if run is None or run.status != ImportStatus.READING:
        return run
    _progress(run_id, "reading", 0, 0)
    try:
        parsed = inventory.read_run(run)
    except inventory.InventoryError as exc:
        run.status = ImportStatus.REFUSED
        run.error = str(exc)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        record(run.assessment, run.created_by, EventKind.IMPORT_FAILED, run=run.pk, error=str(exc))
        return run
    run.format = parsed.format
    run.refusals = parsed.refusals
    run.rows_read = len(parsed.records)
    run.preview = inventory.preview(run, parsed)
    run.status = ImportStatus.PREVIEW
    run.phase = ""
    run.save(update_fields=["format", "refusals", "rows_read", "preview", "status", "phase"])
    return run


@transaction.atomic
def do_confirm_import(actor: User, run: ImportRun) -> ImportRun:
    from workmate.advisor.tasks import apply_import

    access.check_can_edit(actor, run.assessment)
    # Two clicks on "import" must apply the file once: the status moves under a lock.
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.APPLYING, phase="queued"
    )
    if not claimed:
        raise ValidationError(_("This import is not waiting for confirmation."))
    run.status = ImportStatus.APPLYING
    transaction.on_commit(lambda: apply_import.enqueue(run.pk))
    return run


@transaction.atomic
def do_cancel_import(actor: User, run: ImportRun) -> ImportRun:
    access.check_can_edit(actor, run.assessment)
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This import is not waiting for confirmation."))
    run.status = ImportStatus.CANCELLED
    return run


def run_apply(run_id: int) -> ImportRun | None:
    """Apply a confirmed import in one transaction, then compute the assessment.

    One conditional UPDATE claims the run (phase queued → writing), so two workers do not
    both apply it; a worker that dies mid-way wrote nothing (`release_run` queues it
    again). Computing runs in batches afterwards, each reporting progress."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status=ImportStatus.APPLYING, phase="queued"
    ).update(phase="writing", progress_done=0, progress_total=0)
    if not claimed:
        return None
    run = ImportRun.objects.select_related("assessment", "created_by").get(pk=run_id)
    assessment = run.assessment
    try:
        parsed = inventory.read_run(run)
    except inventory.InventoryError as exc:
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportStatus.REFUSED, error=str(exc), finished_at=timezone.now(), phase=""
        )
        return run
    total = len(parsed.records)
    _progress(run_id, "writing", 0, total)
    try:
        _apply_in_one_transaction(run, parsed)
    except Exception:
        logger.exception("Advisor import %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportStatus.REFUSED,
            phase="",
            finished_at=timezone.now(),
            error=_("The import failed and nothing of it was written; try again."),
        )
        return run
    if run.compute_after:
        _progress(run_id, "computing", 0, total)
        assess.compute(
            assessment, progress=lambda done, all_: _progress(run_id, "computing", done, all_)
        )
    ImportRun.objects.filter(pk=run_id).update(
        status=ImportStatus.DONE, phase="", finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _apply_in_one_transaction(run: ImportRun, parsed: inventory.Inventory) -> tuple[int, int]:
    total = len(parsed.records)
    with transaction.atomic():
        created, updated = inventory.apply(run, parsed)
        record(
            run.assessment,
            run.created_by,
            EventKind.IMPORTED,
            run=run.pk,
            format=parsed.format,
            created=created,
            updated=updated,
            refused=len(parsed.refusals),
        )
        ImportRun.objects.filter(pk=run.pk).update(
            rows_read=total,
            rows_created=created,
            rows_updated=updated,
            refusals=parsed.refusals,
            progress_done=total,
        )
    return created, updated


def release_run(run_id: int, *, rerun: bool) -> None:
    """The worker applying this import died (job recovery, inside its transaction).

    While writing, nothing was committed: the run is queued again (or refused after the
    last try). While computing, the rows are in: the run is done and the assessment is
    computed again in the worker."""
    run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != ImportStatus.APPLYING:
        return
    if run.phase == "computing":
        run.status, run.phase, run.finished_at = ImportStatus.DONE, "", timezone.now()
        run.save(update_fields=["status", "phase", "finished_at"])
        schedule_compute(run.assessment)
    elif rerun:
        run.phase = "queued"
        run.save(update_fields=["phase"])
    else:
        run.status, run.phase, run.finished_at = ImportStatus.REFUSED, "", timezone.now()
        run.error = _("The worker stopped before the import finished; import the file again.")
        run.save(update_fields=["status", "phase", "error", "finished_at"])


def latest_import(assessment: Assessment) -> ImportRun | None:
    return assessment.imports.order_by("-created_at", "-pk").first()


def data_classes_label(values: list[str]) -> str:
    labels = dict(DataClass.choices)
    return ", ".join(str(labels.get(v, v)) for v in values)


# --- CSAP-certified services (the maintained list) ---------------------------------------


def check_can_maintain(user: User) -> None:
    if not access.is_architect(user):
        raise PermissionDenied(_("Only LE architects keep this list."))


@transaction.atomic
def do_add_csap_service(actor: User, **values: Any) -> CsapCertifiedService:
    check_can_maintain(actor)
    tier = _choice(values.get("tier"), "tier", CsapTier.values, blank=False)
    provider = str(values.get("provider") or "").strip()[:100]
    service = str(values.get("service") or "").strip()[:200]
    if not provider or not service:
        raise ValidationError(_("Give the provider and the service."))
    if CsapCertifiedService.objects.filter(tier=tier, provider=provider, service=service).exists():
        raise ValidationError(_("This service is already on the list at that tier."))
    return CsapCertifiedService.objects.create(
        tier=tier, provider=provider, service=service, certified_on=values.get("certified_on")
    )


@transaction.atomic
def do_remove_csap_service(actor: User, service: CsapCertifiedService) -> None:
    check_can_maintain(actor)
    service.delete()
