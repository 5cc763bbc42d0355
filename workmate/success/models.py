"""Customer success: SE's account view, meetings, and what customers say, routed and answered.

Built on the desk's customers. An `AccountProfile` adds the contract dates and a health
override to a `desk.Customer` (whose `se_owner` is the SE owner). Health is computed from
`HealthRule` rows (rules as data, every input shown). `Meeting`s carry notes, attendees and
`ActionItem`s (tasks in the customer's project). `FeedbackItem`s hold the customer's own
words, grouped into `Theme`s, and each is routed once (`FeedbackRoute`) to the team that can
act; its state follows the routed work until the SE owner writes the answer the customer
reads in the portal.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.desk.models import Contact, ContractTier, Customer, Satisfaction, Ticket


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    WATCH = "watch", _("Watch")
    AT_RISK = "at_risk", _("At risk")


# Worse health sorts first on the SE's list.
HEALTH_RANK = {Health.AT_RISK: 0, Health.WATCH: 1, Health.HEALTHY: 2}


class AccountProfile(models.Model):
    """SE's side of a customer: the contract and, when SE knows better, a health override."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="account", verbose_name=_("customer")
    )
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    renewal_on = models.DateField(
        _("renewal date"),
        null=True,
        blank=True,
        help_text=_("When the customer decides whether to renew."),
    )
    # The project where meeting action items and SD/LE tasks for this customer are kept.
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    health_override = models.CharField(
        _("health set by SE"), max_length=8, choices=Health.choices, blank=True
    )
    health_override_reason = models.TextField(_("reason"), blank=True)
    health_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    health_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            # The renewal reminder: accounts renewing within N days.
            models.Index(fields=["renewal_on"], name="success_account_renewal_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_start__lte=F("contract_end")),
                name="success_contract_start_before_end",
            ),
            # An override always says why.
            models.CheckConstraint(
                condition=Q(health_override="") | ~Q(health_override_reason=""),
                name="success_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(self.customer)

    def days_to_renewal(self, today: datetime.date | None = None) -> int | None:
        if self.renewal_on is None:
            return None
        return (self.renewal_on - (today or timezone.localdate())).days


class HealthInput(models.TextChoices):
    SLA_BREACHES = "sla_breaches", _("SLA breaches")
    CSAT_PERCENT = "csat_percent", _("CSAT (share rated good, %)")
    DAYS_SINCE_MEETING = "days_since_meeting", _("Days since the last meeting")
    OPEN_TICKETS = "open_tickets", _("Open tickets")
    OPEN_FEEDBACK = "open_feedback", _("Feedback not yet answered")
    DAYS_TO_RENEWAL = "days_to_renewal", _("Days to renewal")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class HealthRule(models.Model):
    """One rule of the health score, as data: "input compared with threshold → level".

    A customer's health is the worst level of the rules that match it (healthy when none
    does); the page lists each matching rule with the measured value. Windowed inputs
    (SLA breaches, CSAT) count over `window_days`; a rule with a tier applies to that tier
    only.
    """

    name = models.CharField(_("name"), max_length=100)
    input = models.CharField(_("input"), max_length=24, choices=HealthInput.choices)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    threshold = models.IntegerField(_("threshold"))
    window_days = models.PositiveSmallIntegerField(
        _("over the last (days)"),
        default=90,
        help_text=_("For SLA breaches and CSAT: how far back to count."),
    )
    level = models.CharField(
        _("sets health to"),
        max_length=8,
        choices=[(Health.WATCH, Health.WATCH.label), (Health.AT_RISK, Health.AT_RISK.label)],
    )
    tier = models.CharField(
        _("contract tier"),
        max_length=16,
        choices=ContractTier.choices,
        blank=True,
        help_text=_("Empty for every tier."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("health rule")
        verbose_name_plural = _("health rules")
        ordering = ["input", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[Health.WATCH, Health.AT_RISK]),
                name="success_rule_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(window_days__gt=0), name="success_rule_window_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, value: int | None) -> bool:
        if value is None:
            return False
        if self.comparison == Comparison.AT_LEAST:
            return value >= self.threshold
        return value <= self.threshold


class MeetingKind(models.TextChoices):
    CHECK_IN = "check_in", _("Regular check-in")
    QUARTERLY = "quarterly", _("Quarterly review")
    INCIDENT = "incident", _("Incident review")
    WORKSHOP = "workshop", _("Workshop")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_customer(self, customer: Customer) -> MeetingQuerySet:
        return self.filter(customer=customer)


class Meeting(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("customer")
    )
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes (Markdown)"), blank=True)
    contacts = models.ManyToManyField(
        Contact, blank=True, related_name="success_meetings", verbose_name=_("customer attendees")
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="customer_meetings",
        verbose_name=_("colleagues attending"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [
            # The account page's "last meeting" and the no-meeting reminder.
            models.Index(fields=["customer", "-held_on"], name="success_meeting_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("success:meeting", args=[self.pk])


class ActionItem(models.Model):
    """Something agreed in a meeting, asked of a colleague as a task with a reply-by."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked of"),
    )
    task = models.OneToOneField(
        "work.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ThemeQuerySet(models.QuerySet["Theme"]):
    def live(self) -> ThemeQuerySet:
        """Themes not merged into another."""
        return self.filter(merged_into__isnull=True)


class Theme(models.Model):
    """A topic many customers raise; feedback items are grouped under it."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="success_theme_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("success:theme", args=[self.pk])


class FeedbackSource(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    TICKET = "ticket", _("Ticket")
    MAIL = "mail", _("Mail")
    SURVEY = "survey", _("Survey comment")
    PORTAL = "portal", _("Portal")


class FeedbackArea(models.TextChoices):
    SERVICE = "service", _("Managed service")
    SUPPORT = "support", _("Support")
    BILLING = "billing", _("Billing")
    PERFORMANCE = "performance", _("Performance")
    SECURITY = "security", _("Security")
    NEW_SERVICE = "new_service", _("New service")
    OTHER = "other", _("Other")


class Importance(models.TextChoices):
    LOW = "low", _("Nice to have")
    MEDIUM = "medium", _("Important")
    HIGH = "high", _("Very important")
    CRITICAL = "critical", _("Blocking")


class FeedbackState(models.TextChoices):
    NEW = "new", _("New")
    ROUTED = "routed", _("With the team")
    TO_ANSWER = "to_answer", _("Decided, to tell the customer")
    ANSWERED = "answered", _("Answered")


OPEN_STATES = (FeedbackState.NEW, FeedbackState.ROUTED, FeedbackState.TO_ANSWER)


class FeedbackQuerySet(models.QuerySet["FeedbackItem"]):
    def open(self) -> FeedbackQuerySet:
        return self.exclude(state=FeedbackState.ANSWERED)

    def for_contact(self, contact: Contact) -> FeedbackQuerySet:
        """What a contact sees in the portal, as with tickets: their own items in their
        organisations, and every item of an organisation that shares its tickets."""
        from workmate.desk.models import ContactMembership

        mine = ContactMembership.objects.filter(contact=contact)
        shared = mine.filter(customer__shared_tickets=True)
        return self.filter(
            Q(contact=contact, customer__in=mine.values("customer"))
            | Q(customer__in=shared.values("customer"))
        )


class FeedbackItem(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("from"),
    )
    words = models.TextField(_("what they said (in their words)"))
    source = models.CharField(_("source"), max_length=8, choices=FeedbackSource.choices)
    area = models.CharField(_("area"), max_length=12, choices=FeedbackArea.choices)
    importance = models.CharField(
        _("importance to the customer"),
        max_length=8,
        choices=Importance.choices,
        default=Importance.MEDIUM,
    )
    is_idea = models.BooleanField(_("an idea"), default=False)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("theme"),
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The bad CSAT rating this item was made of: one item per rating, at most.
    satisfaction = models.OneToOneField(
        Satisfaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For colleagues only: never shown in the portal, mail to contacts or their API.
    internal_note = models.TextField(_("internal note"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FeedbackState.choices, default=FeedbackState.NEW
    )
    # What the customer reads once the loop is closed.
    answer = models.TextField(_("answer to the customer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the routed work was decided and the SE owner was asked to answer.
    ready_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The account page's open items and the portal's list, newest first.
            models.Index(fields=["customer", "state", "-created_at"], name="success_fb_cust_idx"),
            # The unanswered reminder: open items by age.
            models.Index(fields=["state", "created_at"], name="success_fb_state_idx"),
        ]
        constraints = [
            # An answered item has its answer and when it was written.
            models.CheckConstraint(
                condition=~Q(state="answered") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="success_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.words[:60]

    def get_absolute_url(self) -> str:
        return reverse("success:feedback", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.state == FeedbackState.ANSWERED


class RouteKind(models.TextChoices):
    PROPOSAL = "proposal", _("Voice proposal (internal improvement)")
    POC = "poc", _("NBD PoC (a new service)")
    LE = "le", _("LE engagement (a task for an LE architect)")
    SD = "sd", _("SD task")
    NO_ACTION = "no_action", _("No action")


class FeedbackRoute(models.Model):
    """Where one feedback item went, and when that work was decided."""

    item = models.OneToOneField(FeedbackItem, on_delete=models.CASCADE, related_name="route")
    kind = models.CharField(_("routed to"), max_length=10, choices=RouteKind.choices)
    proposal = models.ForeignKey(
        "voice.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_feedback",
    )
    poc = models.ForeignKey(
        "pipeline.PoC",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_feedback",
    )
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_feedback",
    )
    reason = models.TextField(_("reason"), blank=True)
    # What the routed work decided (the lead's answer, the PoC's decision), for the SE.
    outcome = models.TextField(_("outcome"), blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    routed_at = models.DateTimeField(_("routed"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = [
            # "No action" always says why (the work a route points at may later be deleted).
            models.CheckConstraint(
                condition=~Q(kind="no_action") | ~Q(reason=""),
                name="success_route_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.kind}"
