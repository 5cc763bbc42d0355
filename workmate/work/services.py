"""Every change to work goes through here: views and the API call the same functions.

`check_*` validates and checks rights; `do_*` writes. Writes run in a transaction and
record a readable line of history on the task.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Membership, Team, TeamRole, User
from workmate.accounts.templatetags.workmate import when
from workmate.inbox import services as inbox
from workmate.inbox.models import Kind
from workmate.lib.mentions import Directory, Mentionable, canonical, mentioned_ids
from workmate.lib.prepared import PreparedQuery
from workmate.lib.workcalendar import add_working_time
from workmate.work import signals
from workmate.work.models import (
    Activity,
    Attachment,
    Comment,
    Dependency,
    Project,
    ProjectMember,
    ProjectRole,
    RequestState,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

DEFAULT_REPLY_BY_HOURS = 8


class VersionConflict(Exception):
    """The task changed since the client read it (optimistic concurrency)."""

    def __init__(self, current: Task) -> None:
        super().__init__(f"Task {current.pk} is at version {current.version}.")
        self.current = current


# --- Access -------------------------------------------------------------------------


def can_view_project(user: User, project: Project) -> bool:
    return Project.objects.visible_to(user).filter(pk=project.pk).exists()


def check_can_see(person: User, project: Project, field: str = "assignee") -> None:
    """Refuse to give or ask work of someone who cannot see the task's project: the link in
    their inbox would be a 404 (and the inbox hides what its reader may not see)."""
    if not Project.objects.visible_to(person).filter(pk=project.pk).exists():
        raise ValidationError(
            {
                field: _(
                    "%(name)s cannot see this project: share it with them or choose "
                    "someone who can."
                )
                % {"name": person.full_name}
            }
        )


def can_edit_project(user: User, project: Project) -> bool:
    """Editors: project editors, the owner, and leads of the owning team."""
    if not user.is_authenticated or project.is_archived:
        return False
    if project.owner_id == user.pk:
        return True
    member = ProjectMember.objects.filter(project=project, user=user)
    role = member.values_list("role", flat=True).first()
    if role == ProjectRole.EDITOR:
        return True
    # One membership a team and person (a unique constraint): lead, member or none.
    in_team = Membership.objects.filter(team_id=project.team_id, user=user)
    team_role = in_team.values_list("role", flat=True).first()
    return _may_edit(project, role, team_role)


def _may_edit(project: Project, role: str | None, team_role: str | None) -> bool:
    """`can_edit_project`'s rule once the viewer's project and team roles are known (and
    they are neither the owner nor is the project archived)."""
    if role == ProjectRole.EDITOR:
        return True
    if team_role == TeamRole.LEAD:
        return True
    if role == ProjectRole.VIEWER:
        # A teammate made a viewer on purpose only reads, whatever the team default says.
        return False
    # Teammates may edit team-visible projects; org-wide projects are read-only to outsiders.
    return project.visibility != Visibility.PRIVATE and team_role is not None


def get_project_for_user(user: User, pk: int) -> Project:
    project = Project.objects.visible_to(user).select_related("team", "owner").filter(pk=pk).first()
    if project is None:
        raise Http404("No such project.")
    return project


@dataclass(frozen=True)
class ProjectRights:
    """What the viewer may do on a project: `can_edit_project` and `can_manage_project`."""

    can_edit: bool
    can_manage: bool


def _project_and_roles(user: int, project: int) -> QuerySet[Project]:
    """The project `user` may see with the given id, each column of it, of its team and
    of its owner (as `select_related`), then the viewer's project role and team role."""
    viewer = User(pk=user)
    roles = ProjectMember.objects.filter(project=OuterRef("pk"), user=viewer).values("role")
    team_roles = Membership.objects.filter(team=OuterRef("team_id"), user=viewer).values("role")
    found = (
        Project.objects.visible_to(viewer)
        .filter(pk=project)
        .annotate(viewer_role=Subquery(roles[:1]), viewer_team_role=Subquery(team_roles[:1]))
        .order_by()
    )
    return found.values_list(*_PROJECT_COLUMNS, "viewer_role", "viewer_team_role")


_PROJECT_ATTNAMES = [field.attname for field in Project._meta.concrete_fields]
_TEAM_ATTNAMES = [field.attname for field in Team._meta.concrete_fields]
_OWNER_ATTNAMES = [field.attname for field in User._meta.concrete_fields]
_PROJECT_COLUMNS = [
    *_PROJECT_ATTNAMES,
    *[f"team__{name}" for name in _TEAM_ATTNAMES],
    *[f"owner__{name}" for name in _OWNER_ATTNAMES],
]
# Its SQL built once per connection (workmate.lib.prepared): the viewer and the project
# are parameters of each run, so nothing is kept but the SQL text.
PREPARED_PROJECT = PreparedQuery(_project_and_roles, user="id", project="id")


def get_project_and_rights(user: User, pk: int) -> tuple[Project, ProjectRights]:
    """`get_project_for_user` and the viewer's rights on it from one query: their project
    role and team role read as subqueries of it (the project page asked for each in a
    query of its own), its SQL prepared. Read on each call, never kept."""
    if not user.is_authenticated:
        raise Http404("No such project.")
    found = PREPARED_PROJECT.rows(user=user.pk, project=pk)
    if not found:
        raise Http404("No such project.")
    row = found[0]
    ends = len(_PROJECT_ATTNAMES), len(_PROJECT_ATTNAMES) + len(_TEAM_ATTNAMES)
    project = Project.from_db(DEFAULT_DB_ALIAS, _PROJECT_ATTNAMES, row[: ends[0]])
    team = Team.from_db(DEFAULT_DB_ALIAS, _TEAM_ATTNAMES, row[ends[0] : ends[1]])
    owner = User.from_db(DEFAULT_DB_ALIAS, _OWNER_ATTNAMES, row[ends[1] : -2])
    Project.team.field.set_cached_value(project, team)
    Project.owner.field.set_cached_value(project, owner)
    role, team_role = row[-2:]
    owns = project.owner_id == user.pk
    can_edit = not project.is_archived and (owns or _may_edit(project, role, team_role))
    can_manage = owns or team_role == TeamRole.LEAD
    return project, ProjectRights(can_edit=can_edit, can_manage=can_manage)


