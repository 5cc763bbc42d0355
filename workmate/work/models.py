"""Projects, sections, tasks and the written requests that assign work asynchronously."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workmate.accounts.models import Membership, Team, TeamRole, User
from workmate.lib.urls import reverse_ids


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private to members")
    TEAM = "team", pgettext_lazy("visibility", "Team")
    ORG = "org", _("Whole organisation")


class ProjectRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")


# Status -> its (lazily translated) label, for Task.get_status_display.
_STATUS_LABELS = dict(TaskStatus.choices)


class Priority(models.IntegerChoices):
    NONE = 0, _("No priority")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour like #1f5eff."))


def _may_see_project(user: User, prefix: str = "") -> Q:
    """Who may see a project: its owner and members, its team unless it is private, and
    everyone when it is org-wide. `prefix` ("project__") applies the rule to the project
    of the rows filtered.

    Subqueries rather than joins: joining every project to its team's memberships and
    then DISTINCT cost ~17 ms per My Tasks query at 2,000 projects (bench/README.md).
    """
    return (
        Q(**{f"{prefix}visibility": Visibility.ORG})
        | Q(**{f"{prefix}owner": user})
        | Q(**{f"{prefix}pk__in": ProjectMember.objects.filter(user=user).values("project_id")})
        | Q(
            **{
                f"{prefix}visibility": Visibility.TEAM,
                f"{prefix}team__in": Membership.objects.filter(user=user).values("team_id"),
            }
        )
    )


class ProjectQuerySet(models.QuerySet["Project"]):
    def active(self) -> ProjectQuerySet:
        return self.filter(archived_at__isnull=True)

    def visible_to(self, user: User) -> ProjectQuerySet:
        """Projects a person may see: theirs, their teams' (unless private) and org-wide ones."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_may_see_project(user))

    def editable_by(self, user: User) -> ProjectQuerySet:
        """Projects `user` may add tasks to: the rule of `services.can_edit_project` as one
        filter (the home page's quick add lists them). Active ones only; the owner, project
        editors and leads of the owning team, and teammates on a team-visible project
        unless they were made viewers of it."""
        if not user.is_authenticated:
            return self.none()
        roles = ProjectMember.objects.filter(user=user)
        teams = Membership.objects.filter(user=user)
        return self.active().filter(
            Q(owner=user)
            | Q(pk__in=roles.filter(role=ProjectRole.EDITOR).values("project_id"))
            | Q(team__in=teams.filter(role=TeamRole.LEAD).values("team_id"))
            | (
                Q(team__in=teams.values("team_id"))
                & ~Q(visibility=Visibility.PRIVATE)
                & ~Q(pk__in=roles.filter(role=ProjectRole.VIEWER).values("project_id"))
            )
        )


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="projects", verbose_name=_("team")
    )
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="owned_projects", verbose_name=_("owner")
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.TEAM
    )
    colour = models.CharField(_("colour"), max_length=7, default="#1f5eff", validators=[hex_colour])
    icon = models.CharField(_("icon"), max_length=8, blank=True, default="")
    members = models.ManyToManyField(
        User, through="ProjectMember", related_name="projects", verbose_name=_("members")
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_ids("work:project", self.pk)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(
        _("role"), max_length=8, choices=ProjectRole.choices, default=ProjectRole.EDITOR
    )

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"


class Section(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sections", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    colour = models.CharField(_("colour"), max_length=7, default="#5b6575", validators=[hex_colour])

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.exclude(status=TaskStatus.DONE)

    def with_subtask_count(self) -> TaskQuerySet:
        """Annotate `subtask_count`: a counting subquery per row, read from the parent index.

        Not `Count("subtasks")`: that joins every subtask and groups all selected columns,
        which cost a project page of 50 rows ~2 ms more, and made its pager's COUNT group
        too.
        """
        subtasks = (
            Task.objects.filter(parent=OuterRef("pk"))
            .order_by()
            .values("parent")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            subtask_count=Coalesce(Subquery(subtasks, output_field=models.IntegerField()), 0)
        )

    def done(self) -> TaskQuerySet:
        return self.filter(status=TaskStatus.DONE)

    def visible_to(self, user: User) -> TaskQuerySet:
        """Tasks of the projects `user` may see (the rule of `ProjectQuerySet.visible_to`).

        Checked on each task's own project through the join, so a query that picks a few
        tasks (My Tasks' groups, one task by id) does not first list every visible
        project: half the SQL time of a My Tasks group at 2,000 projects. Not for use as
        a subquery (`task__in=`), which would list every visible task: filter on
        `project__in=Project.objects.visible_to(user)` there.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(_may_see_project(user, "project__"))

    def assigned_to(self, user: User) -> TaskQuerySet:
        return self.filter(assignee=user)


# `Task.clean` tests these in Python (`Task.get_constraints`).
_CHECKED_IN_CLEAN = frozenset(
    {"task_start_not_after_due", "task_completed_at_iff_done", "task_not_own_parent"}
)


class Task(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("project")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("section"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
        verbose_name=_("parent task"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="created_tasks", verbose_name=_("created by")
    )
    followers = models.ManyToManyField(
        User, blank=True, related_name="followed_tasks", verbose_name=_("followers")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tasks", verbose_name=_("tags"))
    start_on = models.DateField(_("start date"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    # Set when the due date has a time too; `due_on` then holds its date in Seoul time
    # so that date filters and sorting work on one column.
    due_at = models.DateTimeField(_("due time"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NONE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The task's id in the system it was imported from (Asana's "Task ID").
    external_id = models.CharField(_("imported id"), max_length=64, blank=True, default="")
    blocked_by = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="Dependency",
        related_name="blocking",
        blank=True,
        verbose_name=_("blocked by"),
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["position", "pk"]
        indexes = [
            # My Tasks: a person's open tasks by due date.
            models.Index(fields=["assignee", "status", "due_on"], name="task_my_tasks_idx"),
            # My Tasks groups: a person's open tasks in due-date, priority order, read in index
            # order so the page stops after 50 rows (bench/README.md).
            models.Index(
                fields=["assignee", "due_on", "-priority"],
                condition=~Q(status=TaskStatus.DONE),
                name="task_my_open_idx",
            ),
            # My Tasks' "Done recently": a person's finished tasks, newest first, read in
            # index order (backwards) instead of sorting all they ever finished.
            models.Index(
                fields=["assignee", "completed_at"],
                condition=Q(status=TaskStatus.DONE),
                name="task_my_done_idx",
            ),
            # A project's top-level tasks (`parent IS NULL`): without it SQLite walks the
            # parent index, where 90 % of all tasks share NULL.
            models.Index(fields=["project", "parent"], name="task_project_parent_idx"),
            # Project list and board: a project's tasks in section order.
            models.Index(fields=["project", "section", "position"], name="task_project_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(start_on__lte=models.F("due_on")),
                name="task_start_not_after_due",
            ),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.DONE, completed_at__isnull=False)
                | (~Q(status=TaskStatus.DONE) & Q(completed_at__isnull=True)),
                name="task_completed_at_iff_done",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="task_not_own_parent"),
            # Asana import: re-importing a file finds each task by its Task ID, never twice.
            models.UniqueConstraint(
                fields=["project", "external_id"],
                condition=~Q(external_id=""),
                name="task_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_ids("work:task", self.pk)

    def clean(self) -> None:
        if self.start_on and self.due_on and self.start_on > self.due_on:
            raise ValidationError(
                {"due_on": _("The due date cannot be before the start date.")}, code="due_on"
            )
        if self.parent_id and self.parent and self.parent.project_id != self.project_id:
            raise ValidationError(
                {"parent": _("A subtask belongs to its parent's project.")}, code="parent"
            )
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError(
                {"parent": _("A task cannot be inside its own subtask.")}, code="parent"
            )
        if (self.status == TaskStatus.DONE) != (self.completed_at is not None):
            raise ValidationError(
                _("A finished task has a completion time and an unfinished one has none."),
                code="completed_at",
            )

    def get_constraints(self) -> list[tuple[type[models.Model], list[Any]]]:
        """The constraints `full_clean` validates: all but the check constraints, which
        `clean` already tests in Python. Django would test each again by asking the
        database (a savepoint, a SELECT and a release each: 9 of a task create's 26
        statements, ~15 % of its time, bench/README.md). The database still enforces them.
        """
        return [
            (model, [c for c in constraints if c.name not in _CHECKED_IN_CLEAN])
            for model, constraints in super().get_constraints()
        ]

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    def get_status_display(self) -> str:
        # Replaces Django's generated method, which rebuilds a dict of the choices on each
        # call (~20 µs): list pages ask once a row.
        return str(_STATUS_LABELS.get(self.status, self.status))

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        if self.is_done:
            return False
        now = now or timezone.now()
        if self.due_at:
            return self.due_at < now
        return bool(self.due_on and self.due_on < timezone.localdate(now))


class Dependency(models.Model):
    """`task` cannot start until `blocked_by` is done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="dependencies")
    blocked_by = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="dependents")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["task", "blocked_by"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~Q(task=models.F("blocked_by")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} blocked by {self.blocked_by_id}"


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for reply")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")
    HANDED_BACK = "handed_back", _("Handed back")


