"""Every change to work goes through here: views and the API call the same functions.

`check_*` validates and checks rights; `do_*` writes. Writes run in a transaction and
record a readable line of history on the task.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Membership, Team, TeamRole, User
from workmate.lib.workcalendar import add_working_time
from workmate.work.models import (
    Activity,
    Comment,
    Dependency,
    Project,
    ProjectMember,
    ProjectRole,
    RequestState,
    Section,
    Task,
    TaskStatus,
    Visibility,
    WorkRequest,
)

DEFAULT_REPLY_BY_HOURS = 8
MENTION_RE = re.compile(r"(?<![\w.])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


class VersionConflict(Exception):
    """The task changed since the client read it (optimistic concurrency)."""

    def __init__(self, current: Task) -> None:
        super().__init__(f"Task {current.pk} is at version {current.version}.")
        self.current = current


# --- Access -------------------------------------------------------------------------


def can_view_project(user: User, project: Project) -> bool:
    return Project.objects.visible_to(user).filter(pk=project.pk).exists()


def can_edit_project(user: User, project: Project) -> bool:
    """Editors: project editors, the owner, and leads of the owning team."""
    if not user.is_authenticated or project.is_archived:
        return False
    if project.owner_id == user.pk:
        return True
    if ProjectMember.objects.filter(project=project, user=user, role=ProjectRole.EDITOR).exists():
        return True
    if Membership.objects.filter(team_id=project.team_id, user=user, role=TeamRole.LEAD).exists():
        return True
    # Teammates may edit team-visible projects; org-wide projects are read-only to outsiders.
    return (
        project.visibility != Visibility.PRIVATE
        and Membership.objects.filter(team_id=project.team_id, user=user).exists()
    )


def get_project_for_user(user: User, pk: int) -> Project:
    project = Project.objects.visible_to(user).select_related("team", "owner").filter(pk=pk).first()
    if project is None:
        raise Http404("No such project.")
    return project


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
    if value is None:
        return ""
    if field == "status":
        return str(TaskStatus(value).label)
    if isinstance(value, User):
        return value.full_name
    if isinstance(value, Section | Project | Task):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field == "priority":
        return str(task._meta.get_field("priority").choices[int(value)][1])  # type: ignore[index]
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
    **fields: object,
) -> Task:
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
    _log(task, actor, "created")
    if task.assignee_id and task.assignee_id != actor.pk:
        _send_request(actor, task, task.assignee, request_message)
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
) -> Task:
    """Apply `changes` to a task, recording each changed field in its history.

    Steps: lock the row (two editors saving at once must not lose one change); refuse a
    stale version; apply and validate; save the changed fields and bump the version;
    reassigning to someone else sends them a request.
    """
    check_can_edit(actor, task.project)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(locked)
    changed: list[tuple[str, object, object]] = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"Unknown task field {name!r}")
        old = getattr(locked, name)
        if name == "title" and isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValidationError({"title": _("Give the task a title.")})
        if old != value:
            setattr(locked, name, value)
            changed.append((name, old, value))
    if not changed:
        return locked
    _check_relations(locked)
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
    for name, old, new in changed:
        verb = "changed"
        if name == "status" and new == TaskStatus.DONE:
            verb = "completed"
        elif name == "status" and old == TaskStatus.DONE:
            verb = "reopened"
        _log(locked, actor, verb, name, _display(locked, name, old), _display(locked, name, new))
    assignee_change = next((c for c in changed if c[0] == "assignee"), None)
    if assignee_change and assignee_change[2] is not None and assignee_change[2] != actor:
        _send_request(actor, locked, assignee_change[2], request_message)  # type: ignore[arg-type]
    return locked


def do_complete_task(actor: User, task: Task) -> Task:
    return do_update_task(actor, task, {"status": TaskStatus.DONE})


def do_move_task(
    actor: User, task: Task, *, section: Section | None, before: Task | None = None
) -> Task:
    """Move a task to a section, placing it before `before` (or last), renumbering the column."""
    check_can_edit(actor, task.project)
    with transaction.atomic():
        if section is not None and section.project_id != task.project_id:
            raise ValidationError({"section": _("That section belongs to another project.")})
        siblings = list(
            Task.objects.select_for_update()
            .filter(project_id=task.project_id, section=section, parent__isnull=True)
            .exclude(pk=task.pk)
            .order_by("position", "pk")
        )
        index = len(siblings)
        if before is not None:
            for position, sibling in enumerate(siblings):
                if sibling.pk == before.pk:
                    index = position
                    break
        ordered = [*siblings[:index], task, *siblings[index:]]
        for position, item in enumerate(ordered, start=1):
            if item.pk != task.pk and item.position != position:
                Task.objects.filter(pk=item.pk).update(position=position)
        old_section = task.section
        Task.objects.filter(pk=task.pk).update(
            section=section,
            position=ordered.index(task) + 1,
            version=task.version + 1,
            updated_at=timezone.now(),
        )
        if old_section != section:
            _log(
                task,
                actor,
                "changed",
                "section",
                _display(task, "section", old_section),
                _display(task, "section", section),
            )
        task.refresh_from_db()
        return task


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


def is_blocked(task: Task) -> bool:
    return task.dependencies.exclude(blocked_by__status=TaskStatus.DONE).exists()


# --- Requests --------------------------------------------------------------------------


def _send_request(actor: User, task: Task, assignee: User, message: str) -> WorkRequest:
    now = timezone.now()
    request = WorkRequest.objects.create(
        task=task,
        requester=actor,
        assignee=assignee,
        message=message.strip(),
        reply_by=reply_by_for(assignee, now, task.project),
        created_at=now,
    )
    task.followers.add(actor, assignee)
    _log(task, actor, "requested", "assignee", "", assignee.full_name)
    return request


@transaction.atomic
def do_send_request(
    actor: User,
    task: Task,
    assignee: User,
    *,
    message: str = "",
    reply_by: datetime.datetime | None = None,
) -> WorkRequest:
    """Ask someone in writing to take on a task; they become its assignee."""
    check_can_edit(actor, task.project)
    if assignee == actor:
        raise ValidationError({"assignee": _("A request goes to someone else.")})
    if reply_by is not None and reply_by <= timezone.now():
        raise ValidationError({"reply_by": _("The reply-by must be in the future.")})
    if task.assignee_id != assignee.pk:
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
    request = _send_request(actor, task, assignee, message)
    if reply_by is not None:
        request.reply_by = reply_by
        request.save(update_fields=["reply_by"])
    return request


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
    if task.assignee_id == actor.pk:
        task.assignee_id = locked.requester_id
        task.version += 1
        task.save(update_fields=["assignee", "version", "updated_at"])
    Comment.objects.create(task=task, author=actor, body=reason)
    _log(task, actor, "handed_back", "assignee", actor.full_name, locked.requester.full_name)
    return locked


# --- Comments --------------------------------------------------------------------------


def resolve_mentions(body: str, candidates: Iterable[User] | None = None) -> list[User]:
    """Find the people `@name` mentions in a comment; an unknown name is an error.

    A mention is the part of a person's e-mail address before the @ (`@alice`) or the
    whole address (`@alice@example.com`).
    """
    handles = {match.group(1).rstrip(".").lower() for match in MENTION_RE.finditer(body)}
    if not handles:
        return []
    people = (
        list(candidates) if candidates is not None else list(User.objects.filter(is_active=True))
    )
    by_handle: dict[str, User] = {}
    for person in people:
        by_handle[person.email.lower()] = person
        by_handle.setdefault(person.email.split("@")[0].lower(), person)
    unknown = sorted(handle for handle in handles if handle not in by_handle)
    if unknown:
        raise ValidationError(
            {
                "body": _("Nobody is called %(names)s.")
                % {"names": ", ".join("@" + u for u in unknown)}
            }
        )
    return sorted({by_handle[handle] for handle in handles}, key=lambda p: p.pk)


@dataclass(frozen=True)
class CommentResult:
    comment: Comment
    mentioned: list[User]


@transaction.atomic
def do_add_comment(actor: User, task: Task, body: str) -> CommentResult:
    if not can_view_project(actor, task.project):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    mentioned = resolve_mentions(body)
    comment = Comment.objects.create(task=task, author=actor, body=body)
    if mentioned:
        comment.mentions.set(mentioned)
        task.followers.add(*mentioned)
    task.followers.add(actor)
    _log(task, actor, "commented")
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