def get_task_for_user(user: User, pk: int) -> Task:
    task = (
        Task.objects.visible_to(user)
        .select_related("project", "section", "assignee", "parent", "created_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


def check_can_edit(user: User, project: Project) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(_("You can look at this project but not change it."))


# What the people asked to do a task may change on it, whatever their project role.
WORK_FIELDS = frozenset({"status"})


def can_work_on(user: User, task: Task) -> bool:
    """Whether `user` may do the work of `task`: change its status, add subtasks under it,
    log time on it and attach files to it.

    The project's editors may; so may the task's assignee and the people of an open
    request on it (the one asked and the one who asked), on the task and its subtasks,
    whatever their role in the project: someone asked for a review on another team's
    project must be able to finish it. Everything else (title, moving, deleting, the
    project itself) still follows `can_edit_project`. Seeing the task is checked before,
    by `get_task_for_user`.
    """
    if not user.is_authenticated or task.project.is_archived:
        return False
    # The task and its ancestors: asked to do a task, one does its subtasks too.
    chain = [task.pk]
    if task.assignee_id == user.pk:
        return True
    parent_id = task.parent_id
    while parent_id is not None and parent_id not in chain:
        chain.append(parent_id)
        parent = Task.objects.filter(pk=parent_id).values("assignee_id", "parent_id").first()
        if parent is None:
            break
        if parent["assignee_id"] == user.pk:
            return True
        parent_id = parent["parent_id"]
    asked = WorkRequest.objects.open().filter(task_id__in=chain)
    if asked.filter(Q(assignee=user) | Q(requester=user)).exists():
        return True
    return can_edit_project(user, task.project)


def check_can_work_on(user: User, task: Task) -> None:
    if not can_work_on(user, task):
        raise PermissionDenied(_("You can look at this task but not work on it."))


# --- Reply-by --------------------------------------------------------------------------


def reply_by_for(
    assignee: User, sent_at: datetime.datetime, project: Project | None = None
) -> datetime.datetime:
    """The default reply-by: N working hours of the assignee's own calendar after sending.

    N is the project team's setting (default 8), so a request sent at 18:50 on a Friday
    to someone in Seoul is due on Monday, and public holidays are skipped.
    """
    hours = project.team.reply_by_hours if project is not None else DEFAULT_REPLY_BY_HOURS
    calendar = assignee.profile.working_hours(CompanyDayOff.objects.dates())
    return add_working_time(calendar, sent_at, datetime.timedelta(hours=hours))


class ReplyByOutsideWorkingTime(ValidationError):
    """A chosen reply-by the assignee is not working at; `offer` is their next working moment."""

    def __init__(self, message: str, offer: datetime.datetime) -> None:
        super().__init__({"reply_by": message})
        self.offer = offer


def check_reply_by(
    assignee: User, reply_by: datetime.datetime, now: datetime.datetime | None = None
) -> datetime.datetime:
    """A reply-by chosen by the requester, refused unless it is in the assignee's working time.

    Refused rather than moved: a deadline changed behind the requester's back is one they
    did not set. The error offers the next working moment, which the form puts in the field
    for one more click (the API's 422 says it too). The end of a working day counts ("by
    18:00"), as `add_working_time` gives it.
    """
    now = now or timezone.now()
    if timezone.is_naive(reply_by):
        # A time without an offset is read in the requester's own zone, as the form shows it.
        reply_by = timezone.make_aware(reply_by)
    if reply_by <= now:
        raise ValidationError({"reply_by": _("The reply-by must be in the future.")})
    calendar = assignee.profile.working_hours(CompanyDayOff.objects.dates())
    just_before = reply_by - datetime.timedelta(microseconds=1)
    if calendar.is_working_at(reply_by) or calendar.is_working_at(just_before):
        return reply_by
    offer = calendar.next_working_moment(reply_by)
    message = _(
        "%(when)s is outside %(name)s's working hours. Their next working moment is "
        "%(offer)s: choose that or another time when they work."
    ) % {
        "when": when(timezone.localtime(reply_by)),
        "name": assignee.full_name,
        "offer": when(timezone.localtime(offer)),
    }
    raise ReplyByOutsideWorkingTime(message, offer)


# --- Notifications -----------------------------------------------------------------------


def _notify(
    recipients: Iterable[User],
    kind: str,
    actor: User | None,
    task: Task,
    *,
    excerpt: str = "",
    urgent_reason: str = "",
    dedupe_key: str = "",
) -> None:
    """Tell people about a change to a task, in the transaction that made the change."""
    inbox.notify(
        recipients,
        kind,
        actor=actor,
        task=task,
        title=task.title,
        url=task.get_absolute_url(),
        group_key=f"task:{task.pk}",
        excerpt=excerpt,
        urgent_reason=urgent_reason,
        dedupe_key=dedupe_key,
    )


def _notify_unblocked(actor: User | None, blockers_done: Iterable[Task]) -> None:
    """Tell the assignees of tasks that waited on `blockers_done` and now wait on nothing."""
    waiting = (
        Task.objects.filter(dependencies__blocked_by__in=list(blockers_done))
        .exclude(status=TaskStatus.DONE)
        .exclude(
            Exists(
                Dependency.objects.filter(task=OuterRef("pk")).exclude(
                    blocked_by__status=TaskStatus.DONE
                )
            )
        )
        .filter(assignee__isnull=False)
        .select_related("assignee")
        .distinct()
    )
    for task in waiting:
        _notify([task.assignee], Kind.UNBLOCKED, actor, task)


# --- History ---------------------------------------------------------------------------


def _log(task: Task, actor: User | None, verb: str, field: str = "", old="", new="") -> None:
    Activity.objects.create(
        task=task,
        actor=actor,
        verb=verb,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
    )


def _display(task: Task, field: str, value: object) -> str:
    """The value as history keeps it: names for people and places, codes for choices.

    A status or priority is kept as its code ("done", "2") and named when the history
    is shown, in the reader's language (work/views/tasks.py `describe_activity`).
    """
    if value is None:
        return ""
    if field in {"status", "priority"}:
        return str(value)
    if isinstance(value, User):
        return value.full_name
    if isinstance(value, Section | Project | Task):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --- Tasks -----------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "title",
    "description",
    "section",
    "parent",
    "assignee",
    "start_on",
    "due_on",
    "due_at",
    "priority",
    "status",
)


@transaction.atomic
def do_create_task(
    actor: User,
    project: Project,
    *,
    title: str,
    request_message: str = "",
    request_reply_by: datetime.datetime | None = None,
    urgent_reason: str = "",
    tags: list[str] | None = None,
    **fields: object,
) -> Task:
    """Add a task at the end of its list; `tags` names its tags (missing ones are made).

    A subtask may also be added by whoever may work on its parent (`can_work_on`).
    """
    parent = fields.get("parent")
    if isinstance(parent, Task) and parent.project_id == project.pk:
        check_can_work_on(actor, parent)
    else:
        check_can_edit(actor, project)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the task a title.")})
    task = Task(project=project, created_by=actor, title=title)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"Unknown task field {name!r}")
        setattr(task, name, value)
    _check_relations(task)
    if task.assignee_id and task.assignee_id != actor.pk:
        check_can_see(task.assignee, project)
    task.description, described = _description_mentions(task, task.description)
    if task.status == TaskStatus.DONE:
        task.completed_at = timezone.now()
    last = (
        Task.objects.filter(project=project, section=task.section, parent=task.parent)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    task.position = (last or 0) + 1
    task.full_clean(exclude=["created_by", "project"])
    task.save()
    task.followers.add(actor)
    if tags:
        _set_tags(task, tags)
    _log(task, actor, "created")
    _tell_newly_mentioned(actor, task, described, "")
    if task.assignee_id and task.assignee_id != actor.pk and not request_message.strip():
        # A plain assignment says so in the history; a request says "asked … to take this on".
        _log(task, actor, "changed", "assignee", "", task.assignee.full_name)
    _hand_over(
        actor,
        task,
        task.assignee if task.assignee_id != actor.pk else None,
        request_message,
        urgent_reason,
        reply_by=request_reply_by,
    )
    signals.task_created.send(sender=Task, instance=task, actor=actor)
    return task


def _check_relations(task: Task) -> None:
    if task.section_id and task.section.project_id != task.project_id:
        raise ValidationError({"section": _("That section belongs to another project.")})
    if task.parent_id:
        if task.parent.project_id != task.project_id:
            raise ValidationError({"parent": _("A subtask belongs to its parent's project.")})
        ancestor: Task | None = task.parent
        while ancestor is not None:
            if ancestor.pk == task.pk:
                raise ValidationError({"parent": _("A task cannot be inside its own subtask.")})
            ancestor = ancestor.parent
    if task.assignee_id and not task.assignee.is_active:
        raise ValidationError({"assignee": _("That person can no longer be assigned work.")})


@transaction.atomic
def do_update_task(
    actor: User,
    task: Task,
    changes: dict[str, object],
    *,
    expected_version: int | None = None,
    request_message: str = "",
    request_reply_by: datetime.datetime | None = None,
    urgent_reason: str = "",
    tags: list[str] | None = None,
) -> Task:
    """Apply `changes` to a task, recording each changed field in its history.

    `tags`, when given, is the task's complete new list of tag names (missing tags are made).

    Steps: lock the row (two editors saving at once must not lose one change); refuse a
    stale version; apply and validate; save the changed fields and bump the version;
    a new assignee other than the actor is asked (with `request_message`) or plainly
    assigned (without), see `_hand_over`. A change of status alone may be made
    by whoever may work on the task (`can_work_on`); anything else needs an editor.
    """
    if tags is None and changes and set(changes) <= WORK_FIELDS:
        check_can_work_on(actor, task)
    else:
        check_can_edit(actor, task.project)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    changed: list[tuple[str, object, object]] = []
    described: list[User] = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"Unknown task field {name!r}")
        old = getattr(locked, name)
        if name == "description" and isinstance(value, str) and value != old:
            value, described = _description_mentions(locked, value)
        if name == "title" and isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValidationError({"title": _("Give the task a title.")})
        if old != value:
            setattr(locked, name, value)
            changed.append((name, old, value))
    retag = tags is not None and _tags_differ(locked, tags)
    if (request_message.strip() or request_reply_by is not None) and not any(
        name == "assignee" and new not in (None, actor) for name, _old, new in changed
    ):
        # Said before anything is saved: a request goes with a new assignee (or "Ask").
        _hand_over(actor, locked, None, request_message, reply_by=request_reply_by)
    if not changed and not retag:
        return locked
    _check_relations(locked)
    assignee_change = next((c for c in changed if c[0] == "assignee"), None)
    if assignee_change and assignee_change[2] not in (None, actor):
        check_can_see(assignee_change[2], locked.project)  # type: ignore[arg-type]
    update_fields = [name for name, _old, _new in changed]
    status_change = next((c for c in changed if c[0] == "status"), None)
    if status_change:
        if status_change[2] == TaskStatus.DONE:
            locked.completed_at = timezone.now()
        elif status_change[1] == TaskStatus.DONE:
            locked.completed_at = None
        update_fields.append("completed_at")
    locked.full_clean(exclude=["created_by", "project"])
    locked.version += 1
    locked.save(update_fields=[*update_fields, "version", "updated_at"])
    if retag:
        _log(locked, actor, "changed", "tags", *_set_tags(locked, tags or []))
    for name, old, new in changed:
        verb = "changed"
        if name == "status" and new == TaskStatus.DONE:
            verb = "completed"
        elif name == "status" and old == TaskStatus.DONE:
            verb = "reopened"
        _log(locked, actor, verb, name, _display(locked, name, old), _display(locked, name, new))
    signals.task_updated.send(
        sender=Task, instance=locked, actor=actor, changes=changed, retagged=retag
    )
    description_change = next((c for c in changed if c[0] == "description"), None)
    if description_change:
        _tell_newly_mentioned(actor, locked, described, str(description_change[1]))
    new_assignee = assignee_change[2] if assignee_change else None
    _hand_over(
        actor,
        locked,
        new_assignee if new_assignee != actor else None,  # type: ignore[arg-type]
        request_message,
        urgent_reason,
        reply_by=request_reply_by,
    )
    if status_change and status_change[2] == TaskStatus.DONE:
        # Completing a recurring task creates its next occurrence (imported here: a cycle).
        from workmate.voice import leads as voice_leads
        from workmate.work import recurrence

        recurrence.on_completed(actor, locked)
        voice_leads.on_task_completed(locked, actor)  # A proposal follows its task to done.
        _notify_unblocked(actor, [locked])
        _close_requests_by_completion(actor, locked)
        signals.task_completed.send(
            sender=Task, instance=locked, actor=actor, on_time=_met_due_date(locked)
        )
    return locked


