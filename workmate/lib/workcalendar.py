"""Working-time calendar for reply-by deadlines of requests and ticket SLA clocks.

A `WorkingHours` describes when one person or team works: a time zone, the working weekdays,
the local start and end of the working day, a country whose public holidays are days off, and
company-defined days off. `add_working_time` answers "when is this due?" and
`working_time_between` answers "how much of the SLA clock has run?".

Everything here is plain Python (no Django), so it can be used from models, services, tasks
and benchmarks alike. Inputs may be aware datetimes in any zone; outputs are aware UTC.
"""

from __future__ import annotations

import datetime
import functools
import types
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import holidays

UTC = datetime.UTC

# How far `intervals_from` walks before giving up. A deadline further away than this means a
# calendar with no working time (say every working weekday is also a company day off) or a
# nonsensical duration, and failing loudly beats looping towards the end of the date range.
HORIZON_DAYS = 20 * 366

COMPANY_DAY_OFF = "Company day off"

Interval = tuple[datetime.datetime, datetime.datetime]


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> Mapping[datetime.date, str]:
    """Return the public holidays of one country and year as a read-only date -> name mapping.

    The python-holidays object is built once per (country, year) because a walk over a year of
    days would otherwise rebuild it for every day. It is copied into a plain mapping because
    HolidayBase expands itself in place when asked about another year, which must not happen to
    an object shared through the cache. Only the default (public) category is used, which for
    Korea includes the substitute holidays (대체공휴일).
    """
    return types.MappingProxyType(dict(holidays.country_holidays(country, years=year).items()))


@functools.lru_cache(maxsize=64)
def _localized_holidays(country: str, year: int, language: str) -> Mapping[datetime.date, str]:
    instance = holidays.country_holidays(country, years=year)
    supported = getattr(instance, "supported_languages", ())
    candidates = [language, f"{language}_US"] if language == "en" else [language]
    chosen = next((candidate for candidate in candidates if candidate in supported), None)
    if chosen is None:
        return _public_holidays(country, year)
    localized = holidays.country_holidays(country, years=year, language=chosen)
    return types.MappingProxyType(dict(localized.items()))


def public_holiday_name(country: str, day: datetime.date, language: str) -> str | None:
    """The public holiday's name in `language` ("ko", "en", ...) where the data has it."""
    return _localized_holidays(country, day.year, language).get(day)


def _require_aware(name: str, moment: datetime.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}.")


