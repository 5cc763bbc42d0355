"""Check-ins: written status reports that replace status meetings.

A team lead sets a recurring `Checkin` with its questions. When its moment comes in a
member's own time zone, the clock opens one `CheckinResponse` row for that member and
occurrence and pings them once; the row's unique (check-in, person, occurrence) is what
makes "pinged once" hold however often the clock runs.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import WEEKDAY_CHOICES, Membership, Team, User

MAX_QUESTIONS = 10
QUESTION_MAX_LENGTH = 200
ANSWER_MAX_LENGTH = 5000


def default_questions() -> list[str]:
    """The usual three questions, in the active language (the lead's, when they create it)."""
    return [
        pgettext("check-in question", "Done"),
        pgettext("check-in question", "Next"),
        pgettext("check-in question", "Blocked"),
    ]


def validate_questions(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Ask at least one question."), code="questions")
    if any(not isinstance(question, str) or not question.strip() for question in value):
        raise ValidationError(_("A question cannot be empty."), code="questions")
    if len(value) > MAX_QUESTIONS:
        raise ValidationError(
            _("Ask at most %(limit)d questions."), code="questions", params={"limit": MAX_QUESTIONS}
        )
    if any(len(question) > QUESTION_MAX_LENGTH for question in value):
        raise ValidationError(
            _("Keep each question under %(limit)d characters."),
            code="questions",
            params={"limit": QUESTION_MAX_LENGTH},
        )


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily on working days")


class CheckinQuerySet(models.QuerySet["Checkin"]):
    def active(self) -> CheckinQuerySet:
        return self.filter(active=True)

    def of_teams_of(self, user: User) -> CheckinQuerySet:
        """Check-ins of the teams `user` belongs to (as member or lead)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(team__in=Membership.objects.filter(user=user).values("team_id"))


class Checkin(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("team")
    )
    title = models.CharField(_("title"), max_length=200)
    # Stored as the lead wrote them; each response keeps its own copy, so editing the
    # questions later does not shift the answers already given.
    questions = models.JSONField(
        _("questions"),
        default=default_questions,
        validators=[validate_questions],
        error_messages={"blank": _("Ask at least one question.")},
    )
    frequency = models.CharField(
        _("repeats"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    # Only for weekly check-ins: 0 (Mon) to 6 (Sun).
    weekday = models.PositiveSmallIntegerField(
        _("on"), choices=WEEKDAY_CHOICES, null=True, blank=True
    )
    # Wall-clock time in each member's own time zone.
    time_of_day = models.TimeField(_("at"), default=datetime.time(16))
    active = models.BooleanField(_("active"), default=True)
    # Occurrences before this moment are never opened: a check-in created (or resumed) on
    # Monday does not ask about the Friday before.
    active_since = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CheckinQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["team", "title", "pk"]
        constraints = [
            # A weekly check-in needs its weekday; a daily one has none.
            models.CheckConstraint(
                condition=Q(
                    frequency=Frequency.WEEKLY,
                    weekday__isnull=False,
                    weekday__gte=0,
                    weekday__lte=6,
                )
                | Q(frequency=Frequency.DAILY, weekday__isnull=True),
                name="checkin_weekday_matches_frequency",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="checkin_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team.code} · {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.frequency == Frequency.WEEKLY and self.weekday is None:
            raise ValidationError(
                {"weekday": _("Choose the weekday of a weekly check-in.")}, code="weekday"
            )
        if self.weekday is not None and self.weekday not in range(7):
            raise ValidationError(
                {"weekday": _("The weekday must be Monday to Sunday.")}, code="weekday"
            )
        if self.frequency == Frequency.DAILY:
            self.weekday = None

    def schedule_display(self) -> str:
        at = self.time_of_day.strftime("%H:%M")
        if self.frequency == Frequency.DAILY:
            return gettext("Every working day at %(time)s") % {"time": at}
        day = dict(WEEKDAY_CHOICES)[self.weekday] if self.weekday is not None else "?"
        return gettext("Every %(day)s at %(time)s") % {"day": day, "time": at}


class ResponseQuerySet(models.QuerySet["CheckinResponse"]):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(submitted_at__isnull=False)

    def waiting(self) -> ResponseQuerySet:
        return self.filter(submitted_at__isnull=True)


class CheckinResponse(models.Model):
    """One person's answer to one occurrence of a check-in; opened by the clock."""

    checkin = models.ForeignKey(
        Checkin, on_delete=models.CASCADE, related_name="responses", verbose_name=_("check-in")
    )
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="checkin_responses", verbose_name=_("person")
    )
    # The person's local date of the occurrence.
    occurrence = models.DateField(_("date"))
    # The moment it opened for this person (their local time of day, stored in UTC).
    due_at = models.DateTimeField(_("opened"))
    # The check-in's questions when it opened, and the answers in the same order.
    questions = models.JSONField(_("questions"), default=list)
    answers = models.JSONField(_("answers"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    pinged_at = models.DateTimeField(_("pinged"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in answer")
        verbose_name_plural = _("check-in answers")
        ordering = ["-occurrence", "person__full_name", "pk"]
        indexes = [
            # The team page: one check-in's answers for one occurrence.
            models.Index(fields=["checkin", "occurrence"], name="checkin_response_occ_idx"),
            # "My check-ins" and the search by person: a person's answers by date.
            models.Index(fields=["person", "occurrence"], name="checkin_response_person_idx"),
        ]
        constraints = [
            # One row per person and occurrence: the clock creates it and pings only then,
            # so nobody is pinged twice for the same check-in.
            models.UniqueConstraint(
                fields=["checkin", "person", "occurrence"], name="checkin_response_once"
            ),
            # A sent answer has its answers.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(answers=[]),
                name="checkin_response_sent_has_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkin_id} {self.person} {self.occurrence:%Y-%m-%d}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def pairs(self) -> list[tuple[str, str]]:
        """(question, answer) in order; an answer missing at the end reads as empty."""
        answers = list(self.answers or [])
        return [
            (question, answers[index] if index < len(answers) else "")
            for index, question in enumerate(self.questions)
        ]