def _met_due_date(task: Task) -> bool | None:
    """Whether a task completed by its due time (or on its due date); None without one."""
    if task.completed_at is None:
        return None
    if task.due_at is not None:
        return task.completed_at <= task.due_at
    if task.due_on is not None:
        return timezone.localdate(task.completed_at) <= task.due_on
    return None


def _close_requests_by_completion(actor: User, task: Task) -> None:
    """Completing a task answers the open requests on it asked of whoever completes it or of
    its assignee: the work asked for is done, so they leave "waiting for my reply" and their
    reminders stop; the requester is told as by any reply. Requests asked of others (a
    review) stay open, and reopening the task does not reopen them."""
    asked = {actor.pk, task.assignee_id} - {None}
    now = timezone.now()
    for request in (
        WorkRequest.objects.open()
        .select_for_update()
        .select_related("requester")
        .filter(task=task, assignee_id__in=asked)
    ):
        with translation.override(request.requester.language):
            answer = _("Completed the task.")
        request.state = RequestState.ANSWERED
        request.answer = answer
        request.closed_at = now
        request.acknowledged_at = request.acknowledged_at or now
        request.save(update_fields=["state", "answer", "closed_at", "acknowledged_at"])
        _notify([request.requester], Kind.REPLY, actor, task, excerpt=answer)
        signals.request_answered.send(
            sender=WorkRequest, instance=request, actor=actor, in_time=now <= request.reply_by
        )


