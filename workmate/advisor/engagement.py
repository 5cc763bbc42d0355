"""The consulting engagement (issue 14 point 9): "start the migration project".

`do_start_migration_project` creates a Workmate project from a project template the
architect may use (or an empty one), adds one task per migration wave, each listing its
workloads, and links the project to the assessment both ways: the assessment keeps the
project, the project's description and every wave task link to the assessment.

`migration_waves` groups the workloads that are not excluded by their chosen verdict
(the override when there is one) and, for the ones that move, by environment, so
development moves before production:
1. retire (switch off, after the owners confirm);
2. rehost and relocate, development, then production;
3. replatform (managed databases);
4. repurchase, then refactor;
5. retain (stays on premises: documented, no move);
6. workloads without a verdict (unknown OS): to be resolved first.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workmate.accounts.models import Team, User
from workmate.advisor import access
from workmate.advisor.models import (
    Assessment,
    AssessmentEvent,
    Environment,
    EventKind,
    Readiness,
    Verdict,
    Workload,
)
from workmate.work import services as work_services
from workmate.work import templating
from workmate.work.models import Project, ProjectTemplate

# Names listed in one wave task's description; the rest are counted.
NAMES_PER_TASK = 300
# Days between the due dates of consecutive waves.
WAVE_DAYS = 14


@dataclasses.dataclass
class Wave:
    key: str
    title: str
    workloads: list[Workload]


def _wave_key(workload: Workload) -> tuple[int, str]:
    verdict = workload.chosen_verdict
    production = workload.environment != Environment.DEV
    if verdict == Verdict.RETIRE:
        return 1, "retire"
    if verdict in (Verdict.REHOST, Verdict.RELOCATE):
        return (3, "move-prod") if production else (2, "move-dev")
    if verdict == Verdict.REPLATFORM:
        return 4, "replatform"
    if verdict == Verdict.REPURCHASE:
        return 5, "repurchase"
    if verdict == Verdict.REFACTOR:
        return 6, "refactor"
    if verdict == Verdict.RETAIN:
        return 7, "retain"
    return 8, "unsized"


def _titles() -> dict[str, str]:
    return {
        "retire": _("Retire: confirm with the owners and switch off"),
        "move-dev": _("Rehost: development workloads"),
        "move-prod": _("Rehost: production workloads"),
        "replatform": _("Replatform: move the databases to managed services"),
        "repurchase": _("Repurchase: replace with a SaaS product"),
        "refactor": _("Refactor: rebuild for the cloud"),
        "retain": _("Retain: document what stays on premises"),
        "unsized": _("Resolve the workloads without a verdict (unknown OS)"),
    }


def migration_waves(assessment: Assessment) -> list[Wave]:
    """The waves of an assessment, in order, each with its workloads (see the docstring)."""
    groups: dict[tuple[int, str], list[Workload]] = {}
    for workload in assessment.workloads.exclude(readiness=Readiness.EXCLUDED).order_by(
        "vm_name", "vcenter", "pk"
    ):
        groups.setdefault(_wave_key(workload), []).append(workload)
    titles = _titles()
    waves = []
    for number, (_order, key) in enumerate(sorted(groups), start=1):
        title = _("Wave %(number)d · %(title)s (%(count)d)") % {
            "number": number,
            "title": titles[key],
            "count": len(groups[(_order, key)]),
        }
        waves.append(Wave(key=key, title=title, workloads=groups[(_order, key)]))
    return waves


def _wave_description(wave: Wave, assessment_url: str) -> str:
    lines = [_("From the assessment: %(url)s") % {"url": assessment_url}, ""]
    for workload in wave.workloads[:NAMES_PER_TASK]:
        target = " → ".join(
            part for part in (workload.chosen_instance_type, workload.chosen_region) if part
        )
        lines.append(f"- {workload.vm_name}" + (f" ({target})" if target else ""))
    more = len(wave.workloads) - NAMES_PER_TASK
    if more > 0:
        lines.append(_("- … and %(count)d more (see the assessment)") % {"count": more})
    return "\n".join(lines)


@transaction.atomic
def do_start_migration_project(
    actor: User,
    assessment: Assessment,
    *,
    name: str,
    team: Team,
    start_on: datetime.date,
    template: ProjectTemplate | None = None,
) -> Project:
    """Create the migration project with a task per wave, linked to the assessment."""
    access.check_can_edit(actor, assessment)
    if template is not None and not templating.templates_for(actor).filter(pk=template.pk).exists():
        raise PermissionDenied(_("You cannot use that template."))
    # Two clicks at once would start two projects for one assessment.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.project_id is not None:
        raise ValidationError(_("The migration project of this assessment is already started."))
    waves = migration_waves(assessment)
    if not waves:
        raise ValidationError(_("There are no workloads to migrate yet: import an inventory."))
    url = settings.SITE_URL.rstrip("/") + assessment.get_absolute_url()
    if template is not None:
        project = templating.do_use_template(
            actor, template, name=name, start_on=start_on, team=team
        )
        project.description = "\n\n".join(
            part for part in (project.description, _("Assessment: %(url)s") % {"url": url}) if part
        )
        project.save(update_fields=["description"])
    else:
        project = work_services.do_create_project(
            actor, name=name, team=team, description=_("Assessment: %(url)s") % {"url": url}
        )
    section = work_services.do_create_section(actor, project, name=_("Migration waves"))
    for number, wave in enumerate(waves, start=1):
        work_services.do_create_task(
            actor,
            project,
            title=wave.title[:300],
            description=_wave_description(wave, url),
            section=section,
            due_on=start_on + datetime.timedelta(days=WAVE_DAYS * number),
        )
    assessment.project = project
    assessment.save(update_fields=["project", "updated_at"])
    AssessmentEvent.objects.create(
        assessment=assessment,
        actor=actor,
        kind=EventKind.PROJECT_STARTED,
        data={"project": project.pk, "waves": len(waves)},
    )
    return project
