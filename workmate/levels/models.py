"""Levels: the career ladder, each person's level and the evidence ledger.

The ladder is kept as numbered, dated `LadderVersion`s. An executive's edit never changes
a version in place: it publishes a new version (a copy with the change), so a review cycle
that opened on a date reads the ladder as it stood then (`LadderVersion.objects.as_of`).
Tracks, levels, flavours and competencies keep stable `code`s / `number`s across versions;
people's levels and ledger entries refer to those codes, not to one version's rows.

The ledger is written by the system, in the transaction of the change that earned an entry
(the lower apps send signals, `levels/receivers.py` records). The person may only curate
an entry (its competency, a star, an impact line, hiding it); the facts (kind, object,
when, data) are never edited: a correction is a new entry pointing at the one it corrects.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

MAX_LEVEL = 9
IMPACT_MAX_LENGTH = 500
GLUE_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 300


def localized(obj: object, field: str) -> str:
    """`obj.<field>_ko` when the active language is Korean and it is filled, else `_en`."""
    if (translation.get_language() or "").startswith("ko"):
        text = getattr(obj, f"{field}_ko", "")
        if text:
            return text
    return getattr(obj, f"{field}_en", "")


class LadderVersionQuerySet(models.QuerySet["LadderVersion"]):
    def current(self) -> LadderVersion | None:
        return self.order_by("-number").first()

    def as_of(self, moment: datetime.datetime) -> LadderVersion | None:
        """The ladder as it stood at `moment` (e.g. when a review cycle opened)."""
        return self.filter(published_at__lte=moment).order_by("-number").first()


class LadderVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True, default="")

    objects = LadderVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("ladder version")
        verbose_name_plural = _("ladder versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number} ({self.published_at:%Y-%m-%d})"


class Track(models.Model):
    """A path through the levels: individual contributor, lead."""

    version = models.ForeignKey(
        LadderVersion, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=16)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["version", "position", "code"]
        constraints = [
            # A person's level names its track by code within a version.
            models.UniqueConstraint(fields=["version", "code"], name="levels_track_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Flavour(models.Model):
    """A job family reading the same competencies its own way (TE, LE, SE, SD, NBD)."""

    version = models.ForeignKey(
        LadderVersion, on_delete=models.CASCADE, related_name="flavours", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=16)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("flavour")
        verbose_name_plural = _("flavours")
        ordering = ["version", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="levels_flavour_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Competency(models.Model):
    version = models.ForeignKey(
        LadderVersion,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("version"),
    )
    code = models.CharField(_("code"), max_length=32)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True, default="")
    description_en = models.TextField(_("description (English)"), blank=True, default="")
    description_ko = models.TextField(_("description (Korean)"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["version", "position", "code"]
        constraints = [
            # Ledger entries and reviews name a competency by code.
            models.UniqueConstraint(
                fields=["version", "code"], name="levels_competency_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Level(models.Model):
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="levels", verbose_name=_("track")
    )
    number = models.PositiveSmallIntegerField(_("level"))
    title_en = models.CharField(_("title (English)"), max_length=100)
    title_ko = models.CharField(_("title (Korean)"), max_length=100, blank=True, default="")
    summary_en = models.TextField(_("scope and impact (English)"), blank=True, default="")
    summary_ko = models.TextField(_("scope and impact (Korean)"), blank=True, default="")

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["track", "number"]
        constraints = [
            models.UniqueConstraint(fields=["track", "number"], name="levels_level_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_LEVEL), name="levels_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"L{self.number} {self.title}"

    @property
    def code(self) -> str:
        return f"L{self.number}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


class Expectation(models.Model):
    """What a level expects in one competency; with a flavour, that family's reading."""

    level = models.ForeignKey(
        Level, on_delete=models.CASCADE, related_name="expectations", verbose_name=_("level")
    )
    competency = models.ForeignKey(
        Competency,
        on_delete=models.CASCADE,
        related_name="expectations",
        verbose_name=_("competency"),
    )
    flavour = models.ForeignKey(
        Flavour,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="expectations",
        verbose_name=_("flavour"),
    )
    text_en = models.TextField(_("expectation (English)"))
    text_ko = models.TextField(_("expectation (Korean)"), blank=True, default="")

    class Meta:
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")
        constraints = [
            # The ladder page looks up one cell per (level, competency[, flavour]).
            models.UniqueConstraint(
                fields=["level", "competency", "flavour"],
                condition=Q(flavour__isnull=False),
                name="levels_expectation_flavour_unique",
            ),
            models.UniqueConstraint(
                fields=["level", "competency"],
                condition=Q(flavour__isnull=True),
                name="levels_expectation_general_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return localized(self, "text")


class PersonLevel(models.Model):
    """A person's level now; `LevelChange` keeps how it got there."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="level",
        verbose_name=_("person"),
    )
    track_code = models.CharField(_("track"), max_length=16)
    number = models.PositiveSmallIntegerField(_("level"))
    flavour_code = models.CharField(_("flavour"), max_length=16, blank=True, default="")
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("person's level")
        verbose_name_plural = _("people's levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_LEVEL),
                name="levels_personlevel_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} L{self.number}"

    @property
    def code(self) -> str:
        return f"L{self.number}"


class LevelChangeSource(models.TextChoices):
    INITIAL = "initial", _("First placement")
    CYCLE = "cycle", _("Review cycle")
    DECISION = "decision", _("Executive decision")
    CORRECTION = "correction", _("Correction")


class LevelChange(models.Model):
    """One step in a person's level history, with why. Never edited; a mistake is fixed
    by a new change with source `correction`."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="level_changes",
        verbose_name=_("person"),
    )
    track_code = models.CharField(_("track"), max_length=16)
    number = models.PositiveSmallIntegerField(_("level"))
    flavour_code = models.CharField(_("flavour"), max_length=16, blank=True, default="")
    previous_number = models.PositiveSmallIntegerField(_("previous level"), null=True, blank=True)
    effective_at = models.DateTimeField(_("effective"), default=timezone.now)
    reason = models.TextField(_("reason"))
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=LevelChangeSource.choices,
        default=LevelChangeSource.DECISION,
    )
    # What the change came from, when another app made it, e.g. "reviews.cycle:12".
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-effective_at", "-id"]
        indexes = [
            # A person's level history, newest first.
            models.Index(fields=["person", "-effective_at"], name="levels_change_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_LEVEL), name="levels_change_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → L{self.number} ({self.effective_at:%Y-%m-%d})"


class EntryKind(models.TextChoices):
    TASK_COMPLETED = "task_completed", _("Task completed")
    REQUEST_ANSWERED = "request_answered", _("Request answered in time")
    TICKET_SOLVED = "ticket_solved", _("Ticket solved")
    TICKET_RATED = "ticket_rated", _("Ticket rated by the customer")
    SLA_MET = "sla_met", _("SLA met")
    SLA_MISSED = "sla_missed", _("SLA missed")
    ESCALATION_HANDLED = "escalation_handled", _("Escalation handled")
    PROPOSAL_ADOPTED = "proposal_adopted", _("Proposal adopted")
    PROPOSAL_ANSWERED = "proposal_answered", _("Proposal answered")
    PAGE_VERIFIED = "page_verified", _("Page verified")
    RUNBOOK_USED = "runbook_used", _("Runbook used")
    TEMPLATE_USED = "template_used", _("Template used by another team")
    POC_DECIDED = "poc_decided", _("PoC decided")
    CHECKIN_SENT = "checkin_sent", _("Check-in sent")
    PEER_FEEDBACK_GIVEN = "peer_feedback_given", _("Peer feedback given")
    GLUE = "glue", _("Glue work")
    CORRECTION = "correction", _("Correction")


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def of(self, person: object) -> LedgerEntryQuerySet:
        return self.filter(person=person)

    def visible(self) -> LedgerEntryQuerySet:
        """Without the entries the person hid as noise."""
        return self.filter(hidden=False)

    def starred(self) -> LedgerEntryQuerySet:
        return self.filter(starred=True)

    def since(self, moment: datetime.datetime | None) -> LedgerEntryQuerySet:
        return self if moment is None else self.filter(occurred_at__gt=moment)


class LedgerEntry(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ledger_entries",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EntryKind.choices)
    # A competency code of the ladder; a default per kind, the person may choose another.
    competency = models.CharField(_("competency"), max_length=32)
    # What the entry was about, as it was called then: the ledger lists it without
    # loading every object (and still reads right after the object is renamed or gone).
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    # Facts of the event: met its due date, CSAT score, SLA target, who answered...
    data = models.JSONField(_("details"), default=dict, blank=True)
    # One entry per event: e.g. "task:12" for a completed task, so a task completed,
    # reopened and completed again counts once. Empty for entries a person adds.
    dedupe_key = models.CharField(max_length=100, blank=True, default="")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    # Glue work: what the person did, in their words.
    description = models.TextField(_("what you did"), blank=True, default="")

    # The person's curation (their brag document); nothing else about an entry changes.
    competency_chosen = models.BooleanField(_("competency chosen by the person"), default=False)
    starred = models.BooleanField(_("starred"), default=False)
    impact = models.CharField(_("impact"), max_length=IMPACT_MAX_LENGTH, blank=True, default="")
    hidden = models.BooleanField(_("hidden as noise"), default=False)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A person's ledger page and check-in pre-fill: newest first / since a moment.
            models.Index(fields=["person", "-occurred_at", "-id"], name="levels_entry_person_idx"),
            # Finding the entries about one object (e.g. a correction's original).
            models.Index(fields=["content_type", "object_id"], name="levels_entry_object_idx"),
        ]
        constraints = [
            # The receivers insert with ON CONFLICT DO NOTHING on this: one entry per event.
            models.UniqueConstraint(
                fields=["person", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="levels_entry_dedupe_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind="glue") | ~Q(description=""),
                name="levels_entry_glue_has_description",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.title}"


class ConfirmationState(models.TextChoices):
    ASKED = "asked", _("Asked")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class GlueConfirmation(models.Model):
    """A named colleague asked (through the inbox) to confirm a glue-work entry."""

    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.CASCADE,
        related_name="confirmation",
        verbose_name=_("entry"),
    )
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="glue_confirmations",
        verbose_name=_("colleague"),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ConfirmationState.choices,
        default=ConfirmationState.ASKED,
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("glue-work confirmation")
        verbose_name_plural = _("glue-work confirmations")
        indexes = [
            # A colleague's "asked to confirm" list.
            models.Index(fields=["colleague", "state"], name="levels_confirm_colleague_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="asked", answered_at__isnull=True)
                | (~Q(state="asked") & Q(answered_at__isnull=False)),
                name="levels_confirm_answered_when_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.colleague} ({self.state})"