def do_complete_task(actor: User, task: Task) -> Task:
    return do_update_task(actor, task, {"status": TaskStatus.DONE})


def do_move_task(
    actor: User,
    task: Task,
    *,
    section: Section | None,
    before: Task | None = None,
    expected_version: int | None = None,
) -> Task:
    """Move a task to a section, placing it before `before` (or last), renumbering the column.

    Steps: lock the task and its new column (two people dragging cards in one column at
    once must not both number from the same picture); refuse a stale version; refuse a
    `before` that is not in that column, since the mover's board is out of date;
    renumber the column 1..n with the task in its new place, writing only the rows whose
    number changed; bump the task's version and record a change of section in its history.
    """
    check_can_edit(actor, task.project)
    with transaction.atomic():
        if section is not None and section.project_id != task.project_id:
            raise ValidationError({"section": _("That section belongs to another project.")})
        locked = (
            Task.objects.select_for_update(of=("self",)).select_related("section").get(pk=task.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise VersionConflict(locked)
        # A subtask moves among its parent's subtasks; a top-level task among the column's.
        siblings = list(
            Task.objects.select_for_update()
            .filter(project_id=locked.project_id, section=section, parent_id=locked.parent_id)
            .exclude(pk=locked.pk)
            .order_by("position", "pk")
        )
        index = len(siblings)
        if before is not None:
            index = next((i for i, s in enumerate(siblings) if s.pk == before.pk), -1)
            if index < 0:
                raise ValidationError(
                    {"before": _("That task has moved meanwhile. Look at the board again.")},
                    code="stale",
                )
        ordered = [*siblings[:index], locked, *siblings[index:]]
        new_position = index + 1
        old_section = locked.section
        in_place = all(item.position == n for n, item in enumerate(ordered, start=1))
        if old_section == section and in_place:
            # Already there and numbered so: nothing changes, nothing to record.
            return locked
        renumbered = []
        for position, item in enumerate(ordered, start=1):
            if item.pk != locked.pk and item.position != position:
                item.position = position
                renumbered.append(item)
        Task.objects.bulk_update(renumbered, ["position"])
        locked.section = section
        locked.position = new_position
        locked.version += 1
        locked.save(update_fields=["section", "position", "version", "updated_at"])
        if old_section != section:
            _log(
                locked,
                actor,
                "changed",
                "section",
                _display(locked, "section", old_section),
                _display(locked, "section", section),
            )
            signals.task_moved.send(
                sender=Task, instance=locked, actor=actor, old_section=old_section
            )
        return locked


# The changes the list page's bulk action bar can make.
BULK_FIELDS = ("status", "section", "assignee")


@transaction.atomic
def do_bulk_update(
    actor: User, tasks: Iterable[Task], changes: dict[str, object], *, request_message: str = ""
) -> int:
    """Make the same change to many tasks at once (complete, move, assign); how many changed.

    Steps: allow only the bulk fields; check the actor may edit every task's project before
    writing anything; lock the tasks (a concurrent edit must not be overwritten) and note
    their versions; update each through `do_update_task`, so each gets one version bump and
    its own history. Assigning to someone else is a plain assignment (told in their inbox)
    unless `request_message` is given: then each task they newly get is a request with that
    message and the reply-by proposed from their working hours (`_hand_over`). One
    transaction: a task that fails validation rolls the whole batch back.
    """
    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ValueError(f"Bulk updates cannot change {sorted(unknown)!r}")
    tasks = list(tasks)
    for project in {task.project_id: task.project for task in tasks}.values():
        check_can_edit(actor, project)
    locked = {
        pk: (version, assignee_id)
        for pk, version, assignee_id in Task.objects.select_for_update()
        .filter(pk__in=[task.pk for task in tasks])
        .values_list("pk", "version", "assignee_id")
    }
    assignee = changes.get("assignee")
    if request_message.strip() and (assignee is None or assignee == actor):
        raise ValidationError(
            {"request_message": _("A request needs someone to go to: choose who you ask.")}
        )
    changed = 0
    for task in tasks:
        # Only the tasks that go to them are asked; one already theirs is left as it is.
        version, assignee_id = locked[task.pk]
        message = request_message if assignee_id != getattr(assignee, "pk", None) else ""
        updated = do_update_task(actor, task, changes, request_message=message)
        if updated.version != version:
            changed += 1
    return changed


# --- Dependencies ----------------------------------------------------------------------


def would_cycle(task: Task, blocked_by: Task) -> bool:
    """Whether making `task` wait on `blocked_by` closes a loop.

    Steps: walk from `blocked_by` along its own "blocked by" edges, a level at a time;
    reaching `task` means `blocked_by` already (indirectly) waits on `task`.
    """
    if task.pk == blocked_by.pk:
        return True
    seen: set[int] = set()
    frontier = {blocked_by.pk}
    while frontier:
        if task.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Dependency.objects.filter(task_id__in=frontier).values_list(
                    "blocked_by_id", flat=True
                )
            )
            - seen
        )
    return False


