"""Outgoing webhooks and chat destinations (endpoints), their deliveries and attempts,
and incoming webhooks.

An endpoint is a URL that gets events: a Standard Webhooks receiver, or a chat tool's
incoming webhook (Slack, Teams, JANDI) that gets a message in the endpoint's language.
Each event it subscribes to becomes one `Delivery` (unique per event × endpoint), written
in the transaction of the change; each try of a delivery is an `Attempt`.

Order: an endpoint's deliveries go out one at a time, oldest first, and a delivery waiting
for a retry holds back the later ones of the same endpoint (never another endpoint's).
So a receiver that fails and recovers gets every event, in event order, and each message
also carries the event id (growing) and time.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.webhooks import signing

# How long after a try fails the next one is made: the first try at once, then these
# waits; after the last, the delivery is dead (kept, replayable).
SCHEDULE = [
    datetime.timedelta(0),
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
# An endpoint failing this long without a success is disabled, and its owner told.
DISABLE_AFTER = datetime.timedelta(days=5)
# How long the old secret still signs after a rotation.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


class EndpointKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook (Standard Webhooks, signed)")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams workflow webhook")
    JANDI = "jandi", _("JANDI incoming webhook")


CHAT_KINDS = {EndpointKind.SLACK, EndpointKind.TEAMS, EndpointKind.JANDI}


class EndpointScope(models.TextChoices):
    PROJECT = "project", _("Project")
    TEAM = "team", _("Desk team")
    ORG = "org", _("Whole organisation")


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def enabled(self) -> EndpointQuerySet:
        return self.filter(disabled_at__isnull=True)

    def chats(self) -> EndpointQuerySet:
        return self.filter(kind__in=CHAT_KINDS)

    def webhooks(self) -> EndpointQuerySet:
        return self.filter(kind=EndpointKind.WEBHOOK)

    def for_event(self, event) -> EndpointQuerySet:
        """The enabled endpoints whose scope holds the event (types are matched after)."""
        scope = Q(scope=EndpointScope.ORG)
        if event.project_id:
            scope |= Q(scope=EndpointScope.PROJECT, project_id=event.project_id)
        if event.team_id:
            scope |= Q(scope=EndpointScope.TEAM, team_id=event.team_id)
        return self.enabled().filter(scope)

    def due(self, now: datetime.datetime) -> EndpointQuerySet:
        """Enabled endpoints with a waiting delivery, not held back for a retry, that no
        worker holds (the sweeper's query)."""
        waiting = Delivery.objects.filter(endpoint=models.OuterRef("pk"), status="waiting")
        return (
            self.enabled()
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(models.Exists(waiting))
        )


class Endpoint(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=8, choices=EndpointKind.choices, default=EndpointKind.WEBHOOK
    )
    url = models.URLField(_("URL"), max_length=1000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("owner"),
    )
    scope = models.CharField(_("scope"), max_length=8, choices=EndpointScope.choices)
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("project"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("desk team"),
    )
    # Dotted event types ("ticket.created"); a chat destination may have none and only
    # get what rules post to it.
    event_types = models.JSONField(_("events"), default=list, blank=True)
    # The language of a chat destination's messages.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Standard Webhooks secrets: the current one, and the one before a rotation, which
    # still signs until `previous_secret_until`.
    secret = models.CharField(max_length=100, default=signing.new_secret)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    # Since when every try has failed (None: the last try succeeded, or none yet).
    failing_since = models.DateTimeField(null=True, blank=True)
    # The delivery queue: when its first waiting delivery is due (None: nothing waits),
    # and the worker holding it (a lease, so a dead worker's hold runs out).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    # A job for this endpoint is queued and has not started (services.wake_after_commit).
    wake_queued = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="project", project__isnull=False, team__isnull=True)
                    | Q(scope="team", team__isnull=False, project__isnull=True)
                    | Q(scope="org", project__isnull=True, team__isnull=True)
                ),
                name="webhooks_endpoint_scope_target",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_chat(self) -> bool:
        return self.kind in CHAT_KINDS

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types

    def signing_secrets(self, now: datetime.datetime | None = None) -> list[str]:
        """The secrets that sign now: the current one, and the old one during an overlap."""
        now = now or timezone.now()
        found = [self.secret]
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            found.append(self.previous_secret)
        return found

    def secret_hint(self) -> str:
        return f"whsec_…{self.secret[-4:]}"


class DeliveryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Failed for good")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def waiting(self) -> DeliveryQuerySet:
        return self.filter(status=DeliveryStatus.WAITING)

    def failed(self) -> DeliveryQuerySet:
        """Dead, or waiting after a failed try: what "replay all failed" sends again."""
        return self.filter(
            Q(status=DeliveryStatus.DEAD) | Q(status=DeliveryStatus.WAITING, attempt_count__gt=0)
        )


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(12)


class Delivery(models.Model):
    """One message to one endpoint; its `message_id` is the `webhook-id` of every try."""

    id = models.BigAutoField(primary_key=True)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        "automation.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What makes it unique for its endpoint: "event:<id>", a rule action's key, "test:…".
    key = models.CharField(max_length=80)
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    event_type = models.CharField(_("event"), max_length=64)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.WAITING
    )
    attempt_count = models.PositiveIntegerField(_("tries"), default=0)
    # Tries made in the current round of the schedule (a replay starts a new round).
    step = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next try"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            # At most one delivery per event (or action run) and endpoint, whatever retries.
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhooks_delivery_once"),
        ]
        indexes = [
            # The queue head: endpoint.deliveries.waiting().order_by("id").
            models.Index(
                fields=["endpoint", "id"],
                condition=Q(status="waiting"),
                name="webhooks_delivery_waiting",
            ),
            # The delivery log: an endpoint's deliveries, newest first.
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"

    @property
    def is_failing(self) -> bool:
        return self.status == DeliveryStatus.WAITING and self.attempt_count > 0


class Attempt(models.Model):
    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("try"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    request_headers = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    response_excerpt = models.TextField(_("answer body"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            # Two workers cannot record the same try of a delivery.
            models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_incoming_token() -> str:
    return secrets.token_urlsafe(24)


class IncomingHook(models.Model):
    """A URL with a secret that turns a JSON body into a task in a project."""

    name = models.CharField(_("name"), max_length=100)
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.CASCADE,
        related_name="incoming_hooks",
        verbose_name=_("project"),
    )
    # Tasks are created as this person (who set the hook up), with their rights.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="incoming_hooks",
        verbose_name=_("owner"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_incoming_token)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("incoming webhook")
        verbose_name_plural = _("incoming webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class IncomingItem(models.Model):
    """What an incoming webhook made of one external id: the same id twice makes one task."""

    hook = models.ForeignKey(IncomingHook, on_delete=models.CASCADE, related_name="items")
    external_id = models.CharField(max_length=200)
    task = models.ForeignKey("work.Task", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Idempotency: a sender retrying the same id gets the first task back.
            models.UniqueConstraint(fields=["hook", "external_id"], name="webhooks_incoming_once")
        ]

    def __str__(self) -> str:
        return self.external_id
