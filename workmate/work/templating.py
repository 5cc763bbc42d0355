"""Project templates: keep what worked, start new projects and checklists from it.

Saving copies a project's sections, tasks and subtasks (any depth) with dates made
relative to an anchor date and assignees turned into roles. Using a template creates a
project (or, for a checklist, subtasks of an existing task) and records who used it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Membership, Team, TeamRole, User
from workmate.lib.workcalendar import WorkingHours
from workmate.work import services
from workmate.work.models import (
    AssigneeRole,
    Project,
    ProjectTemplate,
    ProjectTemplateVersion,
    Section,
    Task,
    TemplateSection,
    TemplateTask,
    TemplateUse,
)
from workmate.work.recurrence import next_working_day
from workmate.work.signals import project_template_used


def in_division(user: User) -> bool:
    """Whether a person belongs to the division: a member of some team, or an executive."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_executive or Membership.objects.filter(user=user).exists()


def templates_for(user: User) -> QuerySet[ProjectTemplate]:
    """Templates a person may see and use: every team's, for anyone in the division (reuse
    across teams is the point of keeping them); only their own for anyone else.

    Annotated with how often each was used, by people outside its team, and by whom
    last, in the same query.
    """
    last_use = TemplateUse.objects.filter(template=OuterRef("pk")).order_by("-used_at", "-pk")
    listing = ProjectTemplate.objects.all()
    if not in_division(user):
        listing = listing.filter(author=user)
    return (
        listing.select_related("team", "author")
        .annotate(
            use_count=Count("uses", distinct=True),
            outside_count=Count("uses", filter=Q(uses__by_outsider=True), distinct=True),
            last_used_by=Subquery(last_use.values("used_by__full_name")[:1]),
            last_used_at=Max("uses__used_at"),
        )
        .order_by("name", "pk")
    )