@transaction.atomic
def do_add_dependency(actor: User, task: Task, blocked_by: Task) -> Dependency:
    check_can_edit(actor, task.project)
    if not Task.objects.visible_to(actor).filter(pk=blocked_by.pk).exists():
        raise ValidationError({"blocked_by": _("You cannot see that task.")})
    # Lock the task so two people adding opposite edges at once cannot both pass the check.
    Task.objects.select_for_update().filter(pk__in=[task.pk, blocked_by.pk]).order_by("pk").count()
    if would_cycle(task, blocked_by):
        raise ValidationError(
            {"blocked_by": _("That would make the tasks wait on each other in a loop.")}
        )
    dependency, created = Dependency.objects.get_or_create(task=task, blocked_by=blocked_by)
    if created:
        _log(task, actor, "blocked_by", "blocked_by", "", str(blocked_by))
    return dependency


@transaction.atomic
def do_remove_dependency(actor: User, task: Task, blocked_by: Task) -> None:
    check_can_edit(actor, task.project)
    deleted, _rows = Dependency.objects.filter(task=task, blocked_by=blocked_by).delete()
    if deleted:
        _log(task, actor, "unblocked", "blocked_by", str(blocked_by), "")
        if task.assignee_id and task.status != TaskStatus.DONE and not is_blocked(task):
            _notify([task.assignee], Kind.UNBLOCKED, actor, task)


def is_blocked(task: Task) -> bool:
    return task.dependencies.exclude(blocked_by__status=TaskStatus.DONE).exists()


# --- Requests --------------------------------------------------------------------------


def _hand_over(
    actor: User,
    task: Task,
    assignee: User | None,
    message: str,
    urgent_reason: str = "",
    *,
    reply_by: datetime.datetime | None = None,
) -> WorkRequest | None:
    """Give a task to a new assignee other than the actor: a request when a message says
    what is asked, a plain assignment otherwise.

    The one rule for every way of assigning (the web's forms, the list's bulk assign, the
    API): a request is a written ask with a reply-by, so one without a message is not made
    (the requests list would show "message —"). A plain assignment is told to the person
    through the inbox ("assigned to you") and leaves no request row. A reply-by without a
    message is refused: it belongs to a request. With no new assignee, a message or
    reply-by has no one to go to and is refused too.
    """
    message = message.strip()
    if assignee is None:
        if message or reply_by is not None:
            raise ValidationError(
                {"assignee": _("A request needs someone to go to: choose who you ask.")}
            )
        return None
    if message:
        return _send_request(actor, task, assignee, message, urgent_reason, reply_by=reply_by)
    if reply_by is not None:
        raise ValidationError(
            {"request_message": _("A reply-by belongs to a request: say what you ask of them.")}
        )
    task.followers.add(assignee)
    _notify([assignee], Kind.ASSIGNED, actor, task, urgent_reason=urgent_reason)
    return None


def _send_request(
    actor: User,
    task: Task,
    assignee: User,
    message: str,
    urgent_reason: str = "",
    *,
    reply_by: datetime.datetime | None = None,
    reassign: bool = True,
) -> WorkRequest:
    """Write the request and tell the person asked; a chosen `reply_by` is checked first."""
    now = timezone.now()
    if reply_by is not None:
        reply_by = check_reply_by(assignee, reply_by, now)
    request = WorkRequest.objects.create(
        task=task,
        requester=actor,
        assignee=assignee,
        message=message.strip(),
        reply_by=reply_by or reply_by_for(assignee, now, task.project),
        created_at=now,
    )
    task.followers.add(actor, assignee)
    _log(task, actor, "requested" if reassign else "asked", "assignee", "", assignee.full_name)
    _notify(
        [assignee], Kind.REQUEST, actor, task, excerpt=request.message, urgent_reason=urgent_reason
    )
    signals.request_sent.send(sender=WorkRequest, instance=request, actor=actor)
    return request


@transaction.atomic
def do_send_request(
    actor: User,
    task: Task,
    assignee: User,
    *,
    message: str = "",
    reply_by: datetime.datetime | None = None,
    urgent_reason: str = "",
    reassign: bool = True,
) -> WorkRequest:
    """Ask someone in writing about a task: the "Ask" action and the API's request.

    With `reassign` they become its assignee (editors only); without, they are asked for a
    reply (a review, an answer) and the assignee stays, which whoever may work on the task
    may do. The message says what is asked: it is required.
    """
    if reassign:
        check_can_edit(actor, task.project)
    else:
        check_can_work_on(actor, task)
    if assignee == actor:
        raise ValidationError({"assignee": _("A request goes to someone else.")})
    if not message.strip():
        raise ValidationError({"message": _("Say what you ask of them.")})
    check_can_see(assignee, task.project)
    if reassign and task.assignee_id != assignee.pk:
        Task.objects.filter(pk=task.pk).update(assignee=assignee, version=task.version + 1)
        _log(
            task,
            actor,
            "changed",
            "assignee",
            _display(task, "assignee", task.assignee),
            assignee.full_name,
        )
        task.refresh_from_db()
    return _send_request(
        actor, task, assignee, message, urgent_reason, reply_by=reply_by, reassign=reassign
    )


