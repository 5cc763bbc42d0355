"""What views and commands do with people: availability, profiles, work modes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext

from workmate.accounts.models import (
    CompanyDayOff,
    Membership,
    User,
    WorkMode,
    WorkModeDay,
    WorkProfile,
)
from workmate.lib.workcalendar import public_holiday_name


@dataclass(frozen=True)
class Availability:
    """Where a person is today and whether they can be reached now, as the directory shows it."""

    person: User
    mode: str
    place: str
    local_now: datetime.datetime
    working_now: bool
    quiet_now: bool
    # When working now: the end of today's working time; otherwise the next start.
    until: datetime.datetime | None
    next_start: datetime.datetime | None
    holiday: str | None

    @property
    def mode_label(self) -> str:
        return str(WorkMode(self.mode).label)


def availability_of(
    person: User,
    *,
    now: datetime.datetime,
    days_off: frozenset[datetime.date],
    mode_days: dict[datetime.date, WorkModeDay] | None = None,
) -> Availability:
    """Work out a person's availability at `now`.

    Steps: take the person's local date; their mode is that date's override if any,
    else their usual mode for the weekday; then ask their working-time calendar
    whether `now` is inside working time, and when it ends or next starts.
    """
    profile: WorkProfile = person.profile
    hours = profile.working_hours(days_off)
    local_now = now.astimezone(profile.zone)
    today = local_now.date()
    override = (mode_days or {}).get(today)
    mode = override.mode if override else profile.usual_mode(today)
    place = override.place if override else ""
    if mode == WorkMode.WORKATION and not place:
        place = profile.usual_place
    working_now = hours.is_working_at(now)
    until = next_start = None
    if working_now:
        interval = next(hours.intervals_from(now))
        until = interval[1]
    else:
        next_start = hours.next_working_moment(now)
    return Availability(
        person=person,
        mode=mode,
        place=place,
        local_now=local_now,
        working_now=working_now,
        quiet_now=profile.is_quiet_at(now),
        until=until,
        next_start=next_start,
        holiday=_day_off_name(profile, today, days_off),
    )


def _day_off_name(
    profile: WorkProfile, day: datetime.date, days_off: frozenset[datetime.date]
) -> str | None:
    """The name of the holiday or company day off `day` is for the person, in the UI language."""
    if profile.holiday_country:
        name = public_holiday_name(profile.holiday_country, day, get_language() or "en")
        if name:
            return name
    if day in days_off:
        return gettext("Company day off")
    return None


def directory_people(team_code: str = "", query: str = "") -> QuerySet[User]:
    people = (
        User.objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("team").order_by("team__code"),
            )
        )
        .order_by("full_name")
    )
    if team_code:
        people = people.filter(memberships__team__code=team_code)
    if query:
        people = people.filter(
            Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(profile__title__icontains=query)
        )
    return people


def availability_for_people(
    people: list[User], now: datetime.datetime | None = None
) -> list[Availability]:
    """Availability for a page of people in a fixed number of queries."""
    now = now or timezone.now()
    days_off = CompanyDayOff.objects.dates()
    # Everyone's local "today" lies within a day of UTC's, so one range covers them all.
    utc_day = now.astimezone(datetime.UTC).date()
    overrides: dict[int, dict[datetime.date, WorkModeDay]] = {}
    for entry in WorkModeDay.objects.filter(
        user__in=[person.pk for person in people],
        date__range=(utc_day - datetime.timedelta(days=1), utc_day + datetime.timedelta(days=1)),
    ):
        overrides.setdefault(entry.user_id, {})[entry.date] = entry
    return [
        availability_of(person, now=now, days_off=days_off, mode_days=overrides.get(person.pk))
        for person in people
    ]


def my_availability(user: User, now: datetime.datetime | None = None) -> Availability:
    return availability_for_people([user], now)[0]


@transaction.atomic
def do_update_profile(user: User, *, user_fields: dict, profile_fields: dict) -> WorkProfile:
    """Save a person's own fields and work profile together, or neither."""
    for name, value in user_fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(user_fields))
    profile, _created = WorkProfile.objects.select_for_update().get_or_create(user=user)
    for name, value in profile_fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


def do_set_work_mode(
    user: User, *, date: datetime.date, mode: str, place: str = "", note: str = ""
) -> WorkModeDay:
    entry, _created = WorkModeDay.objects.update_or_create(
        user=user,
        date=date,
        defaults={"mode": mode, "place": place.strip(), "note": note.strip()},
    )
    return entry


def do_clear_work_mode(user: User, date: datetime.date) -> bool:
    deleted, _rows = WorkModeDay.objects.filter(user=user, date=date).delete()
    return bool(deleted)


def ensure_profile(user: User) -> WorkProfile:
    profile, _created = WorkProfile.objects.get_or_create(user=user)
    return profile