class RequestQuerySet(models.QuerySet["WorkRequest"]):
    def open(self) -> RequestQuerySet:
        return self.filter(state__in=[RequestState.PENDING, RequestState.ACKNOWLEDGED])

    def overdue(self, now: datetime.datetime | None = None) -> RequestQuerySet:
        return self.open().filter(reply_by__lt=now or timezone.now())


class WorkRequest(models.Model):
    """Work assigned in writing to someone else, with a reply-by in their working time."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="requests", verbose_name=_("task")
    )
    requester = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="sent_requests", verbose_name=_("from")
    )
    assignee = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="received_requests", verbose_name=_("to")
    )
    message = models.TextField(_("message"), blank=True)
    reply_by = models.DateTimeField(_("reply by"))
    state = models.CharField(
        _("state"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["reply_by"]
        indexes = [
            # "Needs my reply" and "Waiting on others": open requests by reply-by.
            models.Index(fields=["assignee", "state", "reply_by"], name="request_inbox_idx"),
            models.Index(fields=["requester", "state", "reply_by"], name="request_waiting_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=models.F("assignee")), name="request_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.assignee}"

    @property
    def is_open(self) -> bool:
        return self.state in {RequestState.PENDING, RequestState.ACKNOWLEDGED}

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and self.reply_by < (now or timezone.now())


class Comment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="task_comments")
    body = models.TextField(_("comment"))
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"tasks/{instance.task_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Attachment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """One line of a task's history: who changed what, from what, to what, when."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=32)
    field = models.CharField(max_length=32, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["task", "created_at"], name="activity_task_idx")]

    def __str__(self) -> str:
        return f"{self.verb} {self.field}".strip()


