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
from workmate.work import services, signals
from workmate.work.models import (
    AssigneeRole,
    Project,
    ProjectTemplate,
    Section,
    Task,
    TemplateSection,
    TemplateTask,
    TemplateUse,
)
from workmate.work.recurrence import next_working_day


def templates_for(user: User) -> QuerySet[ProjectTemplate]:
    """Templates a person may see and use: their teams' templates and their own.

    Annotated with how often each was used and by whom last, in the same query.
    """
    last_use = TemplateUse.objects.filter(template=OuterRef("pk")).order_by("-used_at", "-pk")
    return (
        ProjectTemplate.objects.filter(Q(team__members=user) | Q(author=user))
        .distinct()
        .select_related("team", "author")
        .annotate(
            use_count=Count("uses", distinct=True),
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
    """Save a project as a template.

    Steps: check the actor edits the project; take the anchor date (chosen, else the
    project's earliest start or due date); copy the sections; copy the tasks parents
    first, so any depth of subtasks keeps its tree; turn each assignee into a role
    (the owner → owner, a lead of the team → lead, anyone else → nobody). A checklist
    template keeps only the task tree (it has no sections).
    """
    services.check_can_edit(actor, project)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    tasks = list(project.tasks.order_by("position", "pk"))
    if not tasks:
        raise ValidationError(_("The project has no tasks to keep in a template."))
    if anchor is None:
        earliest = project.tasks.aggregate(start=Min("start_on"), due=Min("due_on"))
        dates = [d for d in (earliest["start"], earliest["due"]) if d is not None]
        anchor = min(dates) if dates else None
    template = ProjectTemplate.objects.create(
        name=name,
        description=description.strip(),
        team=project.team,
        author=actor,
        source_project=project,
        is_checklist=is_checklist,
    )
    section_map: dict[int, TemplateSection] = {}
    if not is_checklist:
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
    return template


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
    TemplateUse.objects.create(template=template, used_by=actor, project=project)
    signals.project_template_used.send(
        sender=ProjectTemplate, instance=template, actor=actor, project=project, version=None
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
    TemplateUse.objects.create(template=template, used_by=actor, task=task)
    services._log(task, actor, "changed", "subtasks", "", template.name)
    return created
