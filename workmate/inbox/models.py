"""Notifications, how each person wants them delivered, digests and the urgent audit.

One `Notification` row per recipient, written in the same transaction as the change that
caused it. Whether it is e-mailed at once, waits for the daily digest or stays in the app
is decided by the recipient's preference for its kind, snapshotted on the row as
`channel`, and by the recipient's working hours and quiet hours at the moment of sending.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import User


class Kind(models.TextChoices):
    REQUEST = "request", _("Requests sent to you")
    REPLY = "reply", _("Replies to your requests")
    ASSIGNED = "assigned", _("Tickets and tasks assigned to you")
    MENTION = "mention", _("@mentions")
    COMMENT = "comment", _("Comments on what you follow or wrote")
    REPLY_BY_SOON = "reply_by_soon", _("Reply-by approaching")
    REPLY_BY_PASSED = "reply_by_passed", _("Reply-by passed")
    UNBLOCKED = "unblocked", _("Tasks no longer blocked")
    CHECKIN = "checkin", _("Check-ins")
    TICKET = "ticket", _("Ticket events")
    ANSWER = "answer", _("Answers to proposals you follow")
    PAGE = "page", _("Library pages you own or approve")
    REVIEW = "review", _("Review cycles")
    AUTOMATION = "automation", _("Automation rules")
    CUSTOMER = "customer", _("Your customers: feedback to answer, renewals, meetings")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")


# What a person gets before they choose: what needs them soon is e-mailed (within their
# working hours), the rest waits for the digest.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.REQUEST: Channel.EMAIL,
    Kind.REPLY: Channel.DIGEST,
    Kind.ASSIGNED: Channel.EMAIL,
    Kind.MENTION: Channel.EMAIL,
    Kind.COMMENT: Channel.DIGEST,
    Kind.REPLY_BY_SOON: Channel.EMAIL,
    Kind.REPLY_BY_PASSED: Channel.EMAIL,
    Kind.UNBLOCKED: Channel.DIGEST,
    Kind.CHECKIN: Channel.EMAIL,
    Kind.TICKET: Channel.EMAIL,
    Kind.ANSWER: Channel.EMAIL,
    Kind.PAGE: Channel.DIGEST,
    # Review steps are days long: the digest is soon enough.
    Kind.REVIEW: Channel.DIGEST,
    # A rule that tells someone (or a rule stopped as a loop) should be seen the same day.
    Kind.AUTOMATION: Channel.EMAIL,
    # Feedback to answer and renewals are days long too.
    Kind.CUSTOMER: Channel.DIGEST,
}


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def awake(self, now: datetime.datetime | None = None) -> NotificationQuerySet:
        """Not snoozed, or snoozed until a moment that has come."""
        return self.filter(
            Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now or timezone.now())
        )

    def unread(self, now: datetime.datetime | None = None) -> NotificationQuerySet:
        return self.awake(now).filter(read_at__isnull=True, archived_at__isnull=True)

    def not_archived(self) -> NotificationQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> NotificationQuerySet:
        return self.filter(archived_at__isnull=False)

    def snoozed(self, now: datetime.datetime | None = None) -> NotificationQuerySet:
        return self.filter(archived_at__isnull=True, snoozed_until__gt=now or timezone.now())

    def pending_digest(self) -> NotificationQuerySet:
        """Still to tell by mail: not e-mailed, not in a digest, not seen, not in-app only."""
        return self.filter(
            emailed_at__isnull=True,
            digest__isnull=True,
            read_at__isnull=True,
            archived_at__isnull=True,
        ).exclude(channel=Channel.IN_APP)


class Notification(models.Model):
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The inbox groups notifications by what they are about: "task:12", "ticket:7", ...
    group_key = models.CharField(max_length=40)
    task = models.ForeignKey(
        "work.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("about"), max_length=300)
    excerpt = models.TextField(_("excerpt"), blank=True)
    url = models.CharField(max_length=500)
    urgent_reason = models.TextField(_("why urgent"), blank=True)
    # Reminders the clock raises carry a key so that running the clock twice adds nothing.
    dedupe_key = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox tabs and the unread count in the nav.
            models.Index(
                fields=["recipient", "archived_at", "read_at", "created_at"], name="inbox_list_idx"
            ),
            # Building a digest: what has not been mailed yet, per person.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at__isnull=True, digest__isnull=True, read_at__isnull=True),
                name="inbox_pending_digest_idx",
            ),
        ]
        constraints = [
            # One reminder per request and moment, however often the clock runs.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="inbox_notification_dedupe",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="inbox_notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.sentence()}"

    @property
    def urgent(self) -> bool:
        return bool(self.urgent_reason)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def sentence(self) -> str:
        """What happened, in the active language (the reader's, not the actor's)."""
        params = {
            "actor": self.actor.full_name if self.actor_id else gettext("Someone"),
            "title": self.title,
        }
        sentences = {
            Kind.REQUEST: gettext("%(actor)s sent you a request: %(title)s"),
            Kind.REPLY: gettext("%(actor)s replied to your request: %(title)s"),
            Kind.ASSIGNED: gettext("%(actor)s assigned you: %(title)s"),
            Kind.MENTION: gettext("%(actor)s mentioned you on %(title)s"),
            Kind.COMMENT: gettext("%(actor)s commented on %(title)s"),
            Kind.REPLY_BY_SOON: gettext("Reply-by in under two working hours: %(title)s"),
            Kind.REPLY_BY_PASSED: gettext("Reply-by passed: %(title)s"),
            Kind.UNBLOCKED: gettext("No longer blocked: %(title)s"),
            Kind.CHECKIN: gettext("Check-in to write: %(title)s"),
            Kind.TICKET: gettext("%(actor)s updated %(title)s"),
            Kind.ANSWER: gettext("%(actor)s answered the proposal %(title)s"),
            # The library writes its title as the whole sentence, in the reader's language.
            Kind.PAGE: "%(title)s",
            Kind.AUTOMATION: "%(title)s",  # A rule writes its own sentence.
        }
        if self.kind in (Kind.REVIEW, Kind.CUSTOMER):
            # Written as a sentence in the reader's language (reviews, success).
            return self.title
        if self.kind == Kind.TICKET and not self.actor_id:
            return self.title  # The clock's and the customer's news carry their own sentence.
        return sentences[Kind(self.kind)] % params


class DeliveryPreference(models.Model):
    """A person's choice of channel for one kind of event; missing rows use DEFAULT_CHANNELS."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="delivery_preferences")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="inbox_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.channel}"