def get_template_for_user(user: User, pk: int) -> ProjectTemplate:
    template = templates_for(user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def _role_of(person_id: int | None, project: Project, lead_ids: set[int]) -> str:
    if person_id is None:
        return AssigneeRole.NONE
    if person_id == project.owner_id:
        return AssigneeRole.OWNER
    if person_id in lead_ids:
        return AssigneeRole.LEAD
    return AssigneeRole.NONE


def _offset(day: datetime.date | None, anchor: datetime.date | None) -> int | None:
    if day is None or anchor is None:
        return None
    return (day - anchor).days


def _snapshot(template: ProjectTemplate) -> dict:
    """What a template holds, as plain data kept with each version."""
    return {
        "sections": [
            {"id": item.pk, "name": item.name, "position": item.position}
            for item in template.sections.all()
        ],
        "tasks": [
            {
                "id": item.pk,
                "section": item.section_id,
                "parent": item.parent_id,
                "title": item.title,
                "description": item.description,
                "start_offset_days": item.start_offset_days,
                "due_offset_days": item.due_offset_days,
                "assignee_role": item.assignee_role,
                "priority": item.priority,
            }
            for item in template.tasks.all()
        ],
    }


def _copy_project(
    template: ProjectTemplate, project: Project, tasks: list[Task], anchor: datetime.date | None
) -> None:
    """Copy a project's sections and task tree into an (empty) template."""
    if anchor is None:
        earliest = project.tasks.aggregate(start=Min("start_on"), due=Min("due_on"))
        dates = [d for d in (earliest["start"], earliest["due"]) if d is not None]
        anchor = min(dates) if dates else None
    section_map: dict[int, TemplateSection] = {}
    if not template.is_checklist:
        for section in project.sections.all():
            section_map[section.pk] = TemplateSection.objects.create(
                template=template, name=section.name, position=section.position
            )
    lead_ids = set(
        Membership.objects.filter(team_id=project.team_id, role=TeamRole.LEAD).values_list(
            "user_id", flat=True
        )
    )
    children: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append(task)
    copies: dict[int, TemplateTask] = {}
    queue = list(children[None])
    while queue:
        task = queue.pop(0)
        copies[task.pk] = TemplateTask.objects.create(
            template=template,
            section=section_map.get(task.section_id) if task.section_id else None,
            parent=copies[task.parent_id] if task.parent_id else None,
            title=task.title,
            description=task.description,
            start_offset_days=_offset(task.start_on, anchor),
            due_offset_days=_offset(task.due_on, anchor),
            assignee_role=_role_of(task.assignee_id, project, lead_ids),
            priority=task.priority,
            position=task.position,
        )
        queue.extend(children[task.pk])


def _project_tasks(project: Project) -> list[Task]:
    tasks = list(project.tasks.order_by("position", "pk"))
    if not tasks:
        raise ValidationError(_("The project has no tasks to keep in a template."))
    return tasks


@transaction.atomic
def do_save_as_template(
    actor: User,
    project: Project,
    *,
    name: str,
    description: str = "",
    anchor: datetime.date | None = None,
    is_checklist: bool = False,
) -> ProjectTemplate:
    """Save a project as a template (its version 1).

    Steps: check the actor edits the project; take the anchor date (chosen, else the
    project's earliest start or due date); copy the sections; copy the tasks parents
    first, so any depth of subtasks keeps its tree; turn each assignee into a role
    (the owner → owner, a lead of the team → lead, anyone else → nobody). A checklist
    template keeps only the task tree (it has no sections). Version 1 keeps a snapshot.
    """
    services.check_can_edit(actor, project)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    tasks = _project_tasks(project)
    template = ProjectTemplate.objects.create(
        name=name,
        description=description.strip(),
        team=project.team,
        author=actor,
        source_project=project,
        is_checklist=is_checklist,
    )
    _copy_project(template, project, tasks, anchor)
    ProjectTemplateVersion.objects.create(
        template=template, number=1, author=actor, content=_snapshot(template)
    )
    return template


def can_version(user: User, template: ProjectTemplate) -> bool:
    """The author, a lead of the template's team or an executive may save a new version."""
    return (
        user.pk == template.author_id
        or user.is_executive
        or Membership.objects.filter(
            user=user, team_id=template.team_id, role=TeamRole.LEAD
        ).exists()
    )


@transaction.atomic
def do_save_new_version(
    actor: User,
    template: ProjectTemplate,
    project: Project,
    *,
    note: str = "",
    anchor: datetime.date | None = None,
) -> ProjectTemplateVersion:
    """Replace a template's content with a project's, as its next version.

    Steps: check the actor may version the template and edits the project; lock the
    template row (two people saving a version at once would both take the same number);
    drop the current sections and tasks, copy the project's; bump `version` and keep the
    new version's snapshot. Projects made earlier keep the number they were made from.
    """
    if not can_version(actor, template):
        raise PermissionDenied(_("Only the author or a lead of its team can save a new version."))
    services.check_can_edit(actor, project)
    tasks = _project_tasks(project)
    locked = ProjectTemplate.objects.select_for_update().get(pk=template.pk)
    locked.tasks.all().delete()
    locked.sections.all().delete()
    _copy_project(locked, project, tasks, anchor)
    locked.version += 1
    locked.source_project = project
    locked.save(update_fields=["version", "source_project"])
    template.version = locked.version
    return ProjectTemplateVersion.objects.create(
        template=locked,
        number=locked.version,
        author=actor,
        note=note.strip()[:300],
        content=_snapshot(locked),
    )


def _is_outsider(user: User, template: ProjectTemplate) -> bool:
    return not Membership.objects.filter(user=user, team_id=template.team_id).exists()


def _lead_of(team: Team) -> User | None:
    membership = (
        Membership.objects.filter(team=team, role=TeamRole.LEAD, user__is_active=True)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    return membership.user if membership else None


def _assignee_for(role: str, *, owner: User, actor: User, lead: User | None) -> User | None:
    if role == AssigneeRole.OWNER:
        return owner
    if role == AssigneeRole.CREATOR:
        return actor
    if role == AssigneeRole.LEAD:
        return lead
    return None


def _dates(
    item: TemplateTask, start: datetime.date, hours: WorkingHours
) -> tuple[datetime.date | None, datetime.date | None]:
    """A task's start and due dates: start + offsets, due moved off non-working days."""
    start_on = due_on = None
    if item.start_offset_days is not None:
        start_on = start + datetime.timedelta(days=item.start_offset_days)
    if item.due_offset_days is not None:
        due_on = next_working_day(hours, start + datetime.timedelta(days=item.due_offset_days))
    if start_on and due_on and start_on > due_on:
        start_on = due_on
    return start_on, due_on


def _create_tasks(
    items: list[TemplateTask],
    *,
    project: Project,
    actor: User,
    start: datetime.date,
    hours: WorkingHours,
    owner: User,
    lead: User | None,
    sections: dict[int, Section],
    root: Task | None = None,
) -> list[Task]:
    """Create the template's tasks parents first; top-level ones go under `root` if given."""
    children: dict[int | None, list[TemplateTask]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    created: dict[int, Task] = {}
    queue = list(children[None])
    while queue:
        item = queue.pop(0)
        start_on, due_on = _dates(item, start, hours)
        parent = created[item.parent_id] if item.parent_id else root
        task = Task.objects.create(
            project=project,
            section=sections.get(item.section_id) if item.section_id else None,
            parent=parent,
            title=item.title,
            description=item.description,
            assignee=_assignee_for(item.assignee_role, owner=owner, actor=actor, lead=lead),
            created_by=actor,
            start_on=start_on,
            due_on=due_on,
            priority=item.priority,
            position=item.position,
        )
        task.followers.add(actor)
        services._log(task, actor, "created")
        created[item.pk] = task
        queue.extend(children[item.pk])
    return list(created.values())


@transaction.atomic
def do_use_template(
    actor: User,
    template: ProjectTemplate,
    *,
    name: str,
    start_on: datetime.date,
    team: Team,
) -> Project:
    """Create a project from a template, starting on `start_on`, for one of the actor's teams.

    Due dates are the start date plus each task's offset; one that falls on a day off of
    the team's calendar moves to the next working day. Roles become people: owner and
    creator → the actor (who owns the new project), lead → the team's lead.
    """
    if template.is_checklist:
        raise ValidationError(_("A checklist is applied to a task, not used for a project."))
    # Lock the template while copying it: a new version saved meanwhile would otherwise
    # mix its content with the number of the old one.
    used_version = (
        ProjectTemplate.objects.select_for_update()
        .values_list("version", flat=True)
        .get(pk=template.pk)
    )
    project = services.do_create_project(actor, name=name, team=team)
    hours = team.working_hours(CompanyDayOff.objects.dates())
    sections = {
        item.pk: Section.objects.create(project=project, name=item.name, position=item.position)
        for item in template.sections.all()
    }
    _create_tasks(
        list(template.tasks.all()),
        project=project,
        actor=actor,
        start=start_on,
        hours=hours,
        owner=actor,
        lead=_lead_of(team),
        sections=sections,
    )
    TemplateUse.objects.create(
        template=template,
        used_by=actor,
        project=project,
        version=used_version,
        team=team,
        by_outsider=_is_outsider(actor, template),
    )
    project_template_used.send(
        sender=ProjectTemplate,
        instance=template,
        actor=actor,
        project=project,
        version=used_version,
    )
    return project


@transaction.atomic
def do_apply_checklist(
    actor: User, template: ProjectTemplate, task: Task, *, start_on: datetime.date | None = None
) -> list[Task]:
    """Add a checklist template's tasks to an existing task as its subtasks."""
    services.check_can_edit(actor, task.project)
    if not template.is_checklist:
        raise ValidationError({"template": _("Only a checklist template applies to a task.")})
    if not templates_for(actor).filter(pk=template.pk).exists():
        raise PermissionDenied(_("You cannot use that template."))
    project = Project.objects.select_related("team", "owner").get(pk=task.project_id)
    hours = project.team.working_hours(CompanyDayOff.objects.dates())
    start = start_on or task.start_on or task.due_on or timezone.localdate()
    created = _create_tasks(
        list(template.tasks.all()),
        project=project,
        actor=actor,
        start=start,
        hours=hours,
        owner=project.owner,
        lead=_lead_of(project.team),
        sections={},
        root=task,
    )
    TemplateUse.objects.create(
        template=template,
        used_by=actor,
        task=task,
        version=template.version,
        team=project.team,
        by_outsider=_is_outsider(actor, template),
    )
    services._log(task, actor, "changed", "subtasks", "", template.name)
    return created


# --- Adoption -------------------------------------------------------------------------


def monthly_counts(
    dates: list[datetime.datetime], *, months: int = 12, today: datetime.date | None = None
) -> list[tuple[datetime.date, int]]:
    """How many of `dates` fall in each of the last `months` calendar months (oldest first)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    starts = []
    for _step in range(months):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    starts.reverse()
    counts = dict.fromkeys(starts, 0)
    for moment in dates:
        month = timezone.localtime(moment).date().replace(day=1)
        if month in counts:
            counts[month] += 1
    return list(counts.items())


def bar_chart(series: list[tuple[datetime.date, int]], *, height: int = 60) -> list[dict]:
    """Bars for a small server-drawn SVG chart: x, y, height and label of each month."""
    peak = max((count for _month, count in series), default=0) or 1
    bars = []
    for index, (month, count) in enumerate(series):
        bar_height = round(count * height / peak)
        bars.append(
            {
                "x": index * 20 + 2,
                "y": height - bar_height,
                "height": bar_height,
                "count": count,
                "month": month,
            }
        )
    return bars


def adoption(template: ProjectTemplate, viewer: User) -> dict:
    """Who adopted a template: by team, over the last twelve months, every use with the
    version it was made from, and reuse by people outside the author's team apart.

    A project the viewer may not see is listed without its name. Three queries.
    """
    uses = list(
        template.uses.select_related("used_by", "team", "project", "task").order_by(
            "-used_at", "-pk"
        )
    )
    project_ids = {use.project_id for use in uses if use.project_id}
    visible = set(
        Project.objects.visible_to(viewer).filter(pk__in=project_ids).values_list("pk", flat=True)
    )
    by_team: dict[int | None, dict] = {}
    for use in uses:
        row = by_team.setdefault(
            use.team_id, {"team": use.team, "count": 0, "outside": 0, "older": 0}
        )
        row["count"] += 1
        row["outside"] += use.by_outsider
        row["older"] += use.version < template.version
        use.visible_project = use.project if use.project_id in visible else None
        use.is_older = use.version < template.version
    teams = sorted(
        by_team.values(), key=lambda row: (-row["count"], row["team"].code if row["team"] else "")
    )
    peak = max((row["count"] for row in teams), default=0) or 1
    for row in teams:
        row["percent"] = round(row["count"] * 100 / peak)
    series = monthly_counts([use.used_at for use in uses])
    return {
        "uses": uses,
        "teams": teams,
        "total": len(uses),
        "outside": sum(use.by_outsider for use in uses),
        "older": sum(use.is_older for use in uses),
        "bars": bar_chart(series),
        "versions": list(template.versions.select_related("author")),
    }
