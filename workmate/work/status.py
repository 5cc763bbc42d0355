"""Written project status updates: posted by the owner on a cadence, reminded through the inbox.

A status update says how a project goes (on track / at risk / off track), in a few lines,
with the next milestone. The owner chooses how often (`StatusCadence`); when the last
update is older than that, the clock reminds the owner once, at a moment they are at work.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Membership, TeamRole, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify, profile_of
from workmate.lib.urls import reverse_ids
from workmate.work.models import (
    Project,
    ProjectHealth,
    ProjectStatusUpdate,
    StatusCadence,
)

DEFAULT_EVERY_DAYS = 7


def can_post(user: User, project: Project) -> bool:
    """The owner posts the update; a lead of the owning team may stand in."""
    if not user.is_authenticated or project.is_archived:
        return False
    return (
        project.owner_id == user.pk
        or Membership.objects.filter(
            user=user, team_id=project.team_id, role=TeamRole.LEAD
        ).exists()
    )


@transaction.atomic
def do_post_status_update(
    actor: User,
    project: Project,
    *,
    health: str,
    summary: str,
    next_milestone: str = "",
    every_days: int | None = None,
) -> ProjectStatusUpdate:
    """Post a status update; `every_days` (1–90) sets how often the owner is reminded."""
    if not can_post(actor, project):
        raise PermissionDenied(_("Only the project's owner or a lead of its team posts updates."))
    errors = {}
    if health not in ProjectHealth.values:
        errors["health"] = _("Choose on track, at risk or off track.")
    summary = summary.strip()
    if not summary:
        errors["summary"] = _("Write a few lines on how it goes.")
    if every_days is not None and not 1 <= every_days <= 90:
        errors["every_days"] = _("Choose between 1 and 90 days.")
    if errors:
        raise ValidationError(errors)
    update = ProjectStatusUpdate.objects.create(
        project=project,
        author=actor,
        health=health,
        summary=summary,
        next_milestone=next_milestone.strip()[:300],
    )
    if every_days is not None:
        StatusCadence.objects.update_or_create(project=project, defaults={"every_days": every_days})
    return update


def with_latest_update(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects annotated with their latest update's status, summary, milestone and time."""
    latest = ProjectStatusUpdate.objects.filter(project=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return projects.annotate(
        status_health=Subquery(latest.values("health")[:1]),
        status_summary=Subquery(latest.values("summary")[:1]),
        status_milestone=Subquery(latest.values("next_milestone")[:1]),
        status_at=Subquery(latest.values("created_at")[:1]),
    )


def next_update_due(project: Project, cadence: StatusCadence) -> datetime.datetime:
    """When the next update is due: `every_days` after the last one (or after the project
    started, when none was posted yet)."""
    since = getattr(project, "status_at", None) or project.created_at
    return since + datetime.timedelta(days=cadence.every_days)


def remind_status_updates(now: datetime.datetime) -> int:
    """Remind owners whose project's update is due, once per due date, while they work.

    Steps:
    1. Active projects with a cadence, with their latest update's time (one query).
    2. Skip those not yet due, and owners not at work now (their own working hours,
       holidays and company days off): the clock comes back next minute, so the reminder
       reaches them at the start of their next working time, not at 03:00.
    3. Notify the owner through the inbox; the dedupe key names the due date, so a
       repeated tick or a late worker writes it once.
    Returns how many notifications were written.
    """
    days_off = CompanyDayOff.objects.dates()
    projects = with_latest_update(
        Project.objects.active()
        .filter(status_cadence__isnull=False)
        .select_related("status_cadence", "owner__profile")
    )
    written = 0
    for project in projects:
        due = next_update_due(project, project.status_cadence)
        if due > now:
            continue
        owner = project.owner
        if not profile_of(owner).working_hours(days_off).is_working_at(now):
            continue
        with transaction.atomic():
            written += len(
                notify(
                    [owner],
                    Kind.CHECKIN,
                    title=lambda name=project.name: (
                        _("Status update due: %(name)s") % {"name": name}
                    ),
                    url=reverse_ids("work:project_status", project.pk),
                    group_key=f"project:{project.pk}",
                    dedupe_key=f"status-due:{project.pk}:{due.isoformat()}",
                )
            )
    return written