def get_request_for_user(user: User, pk: int) -> WorkRequest:
    request = (
        WorkRequest.objects.select_related("task", "task__project", "requester", "assignee")
        .filter(Q(assignee=user) | Q(requester=user), pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    return request


def _lock_open_request(actor: User, request: WorkRequest) -> WorkRequest:
    locked = WorkRequest.objects.select_for_update().select_related("task").get(pk=request.pk)
    if locked.assignee_id != actor.pk:
        raise PermissionDenied(_("Only the person asked can reply to this request."))
    if not locked.is_open:
        raise ValidationError(_("This request is already closed."))
    return locked


@transaction.atomic
def do_acknowledge_request(actor: User, request: WorkRequest, note: str = "") -> WorkRequest:
    locked = _lock_open_request(actor, request)
    if locked.state == RequestState.ACKNOWLEDGED:
        return locked
    locked.state = RequestState.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.save(update_fields=["state", "acknowledged_at"])
    _log(locked.task, actor, "acknowledged", "", "", note.strip())
    if note.strip():
        Comment.objects.create(task=locked.task, author=actor, body=note.strip())
    _notify([locked.requester], Kind.REPLY, actor, locked.task, excerpt=note.strip())
    return locked


@transaction.atomic
def do_answer_request(actor: User, request: WorkRequest, answer: str) -> WorkRequest:
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write your answer.")})
    locked = _lock_open_request(actor, request)
    now = timezone.now()
    locked.state = RequestState.ANSWERED
    locked.answer = answer
    locked.closed_at = now
    locked.acknowledged_at = locked.acknowledged_at or now
    locked.save(update_fields=["state", "answer", "closed_at", "acknowledged_at"])
    Comment.objects.create(task=locked.task, author=actor, body=answer)
    _log(locked.task, actor, "answered", "", "", answer[:200])
    _notify([locked.requester], Kind.REPLY, actor, locked.task, excerpt=answer)
    signals.request_answered.send(
        sender=WorkRequest, instance=locked, actor=actor, in_time=now <= locked.reply_by
    )
    return locked


@transaction.atomic
def do_hand_back_request(actor: User, request: WorkRequest, reason: str) -> WorkRequest:
    """Decline a request in writing: the task goes back to whoever asked."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"answer": _("Say why you hand it back.")})
    locked = _lock_open_request(actor, request)
    locked.state = RequestState.HANDED_BACK
    locked.answer = reason
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "answer", "closed_at"])
    task = Task.objects.select_for_update().get(pk=locked.task_id)
    verb = "declined"  # Asked for a reply only (Ask), the task was never theirs.
    if task.assignee_id == actor.pk:
        task.assignee_id = locked.requester_id
        task.version += 1
        task.save(update_fields=["assignee", "version", "updated_at"])
        verb = "handed_back"
    Comment.objects.create(task=task, author=actor, body=reason)
    _log(task, actor, verb, "assignee", actor.full_name, locked.requester.full_name)
    _notify([locked.requester], Kind.REPLY, actor, task, excerpt=reason)
    return locked


# --- Comments --------------------------------------------------------------------------


def mention_directory() -> Directory:
    """Everyone a comment can mention: active colleagues (customers' contacts never are)."""
    return Directory(User.objects.filter(is_active=True).only("pk", "full_name", "email"))


def _who(person: Mentionable) -> str:
    return f"{person.full_name} ({person.email})"


def resolve_mentions(body: str, directory: Directory | None = None) -> list[User]:
    """Find the people a comment mentions (see `workmate.lib.mentions` for the syntax).

    A mention that names nobody, or several people, is an error that lists who was meant.
    """
    if "@" not in body:
        return []
    directory = directory or mention_directory()
    found = list(directory.find(body))
    problems: list[str] = []
    for mention in found:
        if mention.person is not None:
            continue
        if mention.candidates:
            problems.append(
                _("@%(name)s could be %(people)s: pick one from the list as you type.")
                % {
                    "name": mention.text,
                    "people": ", ".join(_who(person) for person in mention.candidates),
                }
            )
            continue
        message = _("Nobody is called %(names)s.") % {"names": "@" + mention.text}
        suggested = directory.suggest(mention.text)
        if suggested:
            message += " " + _("Did you mean %(people)s?") % {
                "people": ", ".join(_who(person) for person in suggested)
            }
        problems.append(message)
    if problems:
        raise ValidationError({"body": list(dict.fromkeys(problems))})
    people = {mention.person.pk: mention.person for mention in found if mention.person}
    return [people[pk] for pk in sorted(people)]  # type: ignore[misc]


def check_mentions_can_see(task: Task, mentioned: Iterable[User], field: str = "body") -> None:
    """Refuse to mention people who cannot see the task: they would be told its title
    and the comment (through the inbox, the API and mail) without any right to them."""
    visible = Project.objects.filter(pk=task.project_id)
    blind = [person for person in mentioned if not visible.visible_to(person).exists()]
    if blind:
        raise ValidationError(
            {
                field: _(
                    "%(names)s cannot see this task, so the mention would tell them nothing "
                    "they may read. Add them to the project first, or leave the mention out."
                )
                % {"names": ", ".join(person.full_name for person in blind)}
            }
        )


def write_mentions_as_tokens(text: str, *, strict: bool) -> tuple[str, list[User]]:
    """`text` with each mention written as its `@**name|id**` token, and who it mentions.

    Tokens keep a mention pointing at the same person through renames and namesakes, and
    let a page link them without reading the text again. `strict`: an `@` that names
    nobody, or several people, is an error (`resolve_mentions`); otherwise it stays as
    written.
    """
    if "@" not in text:
        return text, []
    directory = mention_directory()
    if strict:
        resolve_mentions(text, directory)
    parts: list[str] = []
    last = 0
    people: dict[int, User] = {}
    for found in directory.find(text):
        if found.person is None:
            continue
        parts += [text[last : found.start], canonical(found.person)]
        last = found.end
        people[found.person.pk] = found.person  # type: ignore[assignment]
    parts.append(text[last:])
    return "".join(parts), [people[pk] for pk in sorted(people)]


def _description_mentions(task: Task, text: str) -> tuple[str, list[User]]:
    """A description's mentions as tokens; one of someone who cannot see the task is an
    error. A description is a document: it may quote code (`@property`) or addresses, so
    an `@` that names nobody stays as written."""
    text, mentioned = write_mentions_as_tokens(text, strict=False)
    check_mentions_can_see(task, mentioned, field="description")
    return text, mentioned


def _tell_newly_mentioned(actor: User, task: Task, mentioned: list[User], before: str) -> None:
    """Tell the people a description mentions now and did not before; they follow it."""
    earlier = set(mentioned_ids(before))
    new = [person for person in mentioned if person.pk not in earlier and person != actor]
    if new:
        task.followers.add(*new)
        _notify(new, Kind.MENTION, actor, task, excerpt=task.description)


@dataclass(frozen=True)
class CommentResult:
    comment: Comment
    mentioned: list[User]


@transaction.atomic
def do_add_comment(actor: User, task: Task, body: str, *, urgent_reason: str = "") -> CommentResult:
    """Comment on a task: mentioned people are told (at once, or urgently), followers too."""
    if not can_view_project(actor, task.project):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    mentioned = resolve_mentions(body)
    check_mentions_can_see(task, mentioned)
    comment = Comment.objects.create(task=task, author=actor, body=body)
    if mentioned:
        comment.mentions.set(mentioned)
        task.followers.add(*mentioned)
    task.followers.add(actor)
    _log(task, actor, "commented")
    if urgent_reason and not mentioned:
        raise ValidationError(
            {"urgent_reason": _("Mention the people who must read this urgently.")}
        )
    _notify(mentioned, Kind.MENTION, actor, task, excerpt=body, urgent_reason=urgent_reason)
    followers = task.followers.exclude(pk__in=[p.pk for p in mentioned])
    _notify(followers, Kind.COMMENT, actor, task, excerpt=body)
    signals.comment_added.send(sender=Comment, instance=comment, actor=actor)
    return CommentResult(comment, mentioned)


# --- Projects and sections ---------------------------------------------------------------


@transaction.atomic
def do_create_project(
    actor: User,
    *,
    name: str,
    team: Team,
    visibility: str = Visibility.TEAM,
    colour: str = "#1f5eff",
    description: str = "",
) -> Project:
    """Start a project for one of the actor's teams; the actor owns it and edits it."""
    if not Membership.objects.filter(team=team, user=actor).exists():
        raise PermissionDenied(_("Only members of a team can start a project for it."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the project a name.")})
    project = Project(
        name=name,
        team=team,
        owner=actor,
        visibility=visibility,
        colour=colour,
        description=description.strip(),
    )
    project.full_clean()
    project.save()
    ProjectMember.objects.create(project=project, user=actor, role=ProjectRole.EDITOR)
    return project


@transaction.atomic
def do_create_section(actor: User, project: Project, *, name: str) -> Section:
    """Add a section at the end of a project's list."""
    check_can_edit(actor, project)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the section a name.")})
    last = (
        Section.objects.filter(project=project)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    section = Section(project=project, name=name, position=(last or 0) + 1)
    section.full_clean()
    section.save()
    return section


# --- API: project, section and task changes beyond create (also for the HTML views) -----

PROJECT_EDITABLE_FIELDS = ("name", "description", "visibility", "colour", "icon")
# What only those who manage the project may change (`can_manage_project`): who sees it and
# what it is called. The rest of the details are an editor's.
PROJECT_MANAGED_FIELDS = ("name", "visibility")


def get_section_for_user(user: User, pk: int) -> Section:
    section = (
        Section.objects.filter(project__in=Project.objects.visible_to(user), pk=pk)
        .select_related("project")
        .first()
    )
    if section is None:
        raise Http404("No such section.")
    return section


def can_manage_project(user: User, project: Project) -> bool:
    """Who may rename a project, change who sees it, archive it or hand it over: its owner
    and the leads of its team. A teammate who edits the project may not lock the others
    out of it by making it private."""
    if not user.is_authenticated:
        return False
    if project.owner_id == user.pk:
        return True
    return Membership.objects.filter(
        team_id=project.team_id, user=user, role=TeamRole.LEAD
    ).exists()


@transaction.atomic
def do_update_project(actor: User, project: Project, changes: dict[str, object]) -> Project:
    """Change a project's details; a name or visibility that changes needs a manager.

    The check reads the locked row, so a refusal writes nothing (and a value sent again
    unchanged, as a settings form does, is no change).
    """
    check_can_edit(actor, project)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    managed = []
    for name, value in changes.items():
        if name not in PROJECT_EDITABLE_FIELDS:
            raise ValueError(f"Unknown project field {name!r}")
        if isinstance(value, str):
            value = value.strip()
        if name in PROJECT_MANAGED_FIELDS and value != getattr(locked, name):
            managed.append(name)
        setattr(locked, name, value)
    if managed and not can_manage_project(actor, project):
        raise PermissionDenied(
            _("Only the project's owner or a team lead can rename it or change who sees it.")
        )
    if not locked.name:
        raise ValidationError({"name": _("Give the project a name.")})
    locked.full_clean()
    locked.save(update_fields=list(changes))
    return locked


@transaction.atomic
def do_archive_project(actor: User, project: Project) -> Project:
    """Archive rather than delete: tasks, history and requests stay readable."""
    if not can_manage_project(actor, project):
        raise PermissionDenied(_("Only the project's owner or a team lead can archive it."))
    # Lock the row so two people archiving at once record one time.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
    return locked


@transaction.atomic
def do_unarchive_project(actor: User, project: Project) -> Project:
    """Bring an archived project back; the same people who may archive it may do this."""
    if not can_manage_project(actor, project):
        raise PermissionDenied(_("Only the project's owner or a team lead can unarchive it."))
    # Lock the row so an unarchive racing an archive ends in one state, not a mix.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.archived_at is not None:
        locked.archived_at = None
        locked.save(update_fields=["archived_at"])
    return locked


# --- Project members ------------------------------------------------------------------------


def get_project_member(project: Project, user_pk: int) -> ProjectMember:
    """One member of a project by their user id; 404 when they are not a member."""
    member = project.memberships.select_related("user").filter(user_id=user_pk).first()
    if member is None:
        raise Http404("No such member.")
    return member


def _check_member_role(project: Project, user: User, role: str) -> None:
    if role not in ProjectRole.values:
        raise ValidationError({"role": _("Choose editor or viewer.")})
    if user.pk == project.owner_id and role != ProjectRole.EDITOR:
        raise ValidationError({"role": _("The owner always edits the project.")})


@transaction.atomic
def do_add_project_member(
    actor: User, project: Project, user: User, role: str = ProjectRole.EDITOR
) -> ProjectMember:
    """Give someone access to the project (a private one's only way in).

    Adding someone who is already a member sets their role instead.
    """
    check_can_edit(actor, project)
    if not user.is_active:
        raise ValidationError({"user": _("That person's account is closed.")})
    _check_member_role(project, user, role)
    # Two editors adding the same person at once: update_or_create locks the row it finds,
    # and the unique constraint turns the slower insert into an update.
    member, _created = ProjectMember.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return member


@transaction.atomic
def do_set_project_member_role(
    actor: User, project: Project, user: User, role: str
) -> ProjectMember:
    check_can_edit(actor, project)
    _check_member_role(project, user, role)
    # Lock the row: a role change racing a removal must not bring the member back.
    member = ProjectMember.objects.select_for_update().filter(project=project, user=user).first()
    if member is None:
        raise Http404("No such member.")
    if member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    return member


@transaction.atomic
def do_remove_project_member(actor: User, project: Project, user: User) -> None:
    """Take someone off the project; on a private project they lose access to it."""
    check_can_edit(actor, project)
    if user.pk == project.owner_id:
        raise ValidationError(_("The owner cannot be removed from the project."))
    ProjectMember.objects.filter(project=project, user=user).delete()


@transaction.atomic
def do_update_section(actor: User, section: Section, *, name: str) -> Section:
    check_can_edit(actor, section.project)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the section a name.")})
    section.name = name
    section.full_clean()
    section.save(update_fields=["name"])
    return section


@transaction.atomic
def do_delete_section(actor: User, section: Section) -> None:
    """Remove a section; its tasks stay in the project without a section."""
    check_can_edit(actor, section.project)
    section.delete()


@transaction.atomic
def do_delete_task(actor: User, task: Task, *, expected_version: int | None = None) -> None:
    """Delete a task with its subtasks, comments and requests."""
    check_can_edit(actor, task.project)
    # Lock the row so a concurrent edit cannot slip in between the version check and delete.
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    locked.delete()


# --- Task detail: tags, attachments, followers --------------------------------------------

TAG_NAME_MAX = 50


def parse_tag_names(text: str) -> list[str]:
    """Comma-separated tag names, trimmed, without blanks or repeats (first spelling wins)."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > TAG_NAME_MAX:
            raise ValidationError(
                {"tags": _("A tag is at most %(max)d characters long.") % {"max": TAG_NAME_MAX}}
            )
        names.setdefault(name.lower(), name)
    return list(names.values())


def _tags_differ(task: Task, names: list[str]) -> bool:
    current = {name.lower() for name in task.tags.values_list("name", flat=True)}
    return current != {name.lower() for name in names}


def _set_tags(task: Task, names: list[str]) -> tuple[str, str]:
    """Give `task` exactly these tags, creating missing ones; return (old, new) for history."""
    old = sorted(task.tags.values_list("name", flat=True), key=str.lower)
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    task.tags.set(tags)
    new = sorted((tag.name for tag in tags), key=str.lower)
    return ", ".join(old), ", ".join(new)


# Leading bytes of the binary types Workmate accepts. Office files are zip (OOXML) or
# OLE2 containers; their exact kind comes from the declared type once the container matches.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)
_CONTAINER_KINDS = {
    "application/zip": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
    "application/x-ole-storage": {
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
    },
}
_TEXT_TYPES = {"text/plain", "text/csv"}


def sniff_content_type(head: bytes, declared: str) -> str | None:
    """The type of a file judged by its first bytes, or None when they match nothing known.

    Steps: a known signature decides (a zip or OLE2 container takes the declared Office
    type when that fits it); otherwise a file that decodes as UTF-8 text without NUL bytes
    is text, taking the declared text type or text/plain; anything else is unknown.
    """
    declared = declared.split(";")[0].strip().lower()
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            if declared in _CONTAINER_KINDS.get(kind, set()):
                return declared
            return kind
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The first bytes may end in the middle of a character.
        if error.start < len(head) - 3:
            return None
    return declared if declared in _TEXT_TYPES else "text/plain"


def check_attachment(upload: UploadedFile) -> str:
    """Refuse files over the size limit or of a type not allowed; return the type to store."""
    limit = settings.WORK_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than the limit of %(size)s.")
                % {"size": filesizeformat(limit)}
            }
        )
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = sniff_content_type(head, upload.content_type or "")
    if kind is None or kind not in settings.WORK_ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _(
                    "Files of this type cannot be attached. Attach images, PDFs, text or "
                    "office documents."
                )
            }
        )
    return kind


@transaction.atomic
def do_add_attachment(actor: User, task: Task, upload: UploadedFile) -> Attachment:
    """Store an uploaded file with the task (whoever may work on it), checking size and type."""
    check_can_work_on(actor, task)
    content_type = check_attachment(upload)
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "file"
    attachment = Attachment(
        task=task,
        name=name[:255],
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        _log(task, actor, "attached", "", "", attachment.name)
    except Exception:
        # The row did not make it, so neither may the file.
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """An attachment of a task the person can see; 404 otherwise."""
    attachment = (
        Attachment.objects.select_related("task", "task__project", "uploaded_by")
        .filter(pk=pk, task__project__in=Project.objects.visible_to(user))
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


@transaction.atomic
def do_remove_attachment(actor: User, attachment: Attachment) -> None:
    """Remove an attachment: its uploader or an editor of the project may."""
    task = attachment.task
    if not can_view_project(actor, task.project):
        raise Http404("No such attachment.")
    own = attachment.uploaded_by_id == actor.pk and not task.project.is_archived
    if not own:
        check_can_edit(actor, task.project)
    storage, file_name = attachment.file.storage, attachment.file.name
    deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
    if deleted:
        _log(task, actor, "detached", "", attachment.name, "")
        # The file goes only once the row is surely gone.
        transaction.on_commit(lambda: storage.delete(file_name))


@transaction.atomic
def do_follow_task(actor: User, task: Task, *, follow: bool = True) -> bool:
    """Follow or stop following a task; anyone who can see it may. True if it changed."""
    if not can_view_project(actor, task.project):
        raise Http404("No such task.")
    following = task.followers.filter(pk=actor.pk).exists()
    if following == follow:
        return False
    if follow:
        task.followers.add(actor)
        _log(task, actor, "followed")
    else:
        task.followers.remove(actor)
        _log(task, actor, "unfollowed")
    return True