# --- Custom fields ----------------------------------------------------------------------


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SINGLE_SELECT = "single_select", _("Single select")
    MULTI_SELECT = "multi_select", _("Multi select")
    PERSON = "person", _("Person")


class CustomField(models.Model):
    """A per-project field shown as a column in the list view and usable as a filter."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="custom_fields", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    # The choices of a single- or multi-select field.
    options = models.JSONField(_("options"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["project", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="custom_field_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomFieldValue(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="field_values", verbose_name=_("task")
    )
    field = models.ForeignKey(
        CustomField, on_delete=models.CASCADE, related_name="values", verbose_name=_("field")
    )
    text = models.TextField(_("text"), blank=True, default="")
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=4, null=True)
    date = models.DateField(_("date"), null=True)
    person = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("person")
    )
    # Selected option(s) of a select field.
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("custom field value")
        verbose_name_plural = _("custom field values")
        constraints = [
            models.UniqueConstraint(fields=["task", "field"], name="custom_field_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.task_id}"


# --- Recurring tasks --------------------------------------------------------------------


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly on chosen days")
    MONTHLY_DAY = "monthly_day", _("Monthly on day N")
    MONTHLY_LAST_WORKING_DAY = "monthly_last_working_day", _("Monthly on the last working day")


class Recurrence(models.Model):
    """How a task repeats: completing it creates the next one, which takes this rule over."""

    task = models.OneToOneField(
        Task, on_delete=models.CASCADE, related_name="recurrence", verbose_name=_("task")
    )
    frequency = models.CharField(_("repeats"), max_length=32, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    weekdays = models.JSONField(_("on weekdays"), default=list, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of month"), null=True, blank=True)
    skip_holidays = models.BooleanField(_("skip holidays"), default=True)

    class Meta:
        verbose_name = _("recurrence")
        verbose_name_plural = _("recurrences")
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="recurrence_interval_min"),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True)
                | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="recurrence_day_of_month_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.get_frequency_display()}"


# --- Time logs --------------------------------------------------------------------------


class TimeLog(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="time_logs", verbose_name=_("task")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="time_logs", verbose_name=_("person")
    )
    worked_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    billable = models.BooleanField(_("billable"), default=False)
    customer = models.ForeignKey(
        "desk.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_logs",
        verbose_name=_("customer"),
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        verbose_name = _("time log")
        verbose_name_plural = _("time logs")
        ordering = ["-worked_on", "-pk"]
        indexes = [
            # Weekly sums per person and per project.
            models.Index(fields=["user", "worked_on"], name="timelog_user_week_idx"),
            models.Index(fields=["task", "worked_on"], name="timelog_task_week_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="timelog_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.worked_on} {self.minutes}m"


# --- Templates --------------------------------------------------------------------------


class AssigneeRole(models.TextChoices):
    NONE = "", _("Nobody")
    OWNER = "owner", _("Project owner")
    LEAD = "lead", _("Team lead")
    CREATOR = "creator", _("Whoever creates the project")


class ProjectTemplate(models.Model):
    """What worked once, kept so colleagues can start from it (credited to its author)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="templates", verbose_name=_("team")
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="authored_templates", verbose_name=_("author")
    )
    source_project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made from"),
    )
    # A checklist template adds its tasks as subtasks of an existing task.
    is_checklist = models.BooleanField(_("checklist"), default=False)
    # The number of the current version; every use records the number it was made from.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateSection(models.Model):
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("template section")
        verbose_name_plural = _("template sections")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        TemplateSection, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subtasks"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Dates relative to the start date chosen when the template is used.
    start_offset_days = models.IntegerField(_("starts after (days)"), null=True, blank=True)
    due_offset_days = models.IntegerField(_("due after (days)"), null=True, blank=True)
    assignee_role = models.CharField(
        _("assign to"), max_length=8, choices=AssigneeRole.choices, blank=True, default=""
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NONE
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("template task")
        verbose_name_plural = _("template tasks")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectTemplateVersion(models.Model):
    """One kept version of a template: who saved it, why, and what it held then.

    `content` is a snapshot of the sections and tasks (names, titles, offsets, roles), so
    an older version can still be read after the template moved on.
    """

    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [
            # The template page's history and "made from an older version" look versions
            # up by number.
            models.UniqueConstraint(
                fields=["template", "number"], name="project_template_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class TemplateUse(models.Model):
    template = models.ForeignKey(ProjectTemplate, on_delete=models.CASCADE, related_name="uses")
    used_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The version used, and the team it was used for (adoption by team).
    version = models.PositiveIntegerField(_("version"), default=1)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whether the person using it was outside the template's (author's) team at the time:
    # reuse by others is what credits the author, so it is fixed when it happens.
    by_outsider = models.BooleanField(_("outside the author's team"), default=False)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("template use")
        verbose_name_plural = _("template uses")
        ordering = ["-used_at"]
        indexes = [
            # The template page's adoption over time: uses of one template by date.
            models.Index(fields=["template", "used_at"], name="template_use_by_date"),
        ]

    def __str__(self) -> str:
        return f"{self.template} by {self.used_by}"


# --- Status updates ---------------------------------------------------------------------


class ProjectHealth(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class ProjectStatusUpdate(models.Model):
    """A written status update a project's owner posts on a cadence (no meeting needed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_updates")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    health = models.CharField(_("status"), max_length=10, choices=ProjectHealth.choices)
    summary = models.TextField(_("summary"))
    next_milestone = models.CharField(_("next milestone"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["project", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(health__in=["on_track", "at_risk", "off_track"]),
                name="project_status_health_valid",
            ),
        ]
        indexes = [
            # The division overview and the reminder take each project's latest update.
            models.Index(fields=["project", "-created_at"], name="project_status_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_health_display()}"


class StatusCadence(models.Model):
    """How often a project's owner is reminded to post a status update (one row per project)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="status_cadence")
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)

    class Meta:
        verbose_name = _("status update cadence")
        verbose_name_plural = _("status update cadences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1, every_days__lte=90),
                name="status_cadence_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} every {self.every_days} days"


# --- Import -----------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def import_upload_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{filename}"


class ImportJob(models.Model):
    """One upload of an Asana CSV export; the worker fills in progress and the report."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="imports", verbose_name=_("project")
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=import_upload_path)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {"created": n, "updated": n, "errors": [{"line": n, "reason": "..."}],
    #  "unknown_assignees": ["name <email>", ...]}
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Moves on with every progress write, so a running job that stops moving was left
    # behind by a worker that died (see `is_stalled`).
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    def is_stalled(self) -> bool:
        """Running, but without progress for IMPORT_STALL_MINUTES: its worker is gone."""
        return self.status == ImportStatus.RUNNING and self.updated_at < stall_cutoff()

    def can_restart(self) -> bool:
        return self.status == ImportStatus.FAILED or self.is_stalled()


def stall_cutoff() -> datetime.datetime:
    """A running import whose last progress is older than this has stalled."""
    return timezone.now() - datetime.timedelta(minutes=settings.IMPORT_STALL_MINUTES)