@dataclass(frozen=True)
class WorkingHours:
    """When someone works, in their own time zone."""

    time_zone: str
    weekdays: frozenset[int]
    start: datetime.time
    end: datetime.time | None
    holiday_country: str | None = "KR"
    days_off: frozenset[datetime.date] = frozenset()

    def __post_init__(self) -> None:
        # Callers often pass sets or lists; normalising keeps the dataclass hashable.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from exc
        if not self.weekdays:
            raise ValueError("At least one working weekday is required.")
        bad_days = sorted(
            repr(d) for d in self.weekdays if not isinstance(d, int) or not 0 <= d <= 6
        )
        if bad_days:
            raise ValueError(
                f"Weekdays must be integers 0 (Monday) to 6 (Sunday), got {', '.join(bad_days)}."
            )
        # Start and end are wall-clock times in `time_zone`; a tzinfo on them would be ignored
        # silently, so it is refused instead.
        if self.start.tzinfo is not None or (self.end is not None and self.end.tzinfo is not None):
            raise ValueError("Start and end must be naive local times (no tzinfo).")
        if self.end is not None and self.end <= self.start:
            raise ValueError(
                f"End of the working day ({self.end}) must be after its start ({self.start}); "
                "use None for an end at midnight."
            )
        if self.holiday_country is not None:
            try:
                _public_holidays(self.holiday_country, datetime.date.today().year)
            except NotImplementedError as exc:
                raise ValueError(f"Unknown holiday country {self.holiday_country!r}.") from exc

    @classmethod
    def around_the_clock(cls, time_zone: str = "Asia/Seoul") -> WorkingHours:
        """Every minute of every day counts, with no holidays (24x7 SLAs)."""
        return cls(
            time_zone=time_zone,
            weekdays=frozenset(range(7)),
            start=datetime.time(0, 0),
            end=None,
            holiday_country=None,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        # ZoneInfo instances are cached by the standard library, so this is cheap.
        return zoneinfo.ZoneInfo(self.time_zone)

    def _public_holiday_name(self, day: datetime.date) -> str | None:
        if self.holiday_country is None:
            return None
        return _public_holidays(self.holiday_country, day.year).get(day)

    def is_working_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.days_off
            and self._public_holiday_name(day) is None
        )

    def holiday_name(self, day: datetime.date) -> str | None:
        """Name of the public holiday or company day off on `day`, or None on an ordinary day."""
        name = self._public_holiday_name(day)
        if name is not None:
            return name
        if day in self.days_off:
            return COMPANY_DAY_OFF
        return None

    def interval_on(self, day: datetime.date) -> Interval | None:
        """The working interval of the local date `day` as aware UTC datetimes, or None.

        Each end is placed in the zone and converted to UTC on its own, so a day that gains or
        loses an hour to DST is that much longer or shorter. A local time in a DST gap resolves
        with the offset from before the switch (PEP 495, fold=0), which moves it forward by
        the size of the gap. None is returned on a non-working day and for an interval the DST
        switch has made empty.
        """
        if not self.is_working_day(day):
            return None
        zone = self.zone
        start = datetime.datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        if self.end is None:
            next_day = day + datetime.timedelta(days=1)
            end_local = datetime.datetime.combine(next_day, datetime.time(0, 0), tzinfo=zone)
        else:
            end_local = datetime.datetime.combine(day, self.end, tzinfo=zone)
        end = end_local.astimezone(UTC)
        if start >= end:
            return None
        return start, end

    def _intervals(self, moment: datetime.datetime, last_day: datetime.date) -> Iterator[Interval]:
        """Yield working intervals from `moment` (aware UTC) up to the local date `last_day`.

        Steps:
        1. Start one local day before the local date of `moment`: a DST switch near midnight can
           stretch that day's interval past midnight into `moment`'s date. The day before that
           is read only to know where its interval ends, for step 3.
        2. Build each day's interval with `interval_on`, skipping non-working days.
        3. Clip the start to the end of the previous interval, so that intervals never overlap
           even where a DST switch near midnight pushes one day's end past the next day's start.
        4. Clip the start to `moment`, drop intervals that are empty after clipping, and yield.
        """
        one_day = datetime.timedelta(days=1)
        day = moment.astimezone(self.zone).date() - one_day
        previous = self.interval_on(day - one_day)
        floor = previous[1] if previous is not None else None
        while day <= last_day:
            interval = self.interval_on(day)
            if interval is not None:
                start, end = interval
                if floor is not None and floor > start:
                    start = floor
                floor = end
                start = max(start, moment)
                if start < end:
                    yield start, end
            day += one_day

    def intervals_from(self, moment: datetime.datetime) -> Iterator[Interval]:
        """Yield working intervals (aware UTC) in time order, starting at `moment`.

        The first interval is clipped so it starts at `moment` when `moment` falls inside it.
        The previous local day is looked at too, but only its part after `moment` is yielded.
        The walk is bounded: after HORIZON_DAYS (about 20 years) of local days it raises
        RuntimeError, because a deadline that far away means a calendar without working time
        or a nonsensical duration, and an unbounded walk would hang the caller.
        """
        _require_aware("moment", moment)
        moment = moment.astimezone(UTC)
        last_day = moment.astimezone(self.zone).date() + datetime.timedelta(days=HORIZON_DAYS)
        yield from self._intervals(moment, last_day)
        raise RuntimeError(
            f"No answer within {HORIZON_DAYS // 366} years of working time after "
            f"{moment.isoformat()}; check the working weekdays, days off and the duration."
        )

    def is_working_at(self, moment: datetime.datetime) -> bool:
        """Whether `moment` is working time; an interval's start counts, its end does not."""
        _require_aware("moment", moment)
        moment = moment.astimezone(UTC)
        # Only the moment's own local day and the one before can have an interval covering it;
        # the next day's interval starts at or after the next local midnight.
        day = moment.astimezone(self.zone).date()
        for candidate in (day - datetime.timedelta(days=1), day):
            interval = self.interval_on(candidate)
            if interval is not None and interval[0] <= moment < interval[1]:
                return True
        return False

    def next_working_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` itself (in UTC) if it is working time, else the start of the next interval."""
        return next(self.intervals_from(moment))[0]


def add_working_time(
    hours: WorkingHours, start: datetime.datetime, duration: datetime.timedelta
) -> datetime.datetime:
    """Return the moment (aware UTC) at which `duration` of working time has elapsed after `start`.

    Steps:
    1. Refuse naive `start` and negative `duration`; a zero duration returns `start` itself.
    2. Walk the working intervals from `start`, subtracting each interval's length.
    3. In the interval where the remainder fits, return its start plus the remainder. The
       comparison is `<=`, so work that ends exactly at closing time is due at closing time
       (18:00), not at the next morning's opening.
    """
    _require_aware("start", start)
    if duration < datetime.timedelta(0):
        raise ValueError(f"Duration must not be negative, got {duration}.")
    if not duration:
        return start.astimezone(UTC)
    remaining = duration
    for interval_start, interval_end in hours.intervals_from(start):
        length = interval_end - interval_start
        if remaining <= length:
            return interval_start + remaining
        remaining -= length
    raise AssertionError("intervals_from() ends by raising, never by running out.")


def working_time_between(
    hours: WorkingHours, a: datetime.datetime, b: datetime.datetime
) -> datetime.timedelta:
    """Return the working time between `a` and `b`; negative when `b` is before `a`.

    Steps:
    1. Refuse naive datetimes; when `b < a`, return the negative of the swapped call.
    2. Walk the working intervals from `a` until one starts at or after `b`.
    3. Sum each interval's part before `b`.

    The walk stops at `b` rather than at HORIZON_DAYS, so any span gets an answer.
    """
    _require_aware("a", a)
    _require_aware("b", b)
    a = a.astimezone(UTC)
    b = b.astimezone(UTC)
    if b < a:
        return -working_time_between(hours, b, a)
    total = datetime.timedelta(0)
    last_day = b.astimezone(hours.zone).date() + datetime.timedelta(days=1)
    for interval_start, interval_end in hours._intervals(a, last_day):
        if interval_start >= b:
            break
        total += min(interval_end, b) - interval_start
    return total
