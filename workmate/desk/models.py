"""Customers of the MSP. Tickets, SLAs and the portal build on these (see the desk issue)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User


class Industry(models.TextChoices):
    FINANCE = "finance", _("Finance")
    PUBLIC = "public", _("Public sector")
    GAMING = "gaming", _("Gaming")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    HEALTHCARE = "healthcare", _("Healthcare")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class ContractTier(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    BUSINESS = "business", _("Business")
    STANDARD = "standard", _("Standard")


def validate_domains(value: list[str]) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Give the e-mail domains as a list."))
    for domain in value:
        try:
            validate_domain_name(domain)
        except ValidationError:
            raise ValidationError(
                _("“%(domain)s” is not a domain name."), params={"domain": domain}
            ) from None


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    tier = models.CharField(_("contract tier"), max_length=16, choices=ContractTier.choices)
    se_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("SE owner"),
    )
    le_architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="architected_customers",
        verbose_name=_("LE architect"),
    )
    email_domains = models.JSONField(
        _("e-mail domains"), default=list, blank=True, validators=[validate_domains]
    )
    # Whether the organisation's contacts see each other's tickets in the portal.
    shared_tickets = models.BooleanField(
        _("contacts see each other's tickets"),
        default=False,
        help_text=_("When off, each contact sees only the tickets they asked."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def sla_policy(self, priority: int) -> SLAPolicy | None:
        return SLAPolicy.objects.filter(tier=self.tier, priority=priority).first()


class ContactQuerySet(models.QuerySet["Contact"]):
    def active(self) -> ContactQuerySet:
        return self.filter(is_active=True)


class Contact(models.Model):
    """A customer's person: asks for help by e-mail, the portal or the API.

    Contacts are not Workmate users: they sign in to the portal only, with their own
    session key, so no internal page or role check can ever let them in.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    password = models.CharField(max_length=128, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    customers = models.ManyToManyField(
        Customer,
        through="ContactMembership",
        related_name="contacts",
        verbose_name=_("organisations"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_login = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name", "email"]
        constraints = [
            # Mail in looks contacts up by sender address regardless of case.
            models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def set_password(self, raw: str | None) -> None:
        self.password = make_password(raw) if raw else ""

    def check_password(self, raw: str) -> bool:
        return bool(self.password) and check_password(raw, self.password)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class ContactMembership(models.Model):
    """A contact belongs to one or more customer organisations."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "contact"], name="contact_membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.customer}"


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 · critical")
    P2 = 2, _("P2 · high")
    P3 = 3, _("P3 · normal")
    P4 = 4, _("P4 · low")


class SLAPolicy(models.Model):
    """Targets for one contract tier and priority, in business minutes of the support calendar."""

    tier = models.CharField(_("contract tier"), max_length=16, choices=ContractTier.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    around_the_clock = models.BooleanField(
        _("24×7"), default=False, help_text=_("Count every hour, not only business hours.")
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["tier", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="sla_policy_once"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_policy_targets_positive",
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__lte=F("resolution_minutes")),
                name="sla_policy_response_before_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.get_priority_display()}"


class Category(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    CHANGE_REQUEST = "change_request", _("Change request")
    BILLING = "billing", _("Billing")
    ARCHITECTURE = "architecture", _("Architecture question")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# The SLA clock does not run while the ticket waits on the customer.
PAUSED_STATUSES = {Status.PENDING}
DONE_STATUSES = {Status.SOLVED, Status.CLOSED}
# Active tickets (TicketQuerySet.active()), the condition of the queues' partial indexes.
# One `status = ...` test per status rather than `status IN (...)`: SQLite uses a partial
# index only when the query repeats its condition, and it can match a bound parameter
# against the index's literal in `status = ?`, but not inside an IN list.
ACTIVE = ~Q(status=Status.SOLVED) & ~Q(status=Status.CLOSED) & Q(merged_into__isnull=True)
# Active tickets whose SLA clock runs (not waiting on the customer), written the same way.
RUNNING = ACTIVE & ~Q(status=Status.PENDING)


def _past_due(now: datetime.datetime) -> Q:
    """A target missed: resolution due, or first response due while none was sent."""
    return Q(resolution_due__lte=now) | Q(
        first_responded_at__isnull=True, first_response_due__lte=now
    )


def _past_risk(now: datetime.datetime) -> Q:
    """Past 75 % of a target (the resolution, or the first response while none was sent)."""
    return Q(resolution_risk_at__lte=now) | Q(
        first_responded_at__isnull=True, first_response_risk_at__lte=now
    )


def sla_conditions(now: datetime.datetime) -> tuple[Q, Q]:
    """(breached, at risk) as conditions on an active ticket, for counting in one pass; the
    same tests as `TicketQuerySet.breached()` and `at_risk()`."""
    running = ~Q(status=Status.PENDING)
    breached = running & _past_due(now)
    return breached, running & _past_risk(now) & ~_past_due(now)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def active(self) -> TicketQuerySet:
        return self.filter(ACTIVE)

    def running(self) -> TicketQuerySet:
        """Active tickets whose SLA clock is running (not waiting on the customer)."""
        return self.active().exclude(status__in=PAUSED_STATUSES)

    def breached(self, now: datetime.datetime | None = None) -> TicketQuerySet:
        return self.running().filter(_past_due(now or timezone.now()))

    def at_risk(self, now: datetime.datetime | None = None) -> TicketQuerySet:
        """Running tickets past 75 % of a target but not yet breached."""
        now = now or timezone.now()
        # Not breached: the same test on the same row, rather than `pk NOT IN (breached)`,
        # which SQLite answered by reading every ticket without a merge (~200 ms at 200,000).
        # `resolution_due > now` says again what "not breached" implies (`sla.schedule` sets
        # the four SLA moments together, so a ticket at risk has a resolution due): written
        # out, it is where the queue's walk of the due index starts, past every breached
        # ticket rather than through them (9,625 of them at 200,000 tickets: 4 ms of SQL).
        return (
            self.running().filter(_past_risk(now), resolution_due__gt=now).exclude(_past_due(now))
        )

    def visible_to_contact(self, contact: Contact) -> TicketQuerySet:
        """A contact's own tickets, plus all of an organisation's that shares its tickets."""
        shared = ContactMembership.objects.filter(contact=contact, customer__shared_tickets=True)
        mine = ContactMembership.objects.filter(contact=contact)
        return self.filter(
            Q(requester=contact, customer__in=mine.values("customer"))
            | Q(customer__in=shared.values("customer"))
        )


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("customer"),
        help_text=_("Empty while the ticket waits in triage."),
    )
    requester = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("requester"),
    )
    # Who wrote in when no contact could be matched (triage).
    from_email = models.EmailField(_("from"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.P3
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.INCIDENT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    followers = models.ManyToManyField(User, blank=True, related_name="followed_tickets")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_tickets"
    )
    linked = models.ManyToManyField("self", blank=True, symmetrical=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The SLA: targets snapshotted from the policy when the ticket was opened (or its
    # priority changed), and the moments they fall due in the support calendar.
    sla_policy = models.ForeignKey(
        SLAPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_risk_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_risk_at = models.DateTimeField(null=True, blank=True)
    # Business time spent waiting on the customer so far, and since when it waits now.
    paused_seconds = models.PositiveIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Escalations already raised (P1 unacknowledged, breach), so each fires once.
    escalated_unacknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_breach_at = models.DateTimeField(null=True, blank=True)
    # An agent's hand-off to the customer's LE architect or SE owner: the agent keeps the
    # ticket (and the customer conversation), the person escalated to works on it with them.
    escalated_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_tickets",
        verbose_name=_("escalated to"),
        # ticket_active_escalated_idx serves the lookups by person (the queue).
        db_index=False,
    )
    escalated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalation_level = models.CharField(max_length=2, blank=True)  # "LE" or "SE"
    escalation_note = models.TextField(_("hand-off note"), blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "My queue": an agent's active tickets by resolution due.
            models.Index(fields=["assignee", "status", "resolution_due"], name="ticket_queue_idx"),
            # "Team unassigned" and triage.
            models.Index(fields=["team", "assignee", "status"], name="ticket_team_idx"),
            # Portal lists: a customer's tickets, newest first.
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            # At risk / breached scans over running tickets.
            models.Index(fields=["status", "resolution_risk_at"], name="ticket_risk_idx"),
            # The queues' order (resolution due, then pk) over the few thousand active tickets
            # of 200,000: "My queue" and "Unassigned" by assignee, the others by due alone, so a
            # page is a short index walk (bench/README.md, "Desk queues").
            models.Index(
                fields=["assignee", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_assignee_idx",
            ),
            # "Unassigned": PostgreSQL takes no order from `assignee_id IS NULL` (IS NULL makes
            # no equivalence, as `=` does), so over the index above it read every unassigned
            # active ticket and sorted them (60 ms of SQL at 200,000 tickets).
            models.Index(
                fields=["resolution_due", "id"],
                condition=ACTIVE & Q(assignee__isnull=True),
                name="ticket_active_unassigned_idx",
            ),
            # "Unassigned"'s capped count on PostgreSQL: a range per team of the viewer's,
            # read from the index alone (the condition holds the queue's other terms). Over
            # the index above it read every unassigned ticket and tested its team (10-14 ms
            # of SQL at 200,000 tickets; 0.2 ms so; bench/README.md, "by team").
            models.Index(
                fields=["team", "resolution_due", "id"],
                condition=ACTIVE & Q(assignee__isnull=True, customer__isnull=False),
                name="ticket_unassigned_team_idx",
            ),
            # "Escalated to me": the few active tickets escalated to one person, by due.
            models.Index(
                fields=["escalated_to", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_escalated_idx",
            ),
            # With the columns the queues filter on, so counting a queue reads the index only.
            models.Index(
                fields=[
                    "resolution_due",
                    "id",
                    "status",
                    "customer",
                    "first_responded_at",
                    "first_response_due",
                    "first_response_risk_at",
                    "resolution_risk_at",
                ],
                condition=ACTIVE,
                name="ticket_active_due_idx",
            ),
            # The filter bar over active tickets, each in the queues' order, so a filtered
            # page (and its capped count) is a range of its own index however many closed
            # tickets there are (issue 18): by status, customer and priority.
            models.Index(
                fields=["status", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_status_idx",
            ),
            models.Index(
                fields=["customer", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_customer_idx",
            ),
            models.Index(
                fields=["priority", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_priority_idx",
            ),
            models.Index(
                fields=["team", "resolution_due", "id"],
                condition=ACTIVE,
                name="ticket_active_team_idx",
            ),
            # The dashboard counts active tickets by status, priority, team and assignee,
            # breached and at risk, in one pass over this index alone (desk/dashboard.py).
            models.Index(
                fields=[
                    "status",
                    "priority",
                    "team",
                    "assignee",
                    "resolution_due",
                    "first_responded_at",
                    "first_response_due",
                    "first_response_risk_at",
                    "resolution_risk_at",
                ],
                condition=ACTIVE,
                name="ticket_active_dashboard_idx",
            ),
            # Every running ticket past a risk moment is a range of one of these two (the
            # resolution's; the first response's while unanswered), read from the index
            # alone. The dashboard counted breached and at risk through them until the SLA
            # moments ledger (DeskSlaCount, 0015); no dashboard query reads them now.
            models.Index(
                fields=[
                    "resolution_risk_at",
                    "assignee",
                    "resolution_due",
                    "first_responded_at",
                    "first_response_due",
                    # SQLite 3.40 reads the index alone only when it holds the columns of
                    # the terms its condition repeats too (8 ms more at 10,000 tickets).
                    "status",
                    "merged_into",
                ],
                condition=RUNNING,
                name="ticket_running_risk_idx",
            ),
            models.Index(
                fields=[
                    "first_response_risk_at",
                    "assignee",
                    "resolution_risk_at",
                    "first_response_due",
                    "status",
                    "merged_into",
                    "first_responded_at",
                ],
                condition=RUNNING & Q(first_responded_at__isnull=True),
                name="ticket_running_unanswered_idx",
            ),
            # The dashboard's oldest waiting tickets, its 30-day trend (opened, solved) and
            # today's first responses.
            models.Index(
                fields=["created_at", "id"], condition=ACTIVE, name="ticket_active_created_idx"
            ),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            # The trend's live day: tickets (not merged) opened, solved in a range, counted
            # from the index alone (SQLite needs merged_into in it for that). Partial, so
            # PostgreSQL never reads a ticket's merged tickets through them.
            models.Index(
                fields=["created_at", "merged_into"],
                condition=Q(merged_into__isnull=True),
                name="ticket_created_unmerged_idx",
            ),
            models.Index(
                fields=["solved_at", "merged_into"],
                condition=Q(merged_into__isnull=True),
                name="ticket_solved_unmerged_idx",
            ),
            # The ticket page's merged tickets. Nearly every ticket has no merged_into, and
            # SQLite's statistics count the NULLs as one value, so it would rather walk
            # ticket_created_idx through every ticket (335 ms at 200,000) than the FK's index.
            models.Index(
                fields=["merged_into", "created_at"],
                condition=Q(merged_into__isnull=False),
                name="ticket_merged_idx",
            ),
            # The dashboard's "in time today" (first responses, solved): today's range read
            # from the index alone with the due it is compared with (27 ms of SQL at 200,000
            # tickets when each of today's first responses was read from the table).
            models.Index(
                fields=["first_responded_at", "first_response_due", "merged_into"],
                condition=Q(merged_into__isnull=True, first_response_due__isnull=False),
                name="ticket_first_response_met_idx",
            ),
            models.Index(
                fields=["solved_at", "resolution_due", "merged_into"],
                condition=Q(merged_into__isnull=True, resolution_due__isnull=False),
                name="ticket_solved_met_idx",
            ),
            models.Index(fields=["solved_at"], name="ticket_solved_idx"),
            # Answered tickets only: the reports' ranges of first responses. With every
            # unanswered ticket in it, SQLite's statistics made `first_responded_at IS NULL`
            # look like two rows, and it read the dashboard's unanswered tickets at risk
            # through it (100 ms at 200,000 tickets) instead of their own index.
            models.Index(
                fields=["first_responded_at"],
                condition=Q(first_responded_at__isnull=False),
                name="ticket_first_response_idx",
            ),
            # "All tickets" in the same order, and the API list by last change.
            models.Index(fields=["resolution_due", "id"], name="ticket_due_idx"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="ticket_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(status=Status.NEW),
                name="ticket_triage_is_new",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("desk:ticket", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The solved moment as read: when a save changes it, the dashboard's trend must
        # recount the day it was solved before (stats.ticket_saved marks that day).
        instance._loaded_solved_at = instance.__dict__.get("solved_at")
        return instance

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def sla_target(self) -> str:
        """The target the SLA clock counts down to: "first_response" until the first reply
        (it falls due no later than resolution), then "resolution"; "" without an SLA."""
        if self.sla_policy_id is None or self.resolution_due is None:
            return ""
        unanswered = self.first_responded_at is None and self.first_response_due is not None
        if unanswered and self.status not in DONE_STATUSES and not self.is_paused:
            return "first_response"
        return "resolution"

    def sla_due(self) -> datetime.datetime | None:
        """When the target of `sla_target()` falls due."""
        target = self.sla_target()
        if target == "first_response":
            return self.first_response_due
        return self.resolution_due if target else None

    def sla_state(self, now: datetime.datetime | None = None) -> str:
        """ "ok", "at_risk", "breached", "paused", "met" or "none" (no policy)."""
        now = now or timezone.now()
        if self.sla_policy_id is None or self.resolution_due is None:
            return "none"
        if self.status in DONE_STATUSES:
            met = self.solved_at is not None and self.solved_at <= self.resolution_due
            return "met" if met else "breached"
        if self.is_paused:
            return "paused"
        first_due = self.first_response_due if self.first_responded_at is None else None
        if self.resolution_due <= now or (first_due is not None and first_due <= now):
            return "breached"
        first_risk = self.first_response_risk_at if self.first_responded_at is None else None
        risk = self.resolution_risk_at
        if (risk is not None and risk <= now) or (first_risk is not None and first_risk <= now):
            return "at_risk"
        return "ok"


class EntryKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("Change")


class TicketEntry(models.Model):
    """One line of a ticket's timeline: a message, a reply, an internal note or a change."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket_entries"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket_entries"
    )
    body = models.TextField(_("text"), blank=True)
    # A note the desk wrote itself: its sentences as message ids and parameters, so each
    # agent reads it in their own language (desk/notes.py); `body` keeps it as written.
    system_note = models.JSONField(default=list, blank=True)
    # For changes: which field, from what, to what (codes for status and priority).
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    # Mail threading: the Message-ID of the mail this entry came in as or went out as.
    message_id = models.CharField(max_length=300, blank=True, default="")
    minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    billable = models.BooleanField(_("billable"), default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="ticket_entry_timeline_idx"),
        ]
        constraints = [
            # The same Message-ID twice makes one entry, not two (mail in is retried).
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="ticket_entry_message_once"
            ),
            # Only agents' replies and notes carry time.
            models.CheckConstraint(
                condition=Q(minutes=0) | Q(kind__in=["reply", "note"]),
                name="ticket_entry_time_on_agent_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    def shown_body(self) -> str:
        """The text in the reader's language when the desk wrote it, else as typed."""
        if self.system_note:
            from workmate.desk.notes import told

            return told(self.system_note)
        return self.body

    @property
    def is_public(self) -> bool:
        return self.kind in {EntryKind.CUSTOMER, EntryKind.REPLY}


def ticket_attachment_path(instance: TicketAttachment, filename: str) -> str:
    return f"tickets/{instance.entry.ticket_id}/{secrets.token_hex(8)}"


class TicketAttachment(models.Model):
    entry = models.ForeignKey(TicketEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=ticket_attachment_path, max_length=300)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A saved reply with placeholders ({{ contact_name }}, {{ ticket_number }}, ...)."""

    name = models.CharField(_("name"), max_length=120)
    body = models.TextField(_("reply text"))
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: offered to every team."),
    )
    # Applying the macro may also move the ticket (e.g. to "pending customer").
    set_status = models.CharField(_("then set status"), max_length=10, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    used_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(set_status="") | Q(set_status__in=Status.values),
                name="macro_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def set_status_label(self) -> str:
        """The status the macro sets, in the reader's language ("" for none)."""
        return Status(self.set_status).label if self.set_status in Status.values else ""


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    BAD = "bad", _("Bad")


class Satisfaction(models.Model):
    """The contact's answer to "how did we do?" after a ticket was solved."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.CharField(_("rating"), max_length=4, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}"


class IdempotencyKey(models.Model):
    """A POST retried with the same Idempotency-Key returns the first result, not a copy."""

    key = models.CharField(max_length=200)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # A digest of the request body: the same key with another body is a client error.
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once"),
        ]

    def __str__(self) -> str:
        return self.key


class InboundStatus(models.TextChoices):
    TICKET = "ticket", _("Opened a ticket")
    THREADED = "threaded", _("Added to a ticket")
    TRIAGE = "triage", _("Sent to triage")
    DUPLICATE = "duplicate", _("Duplicate")
    AUTO_REPLY = "auto_reply", _("Automatic reply (ignored)")
    FAILED = "failed", _("Could not be read")
    DISMISSED = "dismissed", _("Dismissed by an agent")


# Mail held back from the desk (automatic-looking or unreadable) until an agent decides:
# the "Suspended mail" page lists these.
SUSPENDED_STATUSES = [InboundStatus.AUTO_REPLY, InboundStatus.FAILED]


class InboundMessageQuerySet(models.QuerySet["InboundMessage"]):
    def suspended(self) -> InboundMessageQuerySet:
        return self.filter(status__in=SUSPENDED_STATUSES)


class InboundMessage(models.Model):
    """Every mail that reached the desk, kept raw, with what became of it: nothing is lost."""

    message_id = models.CharField(max_length=300, blank=True, default="")
    from_email = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    raw = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, default="smtp")  # "smtp" or "imap"
    status = models.CharField(_("outcome"), max_length=12, choices=InboundStatus.choices)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    note = models.TextField(_("why"), blank=True)
    # Who decided about suspended mail (made a ticket, released to triage, dismissed), when.
    handled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        ordering = ["-received_at"]
        indexes = [
            # Duplicate check on arrival and the triage list.
            models.Index(fields=["message_id"], name="inbound_message_id_idx"),
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_email}: {self.subject}"


# --- Report aggregates (issue 18 point 3; workmate/desk/stats.py) ----------------------


class DeskDay(models.Model):
    """The report figures of the tickets opened on one day (support calendar's zone), per
    team, customer and priority; replaced whole when the day is rolled up again.

    Durations are histograms {business minutes (bucketed, see stats.bucket): tickets}.
    Unanswered tickets with a first-response due count as late once the due has passed:
    their dues (sorted, Unix seconds) let a reader count them at any moment.
    """

    day = models.DateField()
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority = models.PositiveSmallIntegerField()
    tickets = models.PositiveIntegerField(default=0)
    first_response_answered = models.PositiveIntegerField(default=0)
    first_response_met = models.PositiveIntegerField(default=0)
    unanswered_dues = models.JSONField(default=list)
    solved = models.PositiveIntegerField(default=0)
    resolution_counted = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    first_response_minutes = models.JSONField(default=dict)
    resolution_minutes = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["day"], name="deskday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.team_id}/{self.customer_id}/P{self.priority}: {self.tickets}"


class DeskTrendDay(models.Model):
    """How many tickets were opened and how many solved on one day (support calendar's
    zone), merged ones left out: the dashboard's 30-day trend. Rolled up with `DeskDay`
    (whose rows are by the day a ticket was opened, so they cannot say what was solved on
    a day); a day without tickets opened or solved has no row."""

    day = models.DateField(unique=True)
    opened = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.opened} opened, {self.solved} solved"


class DeskDirtyDay(models.Model):
    """A rolled-up day a ticket change touched since: read live until rolled up again.

    Marked in the same transaction as the change (workmate/desk/stats.py's receivers).
    """

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return str(self.day)


class DeskStatsState(models.Model):
    """One row: days before `rolled_until` are rolled up, for the calendar `calendar_key`."""

    rolled_until = models.DateField(null=True, blank=True)
    calendar_key = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"rolled until {self.rolled_until}"


class DeskActiveCount(models.Model):
    """A ledger of how many active tickets (`Ticket.objects.active()`) have one status,
    priority, team and assignee: the dashboard's counts are `SUM(count)` of these rows by
    combination (a few hundred rows, not every active ticket; issue 18).

    Written by database triggers on desk_ticket (migration 0013, one set per database), in
    the same transaction as every insert, update and delete of a ticket, whatever wrote it: a
    service's save, `QuerySet.update`, `bulk_create`, `bulk_update`, a raw statement. The
    triggers only INSERT: a row of -1 for the ticket's old combination (when it was active)
    and one of +1 for its new one (when it is). Insert-only because one counter row per
    combination, updated in place, was a hot row: every new ticket of the same combination
    (new, unassigned, triage) waited on the row lock the previous ticket's transaction held
    until it committed, serialising ticket creation across processes; and two transactions
    changing several tickets (bulk assign, merge, automation) locked counter rows in
    opposite orders and deadlocked. Inserts take no lock another writer waits on.

    `stats.compact_active_counts()` (the clock's `compact_desk_active_counts`, every minute)
    folds the rows into one per combination; `stats.rebuild_active_counts()`
    (`rebuild_desk_stats`) recounts from scratch. No team or no assignee is 0, so the
    combinations group without NULLs. No unique key: a combination has many rows between
    compactions."""

    status = models.CharField(max_length=10, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    team_id = models.IntegerField(default=0)  # 0: no team
    assignee_id = models.IntegerField(default=0)  # 0: nobody
    count = models.IntegerField(default=0)  # +1 or -1 from a trigger, a sum once compacted

    class Meta:
        indexes = [
            # The dashboard's and the compaction's grouping read in order, without a sort
            # (not unique: a combination has many rows between compactions).
            models.Index(
                fields=["status", "priority", "team_id", "assignee_id", "count"],
                name="desk_active_count_key_idx",
            ),
        ]

    def __str__(self) -> str:
        key = f"{self.status} P{self.priority} team {self.team_id} agent {self.assignee_id}"
        return f"{key}: {self.count}"


class DeskSlaCount(models.Model):
    """A ledger of the running tickets' SLA moments, per assignee: the dashboard's breached
    and at-risk counts now are `SUM(count)` of the rows whose moment has passed (issue 18).

    Each running ticket (`Ticket.objects.running()`) with a due has a row of +1 of kind
    "due" at its due moment (the resolution due, or the first response due while none was
    sent, whichever comes first: past it, the ticket is breached) and one of kind "risk" at
    the moment it is first at risk or breached (the earliest of its risk moments and dues).
    So at any moment breached = the due rows passed, and at risk = the risk rows passed
    minus the due rows passed: the same tests as `sla_conditions`, without reading a
    ticket. Counted live over the tickets, they grew with the breached backlog (~10,000
    tickets at 200,000: a sort of all of them by agent, 6.5 ms on SQLite).

    Written by database triggers on desk_ticket (migration 0015), in the ticket's own
    transaction, whatever wrote it; insert-only as `DeskActiveCount` (a -1 row at the old
    moment and a +1 at the new one when a ticket's moment, assignee or running state
    changes), so no two writers wait on a row. `stats.compact_sla_counts()` (the clock's
    `compact_desk_sla_counts`) folds the rows passed some minutes ago into one row per
    kind and assignee at that bound, so a reading sums a few dozen rows plus the moments
    passed since; the rows still ahead stay one per ticket until they pass."""

    KINDS = ("risk", "due")

    kind = models.CharField(max_length=4)  # "risk" or "due"
    assignee_id = models.IntegerField(default=0)  # 0: nobody
    at = models.DateTimeField()
    count = models.IntegerField(default=0)  # +1 or -1 from a trigger, a sum once folded

    class Meta:
        indexes = [
            # The dashboard's reading (the rows passed at a moment) and the compaction's,
            # each a range read alone.
            models.Index(
                fields=["at", "kind", "assignee_id", "count"], name="desk_sla_count_at_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["risk", "due"]), name="desk_sla_count_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} agent {self.assignee_id} at {self.at:%Y-%m-%d %H:%M}: {self.count}"