class InboxSettings(models.Model):
    """When a person's daily digest goes out; no row means the defaults."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="inbox_settings")
    # Local time in the person's own zone; empty means the start of their working day.
    digest_time = models.TimeField(_("digest time"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return str(self.user)


class Digest(models.Model):
    """One daily digest sent to one person; the unique day makes sending it twice impossible."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digests")
    local_date = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="inbox_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.local_date}"


class UrgentMark(models.Model):
    """The audit trail of every urgent notification: who, to whom, why, when."""

    sender = models.ForeignKey(User, on_delete=models.PROTECT, related_name="urgent_marks_sent")
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="urgent_marks")
    reason = models.TextField(_("why urgent"))
    title = models.CharField(_("about"), max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("urgent notification")
        verbose_name_plural = _("urgent notifications")
        ordering = ["-created_at"]
        indexes = [
            # The per-sender daily limit counts a sender's marks since a moment.
            models.Index(fields=["sender", "created_at"], name="inbox_urgent_sender_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="inbox_urgent_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}: {self.title}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private iCalendar address; resetting the token revokes the old address."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class ClockTick(models.Model):
    """One row per minute the clock has started its periodic tasks for.

    Several clock processes may run (one beside each worker); the unique minute makes only
    one of them enqueue each minute's work.
    """

    minute = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return self.minute.isoformat()
