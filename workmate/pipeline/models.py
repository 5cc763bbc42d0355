"""NBD's pipeline: a proof of concept (PoC) from an idea to a rolled-out template.

A PoC moves idea → running → decided → documented → templated → rolled out, or is
dropped with a reason at any point before it is rolled out. Each step has a gate
(`services.GATES`): a hypothesis, criteria and a time box to run; a decision record in
the MADR shape to be decided; a verified runbook page to be documented; a project or
page template to be templated; the adopting teams to be rolled out. Every change is an
event on the PoC's timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.lib.urls import reverse_ids


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    RUNNING = "running", _("Running")
    DECIDED = "decided", _("Decided")
    DOCUMENTED = "documented", _("Documented")
    TEMPLATED = "templated", _("Templated")
    ROLLED_OUT = "rolled_out", _("Rolled out")
    DROPPED = "dropped", _("Dropped")


# The way forward, in order; `dropped` is a side exit from any of them but the last.
FORWARD = [
    Stage.IDEA,
    Stage.RUNNING,
    Stage.DECIDED,
    Stage.DOCUMENTED,
    Stage.TEMPLATED,
    Stage.ROLLED_OUT,
]


class Source(models.TextChoices):
    PROPOSAL = "proposal", _("A Voice proposal")
    COLLEAGUE = "colleague", _("A colleague's idea")
    CONTRACT = "contract", _("A new vendor contract")


class Decision(models.TextChoices):
    GO = "go", _("Go")
    NO_GO = "no_go", _("No-go")


class VendorContract(models.Model):
    """A newly contracted vendor or cloud service: NBD reviews each one as a PoC idea."""

    vendor = models.CharField(_("vendor"), max_length=200)
    service = models.CharField(_("service"), max_length=200)
    contracted_on = models.DateField(_("contract date"))
    account_manager = models.CharField(_("account manager"), max_length=200)
    account_manager_email = models.EmailField(_("account manager's e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("vendor contract")
        verbose_name_plural = _("vendor contracts")
        ordering = ["-contracted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.service}"


class PoCQuerySet(models.QuerySet["PoC"]):
    def active(self) -> PoCQuerySet:
        return self.exclude(stage__in=[Stage.ROLLED_OUT, Stage.DROPPED])

    def running(self) -> PoCQuerySet:
        return self.filter(stage=Stage.RUNNING)


class PoC(models.Model):
    title = models.CharField(_("title"), max_length=200)
    idea = models.TextField(_("the idea"))
    source = models.CharField(_("where it came from"), max_length=10, choices=Source.choices)
    proposal = models.OneToOneField(
        "voice.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poc",
        verbose_name=_("proposal"),
    )
    contract = models.OneToOneField(
        VendorContract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poc",
        verbose_name=_("vendor contract"),
    )
    suggested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested by"),
    )
    # The hypothesis, in three parts: "we believe … will … measured by …".
    believe = models.TextField(_("we believe"), blank=True)
    will = models.TextField(_("will"), blank=True)
    measured_by = models.TextField(_("measured by"), blank=True)
    starts_on = models.DateField(_("time box starts"), null=True, blank=True)
    ends_on = models.DateField(_("time box ends"), null=True, blank=True)
    budget_krw = models.PositiveBigIntegerField(_("budget (KRW)"), null=True, blank=True)
    actual_cost_krw = models.PositiveBigIntegerField(_("actual cost (KRW)"), null=True, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="owned_pocs", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="pocs", verbose_name=_("team")
    )
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pocs",
        verbose_name=_("project"),
    )
    tasks = models.ManyToManyField(
        "work.Task", blank=True, related_name="pocs", verbose_name=_("linked tasks")
    )
    project_template = models.ForeignKey(
        "work.ProjectTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pocs",
        verbose_name=_("project template"),
    )
    # Documented: the runbook page (verified) that says how to run what the PoC proved.
    runbook = models.ForeignKey(
        "library.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pocs",
        verbose_name=_("runbook page"),
    )
    page_template = models.ForeignKey(
        "library.PageTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pocs",
        verbose_name=_("page template"),
    )
    adopted_by = models.ManyToManyField(
        Team, blank=True, related_name="adopted_pocs", verbose_name=_("adopted by")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.IDEA)
    dropped_reason = models.TextField(_("why it was dropped"), blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PoCQuerySet.as_manager()

    class Meta:
        verbose_name = _("PoC")
        verbose_name_plural = _("PoCs")
        ordering = ["-stage_changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=[choice.value for choice in Stage]), name="poc_stage_valid"
            ),
            # A dropped PoC always says why.
            models.CheckConstraint(
                condition=~Q(stage=Stage.DROPPED) | ~Q(dropped_reason=""),
                name="poc_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="poc_time_box_in_order",
            ),
        ]
        indexes = [
            # The board and the list filter by stage and sort by the last change.
            models.Index(fields=["stage", "-stage_changed_at"], name="poc_stage_idx"),
            # The time-box reminder looks at running PoCs ending soon.
            models.Index(
                fields=["ends_on"], condition=Q(stage="running"), name="poc_running_ends_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_ids("pipeline:poc", self.pk)

    @property
    def is_closed(self) -> bool:
        return self.stage in {Stage.ROLLED_OUT, Stage.DROPPED}

    def next_stage(self) -> str | None:
        if self.stage in (Stage.DROPPED, Stage.ROLLED_OUT):
            return None
        return FORWARD[FORWARD.index(Stage(self.stage)) + 1]

    def hypothesis(self) -> str:
        return f"{self.believe} / {self.will} / {self.measured_by}"


class SuccessCriterion(models.Model):
    poc = models.ForeignKey(PoC, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("criterion"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    result = models.CharField(_("measured result"), max_length=200, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)

    class Meta:
        verbose_name = _("success criterion")
        verbose_name_plural = _("success criteria")
        ordering = ["poc", "position", "pk"]

    def __str__(self) -> str:
        return self.description


class DecisionRecord(models.Model):
    """The decision, in the shape of MADR (Markdown Any Decision Records)."""

    poc = models.OneToOneField(PoC, on_delete=models.CASCADE, related_name="decision")
    context = models.TextField(_("context and problem"))
    options = models.TextField(_("options considered"))
    decision = models.CharField(_("decision"), max_length=6, choices=Decision.choices)
    outcome = models.TextField(_("chosen option and why"))
    consequences = models.TextField(_("consequences"))
    revisit_on = models.DateField(_("revisit on"))
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("decision record")
        verbose_name_plural = _("decision records")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["go", "no_go"]), name="poc_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poc}: {self.get_decision_display()}"

    def option_list(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.options.splitlines() if line.strip(" -*\t")]


class EventKind(models.TextChoices):
    CREATED = "created", _("created")
    MOVED = "moved", _("moved")
    DROPPED = "dropped", _("dropped")
    EDITED = "edited", _("edited")
    DECIDED = "decided", _("decided")


class PoCEvent(models.Model):
    """One line of a PoC's timeline: every state change, edit and decision."""

    poc = models.ForeignKey(PoC, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=EventKind.choices)
    from_stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("PoC event")
        verbose_name_plural = _("PoC events")
        ordering = ["poc", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.poc}: {self.kind}"

    def describe(self) -> str:
        """The line the timeline shows, in the reader's language (the row keeps codes)."""
        from django.utils.translation import gettext

        if self.kind == EventKind.CREATED:
            source = Source(self.note).label if self.note in Source.values else self.note
            return gettext("Started as an idea (%(note)s)") % {"note": source}
        if self.kind == EventKind.MOVED:
            line = f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"
            if self.note in Decision.values:
                line += f" ({Decision(self.note).label})"
            return line
        if self.kind == EventKind.DROPPED:
            return gettext("Dropped while %(stage)s: %(reason)s") % {
                "stage": self.get_from_stage_display(),
                "reason": self.note,
            }
        names = []
        for name in self.note.split(", "):
            if name == "criteria":
                names.append(str(SuccessCriterion._meta.verbose_name_plural))
            elif name == "tasks":
                names.append(str(PoC._meta.get_field("tasks").verbose_name))
            else:
                try:
                    names.append(str(PoC._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:
                    names.append(name)
        return gettext("Edited: %(fields)s") % {"fields": ", ".join(names)}
