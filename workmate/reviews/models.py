"""Review cycles (self reviews, peer feedback, leads' assessments, calibration) and pay.

A cycle is opened by an executive on the ladder as it stood that moment
(`levels.LadderVersion.objects.as_of`); competencies are named by their code, as the
ledger names them, and read in that version. A closed cycle is never edited: every
service checks `cycle.check_open()` under a row lock.

Pay is open as a formula (`PayScale` × `BandBase`, visible to everyone) and closed per
person (`Salary`, visible to the person, executives and holders of a `PayPermission`);
every read of an individual salary writes a `PayView`. A salary changes only through an
approved row: a level change in a cycle proposes one, a person with pay rights decides.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workmate.reviews.pay import band_amount

# Results are shared at the start of the company's working day on the share date.
SHARE_TIME = datetime.time(9)
COMPANY_ZONE = "Asia/Seoul"
MIN_PEERS = 2
MAX_PEERS = 5


class CycleClosed(ValidationError):
    def __init__(self) -> None:
        super().__init__(gettext("This review cycle is closed; nothing in it can be changed."))


class ReviewCycleQuerySet(models.QuerySet["ReviewCycle"]):
    def open(self) -> ReviewCycleQuerySet:
        return self.filter(closed_at__isnull=True)

    def closed(self) -> ReviewCycleQuerySet:
        return self.filter(closed_at__isnull=False)


class Step(models.TextChoices):
    SELF = "self", _("Self reviews and asking for feedback")
    FEEDBACK = "feedback", _("Peer feedback")
    ASSESSMENT = "assessment", _("Leads' assessments")
    CALIBRATION = "calibration", _("Calibration")
    CLOSED = "closed", _("Closed")


class ReviewCycle(models.Model):
    name = models.CharField(_("name"), max_length=120)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    ladder_version = models.ForeignKey(
        "levels.LadderVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ladder version"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    self_due = models.DateTimeField(_("self reviews due"))
    feedback_due = models.DateTimeField(_("peer feedback due"))
    assessment_due = models.DateTimeField(_("assessments due"))
    calibration_due = models.DateTimeField(_("calibration due"))
    share_on = models.DateField(_("results shared on"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = ReviewCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="reviews_cycle_period"
            ),
            # The steps follow each other (the reminders and the step shown rely on it).
            models.CheckConstraint(
                condition=Q(self_due__lte=F("feedback_due"))
                & Q(feedback_due__lte=F("assessment_due"))
                & Q(assessment_due__lte=F("calibration_due")),
                name="reviews_cycle_steps_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def check_open(self) -> None:
        if self.is_closed:
            raise CycleClosed()

    @property
    def share_at(self) -> datetime.datetime:
        zone = zoneinfo.ZoneInfo(COMPANY_ZONE)
        return datetime.datetime.combine(self.share_on, SHARE_TIME, tzinfo=zone)

    def results_shared(self, now: datetime.datetime | None = None) -> bool:
        """Whether participants see their results (and their peers' answers) now: the
        cycle is closed and its share date has come."""
        return self.is_closed and (now or timezone.now()) >= self.share_at

    def step(self, now: datetime.datetime | None = None) -> str:
        """The step the cycle is in: the first whose deadline has not passed."""
        if self.is_closed:
            return Step.CLOSED
        now = now or timezone.now()
        for step, due in (
            (Step.SELF, self.self_due),
            (Step.FEEDBACK, self.feedback_due),
            (Step.ASSESSMENT, self.assessment_due),
        ):
            if now < due:
                return step
        return Step.CALIBRATION


class Participant(models.Model):
    """One person in one cycle, assessed by the leads of `team`."""

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.CASCADE, related_name="participants", verbose_name=_("cycle")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_participations",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    self_submitted_at = models.DateTimeField(_("self review sent"), null=True, blank=True)
    proposed_level = models.ForeignKey(
        "levels.Level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed level"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("assessment sent"), null=True, blank=True)
    final_level = models.ForeignKey(
        "levels.Level",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("final level"),
    )
    final_reason = models.TextField(_("reason"), blank=True, default="")
    calibrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calibrated by"),
    )
    calibrated_at = models.DateTimeField(_("calibrated"), null=True, blank=True)
    # When the shared result was applied: the level change recorded, new pay proposed.
    result_applied_at = models.DateTimeField(_("result applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="reviews_participant_unique"),
            # A final level is recorded with its reason.
            models.CheckConstraint(
                condition=Q(final_level__isnull=True) | ~Q(final_reason=""),
                name="reviews_final_level_has_reason",
            ),
        ]
        indexes = [
            # The calibration page: one team's participants in a cycle.
            models.Index(fields=["cycle", "team"], name="reviews_participant_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.cycle}"


class SelfReviewItem(models.Model):
    """What a participant writes about one competency, citing their ledger entries."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="self_items"
    )
    competency = models.CharField(_("competency"), max_length=32)
    body = models.TextField(_("what you did and what it changed"), blank=True, default="")
    entries = models.ManyToManyField(
        "levels.LedgerEntry", related_name="+", blank=True, verbose_name=_("cited evidence")
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("self review")
        verbose_name_plural = _("self reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "competency"], name="reviews_self_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.competency}"


class AssessmentItem(models.Model):
    """A lead's assessment of one competency, resting on cited ledger entries."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="assessment_items"
    )
    competency = models.CharField(_("competency"), max_length=32)
    body = models.TextField(_("assessment"), blank=True, default="")
    entries = models.ManyToManyField(
        "levels.LedgerEntry", related_name="+", blank=True, verbose_name=_("evidence")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "competency"], name="reviews_assessment_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.competency}"


class FeedbackRequest(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feedback_requests",
        verbose_name=_("colleague"),
    )
    message = models.TextField(_("what you would like feedback on"))
    reply_by = models.DateTimeField(_("reply by"))
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        ordering = ["created_at", "id"]
        constraints = [
            # One request per colleague and participant: asking twice is refused.
            models.UniqueConstraint(
                fields=["participant", "colleague"], name="reviews_feedback_request_unique"
            ),
        ]
        indexes = [
            # "Feedback asked of me": a colleague's open requests.
            models.Index(fields=["colleague", "answered_at"], name="reviews_feedback_asked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.colleague} → {self.participant}"


class FeedbackAnswer(models.Model):
    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="answers")
    competency = models.CharField(_("competency"), max_length=32)
    body = models.TextField(_("feedback"))
    lead_only = models.BooleanField(
        _("for the lead only"),
        default=False,
        help_text=_("The person never sees this answer; their lead does."),
    )

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "competency"], name="reviews_feedback_answer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.competency}"


# --- Pay ---------------------------------------------------------------------------------


class PayScaleQuerySet(models.QuerySet["PayScale"]):
    def current(self, today: datetime.date | None = None) -> PayScale | None:
        return (
            self.filter(effective_from__lte=today or timezone.localdate())
            .order_by("-effective_from", "-id")
            .first()
        )


class PayScale(models.Model):
    """The published formula: a band's pay = the level's base × the step's factor."""

    effective_from = models.DateField(_("effective from"))
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    unit = models.PositiveIntegerField(_("rounded to"), default=10_000)
    step_factors = models.JSONField(_("step factors"))
    note = models.TextField(_("how it works"), blank=True, default="")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = PayScaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay scale")
        verbose_name_plural = _("pay scales")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["effective_from"], name="reviews_pay_scale_date"),
            models.CheckConstraint(condition=Q(unit__gt=0), name="reviews_pay_scale_unit"),
        ]

    def __str__(self) -> str:
        return gettext("Pay scale from %(date)s") % {"date": self.effective_from}

    @property
    def factors(self) -> list[Decimal]:
        return [Decimal(str(factor)) for factor in self.step_factors]

    def band(self, base: int) -> list[int]:
        return [band_amount(base, factor, self.unit) for factor in self.factors]


