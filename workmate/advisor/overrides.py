"""The architect's judgement (issue 14 point 7): overriding one workload's verdict or target
with a reason, and changing the what-if settings, which recomputes the whole assessment.

The computed values stay as computed: an override lives in the `override_*` fields beside
them, so recomputing (new settings, a new price list, a re-import) changes what was
computed and never what the architect chose.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.advisor import access
from workmate.advisor.models import (
    Assessment,
    AssessmentEvent,
    EventKind,
    InstancePrice,
    Workload,
)

SETTINGS_FIELDS = (
    "region",
    "percentile",
    "comfort_factor",
    "pricing_model",
    "allowed_families",
    "burstable_allowed",
    "relocate_enabled",
)


def _recompute(assessment: Assessment, workloads: list[Workload] | None = None) -> None:
    from workmate.advisor import assess

    assess.compute_assessment(assessment, workloads=workloads)


@transaction.atomic
def do_override(
    actor: User,
    workload: Workload,
    *,
    verdict: str = "",
    instance_type: str = "",
    region: str = "",
    reason: str,
) -> Workload:
    """Keep the architect's choice for one workload, then price the chosen target."""
    assessment = workload.assessment
    access.check_can_edit(actor, assessment)
    reason = reason.strip()
    if not (verdict or instance_type or region):
        raise ValidationError(_("Choose a verdict, an instance type or a region to override."))
    if not reason:
        raise ValidationError({"reason": _("Say why you override the computed result.")})
    target_region = region or workload.region or assessment.region
    if (
        instance_type
        and not InstancePrice.objects.filter(
            snapshot__region=target_region, instance_type=instance_type
        ).exists()
    ):
        raise ValidationError(
            {
                "instance_type": _("%(type)s is not in the price catalogue of %(region)s.")
                % {"type": instance_type, "region": target_region}
            }
        )
    before = {
        "verdict": workload.override_verdict,
        "instance_type": workload.override_instance_type,
        "region": workload.override_region,
    }
    workload.override_verdict = verdict
    workload.override_instance_type = instance_type
    workload.override_region = region
    workload.override_reason = reason
    workload.overridden_by = actor
    workload.overridden_at = timezone.now()
    workload.save(
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
    _recompute(assessment, [workload])
    AssessmentEvent.objects.create(
        assessment=assessment,
        actor=actor,
        kind=EventKind.OVERRIDDEN,
        data={
            "workload": workload.vm_name,
            "computed": {"verdict": workload.verdict, "instance_type": workload.instance_type},
            "before": before,
            "chosen": {"verdict": verdict, "instance_type": instance_type, "region": region},
            "reason": reason,
        },
    )
    return workload


@transaction.atomic
def do_clear_override(actor: User, workload: Workload) -> Workload:
    assessment = workload.assessment
    access.check_can_edit(actor, assessment)
    if not workload.is_overridden:
        return workload
    workload.override_verdict = workload.override_instance_type = workload.override_region = ""
    workload.override_reason = ""
    workload.overridden_by = None
    workload.overridden_at = None
    workload.save(
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
    _recompute(assessment, [workload])
    AssessmentEvent.objects.create(
        assessment=assessment,
        actor=actor,
        kind=EventKind.OVERRIDE_CLEARED,
        data={"workload": workload.vm_name},
    )
    return workload


@transaction.atomic
def do_change_settings(actor: User, assessment: Assessment, **settings: Any) -> Assessment:
    """Change the what-if settings and recompute every workload (overrides are kept)."""
    access.check_can_edit(actor, assessment)
    unknown = set(settings) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a what-if setting: {sorted(unknown)}")
    # Two architects changing settings at once would each recompute with half of them.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    changed = {
        name: [str(getattr(locked, name)), str(value)]
        for name, value in settings.items()
        if getattr(locked, name) != value
    }
    for name, value in settings.items():
        setattr(assessment, name, value)
    assessment.full_clean(exclude=["customer", "architect", "project", "published_by"])
    assessment.save(update_fields=[*settings, "updated_at"])
    if changed:
        AssessmentEvent.objects.create(
            assessment=assessment, actor=actor, kind=EventKind.SETTINGS, data=changed
        )
    _recompute(assessment)
    return assessment
