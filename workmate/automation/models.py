"""Automation's data: the event outbox, rules and their runs.

`Event` is the transactional outbox: one row per change, written in the same transaction
as the change (see `events.record_event`), so a rolled-back change leaves no event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet["Event"]):
    def unhandled(self) -> EventQuerySet:
        """Events the rules have not looked at yet (the sweeper's and the worker's queue)."""
        return self.filter(handled_at__isnull=True)

    def visible_to(self, user) -> EventQuerySet:
        """Events about a project the user can see, a desk team they belong to, or (for
        executives/staff) everything. Events without a scope are only for executives."""
        if user.is_executive:
            return self
        from workmate.work.models import Project

        return self.filter(
            models.Q(project__in=Project.objects.visible_to(user).values("pk"))
            | models.Q(team__memberships__user=user)
        ).distinct()


class Event(models.Model):
    """Something that happened, e.g. `ticket.sla_breached` for ticket 42.

    `id` grows with every event (allocation order); consumers that must not miss an event
    subscribe to `signals.event_recorded` inside the transaction instead of polling ids,
    because on PostgreSQL a lower id may commit after a higher one.
    """

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(_("event"), max_length=64)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # What it is about: "task", "ticket", "request", "comment", "proposal", "checkin", ...
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    # Where it happened: a rule scoped to a project or a desk team sees the events here.
    project = models.ForeignKey(
        "work.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A small JSON payload (ids, titles, old/new values); never a whole object.
    payload = models.JSONField(default=dict, blank=True)
    # The rule run whose action made this change (None: a person, a customer or the clock).
    cause_run = models.ForeignKey(
        "automation.RuleRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caused_events",
    )
    # How many rule runs led to this event: 0 when a person (or the clock) caused it.
    depth = models.PositiveSmallIntegerField(default=0)
    # When the rules finished with it; None while waiting (the sweeper's queue).
    handled_at = models.DateTimeField(null=True, blank=True)
    # Events the clock finds (an SLA at risk, a reply-by passed) are written once per
    # object and deadline: "sla_breached:42:2026-12-05T09:00:00+00:00". Empty otherwise.
    dedupe_key = models.CharField(max_length=120, blank=True, default="")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The sweeper: Event.objects.unhandled().order_by("id").
            models.Index(
                fields=["id"],
                condition=models.Q(handled_at__isnull=True),
                name="automation_event_unhandled",
            ),
            # An object's history: events about ticket 42, newest first.
            models.Index(fields=["object_type", "object_id", "-id"], name="automation_event_obj"),
            # The events list filtered by type.
            models.Index(fields=["type", "-id"], name="automation_event_type"),
        ]
        constraints = [
            # The clock's events once per object and deadline (clockwork.record_milestones).
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="automation_event_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object_type}:{self.object_id}"


class Scope(models.TextChoices):
    PROJECT = "project", _("Project")
    TEAM = "team", _("Desk team")
    ORG = "org", _("Whole organisation")


class TriggerKind(models.TextChoices):
    EVENT = "event", _("When something happens")
    TIME = "time", _("Before or after a deadline")
    SCHEDULE = "schedule", _("On a schedule")


class Deadline(models.TextChoices):
    DUE = "due", _("Task due")
    REPLY_BY = "reply_by", _("Request reply-by")
    SLA = "sla", _("Ticket SLA target")


class Every(models.TextChoices):
    DAY = "day", _("Every working day")
    WEEK = "week", _("Every week")


class ObjectType(models.TextChoices):
    TASK = "task", _("Task")
    TICKET = "ticket", _("Ticket")
    REQUEST = "request", _("Request")


class RuleQuerySet(models.QuerySet["Rule"]):
    def enabled(self) -> RuleQuerySet:
        return self.filter(enabled=True)

    def for_event(self, event: Event) -> RuleQuerySet:
        """The enabled event rules whose scope holds the event, in their order."""
        scope = models.Q(scope=Scope.ORG)
        if event.project_id:
            scope |= models.Q(scope=Scope.PROJECT, project_id=event.project_id)
        if event.team_id:
            scope |= models.Q(scope=Scope.TEAM, team_id=event.team_id)
        return (
            self.enabled()
            .filter(scope, trigger=TriggerKind.EVENT, event_type=event.type)
            .order_by("position", "pk")
        )


class Rule(models.Model):
    """When (trigger) / if (conditions) / then (actions), in a scope, owned by a person."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="automation_rules",
        verbose_name=_("owner"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="automation_rules",
        verbose_name=_("project"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="automation_rules",
        verbose_name=_("desk team"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    object_type = models.CharField(
        _("applies to"), max_length=10, choices=ObjectType.choices, default=ObjectType.TASK
    )
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=TriggerKind.choices, default=TriggerKind.EVENT
    )
    event_type = models.CharField(_("event"), max_length=64, blank=True)
    # Time-based: fire `offset_hours` working hours after the deadline (negative: before).
    deadline = models.CharField(_("deadline"), max_length=10, choices=Deadline.choices, blank=True)
    offset_hours = models.IntegerField(_("working hours"), default=0)
    # Schedule: every working day (or every week on `weekday`) at `at_time`, owner's zone.
    every = models.CharField(_("every"), max_length=5, choices=Every.choices, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    at_time = models.TimeField(_("at"), null=True, blank=True)
    # {"all": [{"field", "op", "value"}...], "any": [...]} (conditions.py).
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    # [{"type": an action key (actions.py), "params": {...}}...]
    actions = models.JSONField(_("actions"), default=list, blank=True)
    # Loops: events caused by a rule run trigger this rule only when it opts in.
    run_on_rule_events = models.BooleanField(_("also run on changes made by rules"), default=False)
    max_runs_per_hour = models.PositiveIntegerField(_("at most runs per hour"), default=100)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # The scope names exactly the object it needs (Rule.objects.for_event filters on it).
            models.CheckConstraint(
                condition=(
                    models.Q(scope="project", project__isnull=False, team__isnull=True)
                    | models.Q(scope="team", team__isnull=False, project__isnull=True)
                    | models.Q(scope="org", project__isnull=True, team__isnull=True)
                ),
                name="automation_rule_scope_matches",
            ),
        ]
        indexes = [
            # Rule.objects.for_event: the enabled rules for one event type.
            models.Index(fields=["trigger", "event_type"], name="automation_rule_event"),
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    DONE = "done", _("Done")
    NO_MATCH = "no_match", _("Conditions not met")
    FAILED = "failed", _("Failed")
    LOOP = "loop", _("Stopped: loop")
    RATE_LIMITED = "rate_limited", _("Skipped: too many runs")


class RuleRunQuerySet(models.QuerySet["RuleRun"]):
    def errors(self) -> RuleRunQuerySet:
        return self.filter(status__in=[RunStatus.FAILED, RunStatus.LOOP])


class RuleRun(models.Model):
    """One rule looked at one event (or one object at a time): the run log."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    rule_version = models.PositiveIntegerField()
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    status = models.CharField(_("outcome"), max_length=12, choices=RunStatus.choices)
    # [{"field", "op", "value", "result"}...] and the group results.
    conditions_result = models.JSONField(default=dict, blank=True)
    # [{"type", "outcome" (a sentence), "error" (a sentence or "")}...]
    actions_result = models.JSONField(default=list, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    ran_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    objects = RuleRunQuerySet.as_manager()

    class Meta:
        ordering = ["-ran_at", "-pk"]
        indexes = [
            # A rule's page: its last runs; the rate cap counts its runs in the last hour.
            models.Index(fields=["rule", "-ran_at"], name="automation_run_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.object_type}:{self.object_id} {self.status}"


class Firing(models.Model):
    """A time-based or scheduled rule fired for an object at a threshold: never again."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    # The moment the rule fired for (the deadline + offset, or the schedule's slot).
    threshold = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Once per object and threshold, even with two clocks racing (time.fire_due_rules).
            models.UniqueConstraint(
                fields=["rule", "object_type", "object_id", "threshold"],
                name="automation_firing_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.object_type}:{self.object_id} @ {self.threshold}"
