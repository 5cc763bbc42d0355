"""People, teams and work profiles.

A person logs in with an e-mail address, belongs to teams (as member or lead) and
keeps a work profile: where and when they work. The profile turns into a
`WorkingHours` calendar that reply-by deadlines and SLAs are measured in.
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workmate.lib.workcalendar import WorkingHours

WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
DEFAULT_WORK_DAYS = [0, 1, 2, 3, 4]


def default_work_days() -> list[int]:
    return list(DEFAULT_WORK_DAYS)


def default_weekly_modes() -> list[str]:
    return [WorkMode.OFFICE] * 7


class OrgRole(models.TextChoices):
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff (administration)")
    EXECUTIVE = "executive", _("Executive")


class WorkMode(models.TextChoices):
    OFFICE = "office", _("Office")
    HOME = "home", pgettext_lazy("work mode", "Home")
    WORKATION = "workation", _("Workation")


class TeamRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEAD = "lead", _("Lead")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), code="time_zone", params={"value": value}
        )


def validate_work_days(value: list[int]) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one working day."), code="work_days")
    if any(not isinstance(day, int) or day not in range(7) for day in value):
        raise ValidationError(_("Working days must be weekdays 0 (Mon) to 6 (Sun)."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("org_role", OrgRole.STAFF)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        # Addresses are stored lowercased, so every log-in form (the admin's too) matches
        # whatever case the person types.
        return self.get(email=username.strip().lower())


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    org_role = models.CharField(
        _("organisation role"), max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Lets the person use the administration site."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        constraints = [
            # Log-in looks people up by e-mail regardless of case.
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_executive(self) -> bool:
        return self.org_role in {OrgRole.EXECUTIVE, OrgRole.STAFF} or self.is_superuser

    def leads(self, team: Team) -> bool:
        return Membership.objects.filter(user=self, team=team, role=TeamRole.LEAD).exists()


class WorkingTime(models.Model):
    """A working week in a time zone: a person's own, or a team's (the hours its queue is
    staffed, used by SLAs). Reply-by deadlines and SLA clocks are measured in it."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    work_days = models.JSONField(
        _("working days"), default=default_work_days, validators=[validate_work_days]
    )
    work_start = models.TimeField(_("working day starts"), default=datetime.time(9))
    work_end = models.TimeField(_("working day ends"), default=datetime.time(18))

    class Meta:
        abstract = True

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def public_holidays_of(self) -> str | None:
        """Whose public holidays are days off here (python-holidays country code)."""
        return "KR"

    def clean(self) -> None:
        super().clean()
        if self.work_start and self.work_end and self.work_end <= self.work_start:
            raise ValidationError(
                {"work_end": _("The working day must end after it starts.")}, code="work_end"
            )

    def working_hours(self, days_off: frozenset[datetime.date] | None = None) -> WorkingHours:
        return WorkingHours(
            time_zone=self.time_zone,
            weekdays=frozenset(self.work_days),
            start=self.work_start,
            end=self.work_end,
            holiday_country=self.public_holidays_of(),
            days_off=days_off if days_off is not None else CompanyDayOff.objects.dates(),
        )


class Team(WorkingTime):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    reply_by_hours = models.PositiveSmallIntegerField(
        _("reply-by for requests (working hours)"),
        default=8,
        help_text=_("How many working hours a request to this team's members has by default."),
    )
    members = models.ManyToManyField(
        User, through="Membership", related_name="teams", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_start__lt=models.F("work_end")),
                name="team_work_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def leads(self) -> MembershipQuerySet:
        return self.filter(role=TeamRole.LEAD)


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(
        _("role"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team.code} ({self.get_role_display()})"


class CompanyDayOffQuerySet(models.QuerySet["CompanyDayOff"]):
    def dates(  # type: ignore[override]
        self, field_name: str | None = None, kind: str = "day", order: str = "ASC"
    ) -> frozenset[datetime.date] | models.QuerySet:
        """All company days off as a set; with arguments, Django's own `QuerySet.dates()`.

        The admin's date hierarchy calls `dates("date", "year")`, so the override has to keep
        Django's signature working as well as the bare call the calendars use.
        """
        if field_name is None:
            return frozenset(self.values_list("date", flat=True))
        return super().dates(field_name, kind, order)


class CompanyDayOff(models.Model):
    """A day the whole company is off on top of public holidays (e.g. foundation day)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    objects = CompanyDayOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("company day off")
        verbose_name_plural = _("company days off")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class WorkProfile(WorkingTime):
    """When and where a person works; what their calendar and availability derive from."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("person")
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        default="KR",
        blank=True,
        help_text=_(
            "Whose public holidays are days off for you (two-letter country code); empty for none."
        ),
    )
    weekly_modes = models.JSONField(_("usual work mode per weekday"), default=default_weekly_modes)
    usual_place = models.CharField(
        _("usual workation place"), max_length=100, blank=True, default=""
    )
    title = models.CharField(_("job title"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_start__lt=models.F("work_end")),
                name="profile_work_start_before_end",
            ),
            # Quiet hours are either both set or both empty.
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="profile_quiet_hours_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"

    def public_holidays_of(self) -> str | None:
        return self.holiday_country or None

    def local_now(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()).astimezone(self.zone)

    def usual_mode(self, day: datetime.date) -> str:
        modes = self.weekly_modes or default_weekly_modes()
        return modes[day.weekday()] if len(modes) == 7 else WorkMode.OFFICE

    def is_quiet_at(self, moment: datetime.datetime) -> bool:
        """Whether the local time of `moment` falls in quiet hours (which may wrap midnight)."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        local = moment.astimezone(self.zone).time()
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    @cached_property
    def work_days_display(self) -> str:
        labels = dict(WEEKDAY_CHOICES)
        return ", ".join(str(labels[day]) for day in sorted(self.work_days))


class WorkModeDay(models.Model):
    """Where a person works on one date, overriding their usual weekly pattern."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="work_modes", verbose_name=_("person")
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("work mode"), max_length=12, choices=WorkMode.choices)
    place = models.CharField(_("place"), max_length=100, blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("work mode for a day")
        verbose_name_plural = _("work modes for days")
        ordering = ["date"]
        constraints = [
            # The directory fetches each person's entry for their local today.
            models.UniqueConstraint(fields=["user", "date"], name="work_mode_day_unique"),
            models.CheckConstraint(
                condition=~models.Q(mode=WorkMode.WORKATION) | ~models.Q(place=""),
                name="work_mode_day_workation_has_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date:%Y-%m-%d} {self.get_mode_display()}"

    def clean(self) -> None:
        if self.mode == WorkMode.WORKATION and not self.place.strip():
            raise ValidationError(
                {"place": _("Say where the workation is.")}, code="workation_place"
            )


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the secret is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, so a person can tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