class BandBase(models.Model):
    """The base pay of one level of one track in a scale (levels are named by code, so a
    scale outlives ladder versions)."""

    scale = models.ForeignKey(PayScale, on_delete=models.CASCADE, related_name="bases")
    track_code = models.CharField(_("track"), max_length=16)
    number = models.PositiveSmallIntegerField(_("level"))
    base = models.PositiveBigIntegerField(_("base"))

    class Meta:
        verbose_name = _("band base")
        verbose_name_plural = _("band bases")
        ordering = ["track_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "track_code", "number"], name="reviews_band_base_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_code} L{self.number}: {self.base}"


class SalaryStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class SalaryQuerySet(models.QuerySet["Salary"]):
    def approved(self) -> SalaryQuerySet:
        return self.filter(status=SalaryStatus.APPROVED)

    def proposed(self) -> SalaryQuerySet:
        return self.filter(status=SalaryStatus.PROPOSED)

    def current_for(self, person: object) -> Salary | None:
        return (
            self.approved()
            .filter(person=person, effective_from__lte=timezone.localdate())
            .order_by("-effective_from", "-id")
            .first()
        )


class Salary(models.Model):
    """One person's pay from a date. Approved rows are their pay history; a proposed row
    (from a level change in a cycle) waits for a person with pay rights to decide."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="salaries",
        verbose_name=_("person"),
    )
    amount = models.PositiveBigIntegerField(_("yearly pay"))
    track_code = models.CharField(_("track"), max_length=16)
    number = models.PositiveSmallIntegerField(_("level"))
    step = models.PositiveSmallIntegerField(_("step"))
    effective_from = models.DateField(_("effective from"))
    status = models.CharField(
        _("status"), max_length=10, choices=SalaryStatus.choices, default=SalaryStatus.PROPOSED
    )
    reason = models.TextField(_("reason"))
    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review cycle"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = SalaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("salary")
        verbose_name_plural = _("salaries")
        ordering = ["-effective_from", "-id"]
        indexes = [
            # A person's current pay and history.
            models.Index(fields=["person", "status", "-effective_from"], name="reviews_salary_idx"),
        ]
        constraints = [
            # At most one proposal waits per person: a second level change replaces it.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="proposed"),
                name="reviews_salary_one_proposal",
            ),
            models.CheckConstraint(condition=Q(step__gte=1), name="reviews_salary_step"),
        ]

    def __str__(self) -> str:
        # Never the amount: this string shows up in admin messages and logs.
        return gettext("Pay of %(person)s from %(date)s") % {
            "person": self.person,
            "date": self.effective_from,
        }


class PayPermission(models.Model):
    """An explicit right to see (and decide) individual pay, given by an executive."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pay_permission",
        verbose_name=_("person"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    note = models.CharField(_("why"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("pay permission")
        verbose_name_plural = _("pay permissions")

    def __str__(self) -> str:
        return str(self.user)


class PayViewVia(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")


class PayView(models.Model):
    """One look at one person's individual pay, by whom and where."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewer"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("whose pay"),
    )
    via = models.CharField(_("where"), max_length=8, choices=PayViewVia.choices)
    path = models.CharField(_("address"), max_length=300, blank=True, default="")
    viewed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("pay view")
        verbose_name_plural = _("pay views")
        ordering = ["-viewed_at", "-id"]
        indexes = [
            # The audit page: newest first; and per person.
            models.Index(fields=["-viewed_at", "-id"], name="reviews_payview_recent_idx"),
            models.Index(fields=["person", "-viewed_at"], name="reviews_payview_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.person} ({self.get_via_display()})"
