"""Date and time formats that read naturally in Korean and English.

Django's named formats have no "weekday + time" or "short day" entries, and a format
string written in the template ("D j M") reads wrongly in Korean ("수요일 25 11월").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlencode

from django import template
from django.template import Context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from workmate.accounts.models import User
from workmate.lib.markdown import render_markdown
from workmate.lib.mentions import mentioned_ids
from workmate.lib.urls import reverse_ids

register = template.Library()

FORMATS = {
    "ko": {
        "day": "n월 j일 (D)",
        "weekday_time": "(D) H:i",
        "when": "n월 j일 (D) H:i",
        "day_year": "Y년 n월 j일 (D)",
        "when_year": "Y년 n월 j일 (D) H:i",
    },
    "en": {
        "day": "D j M",
        "weekday_time": "D H:i",
        "when": "D j M, H:i",
        "day_year": "D j M Y",
        "when_year": "D j M Y, H:i",
    },
}
# The kinds that name a day of the year: outside the viewer's current year they say which
# year, since "1월 1일 (수)" on a task due in 2020 reads as this coming New Year's Day.
_WITH_YEAR = {"day": "day_year", "when": "when_year"}


# (language, kind, wall-clock value) -> the formatted text. A list page formats the same
# few dozen due dates hundreds of times, at ~20 µs each through the date filter. The
# formats above use only wall-clock fields (no zone name or offset), so the local time
# without its zone is a complete key. Bounded: cleared when it grows past the limit.
_formatted: dict[tuple[str, str, datetime.date], str] = {}
_FORMATTED_LIMIT = 4096


def _format(value: datetime.date | datetime.datetime | None, kind: str) -> str:
    if value in (None, ""):
        return ""
    # The value is already in the viewer's zone (expects_localtime), and so is "today".
    this_year = 0
    if kind in _WITH_YEAR and isinstance(value, datetime.date):
        this_year = timezone.localdate().year
    return local_text(value, kind, get_language() or "en", this_year)  # type: ignore[arg-type]


def local_text(
    value: datetime.date | datetime.datetime, kind: str, language: str, this_year: int
) -> str:
    """`value` (already in the viewer's zone) as the filter `kind` writes it, in `language`,
    with the year when it is not `this_year`. For a page that formats many values: the
    language and the current year are read once by the caller rather than once a value."""
    if kind in _WITH_YEAR and isinstance(value, datetime.date) and value.year != this_year:
        kind = _WITH_YEAR[kind]
    if not isinstance(value, datetime.date):
        return date_filter(value, FORMATS.get(language[:2], FORMATS["en"])[kind])
    wall_clock = value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value
    key = (language, kind, wall_clock)
    text = _formatted.get(key)
    if text is None:
        text = date_filter(value, FORMATS.get(language[:2], FORMATS["en"])[kind])
        if len(_formatted) >= _FORMATTED_LIMIT:
            _formatted.clear()
        _formatted[key] = text
    return text


@register.filter(expects_localtime=True)
def day(value: datetime.date | None) -> str:
    """A date with its weekday: "11월 25일 (수)" / "Wed 25 Nov", with the year when it is
    not the current one: "2020년 1월 1일 (수)" / "Wed 1 Jan 2020"."""
    return _format(value, "day")


@register.filter(expects_localtime=True)
def weekday_time(value: datetime.datetime | None) -> str:
    """Weekday and time: "(수) 14:00" / "Wed 14:00"."""
    return _format(value, "weekday_time")


@register.filter(expects_localtime=True)
def when(value: datetime.datetime | None) -> str:
    """Date, weekday and time: "11월 25일 (수) 14:00" / "Wed 25 Nov, 14:00", with the year
    when it is not the current one: "2020년 1월 1일 (수) 14:00" / "Wed 1 Jan 2020, 14:00"."""
    return _format(value, "when")


@register.simple_tag
def pk_url(name: str, *ids: int) -> str:
    """`{% url name id ... %}` for URLs that take only ids, without walking the resolver."""
    return reverse_ids(name, *ids)


@register.filter(is_safe=True)
def markdown(value: str | None) -> SafeString:
    """Markdown rendered to sanitised HTML (see workmate.lib.markdown)."""
    return render_markdown(value)


def person_url(person: User) -> str:
    """Where a mention of `person` leads: their entry in the people directory."""
    return f"{reverse('directory')}?{urlencode({'q': person.email})}"


@register.simple_tag(takes_context=True)
def markdown_mentions(context: Context, value: str | None, mentioned: Iterable[User]) -> SafeString:
    """Markdown whose mentions of `mentioned` (the people it was saved mentioning) link to
    them, the reader's own highlighted.

    `{% markdown_mentions comment.body comment.mentions.all %}`
    """
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return render_markdown(
        value,
        mentions=mentioned,
        mention_href=person_url,
        viewer_pk=viewer.pk if viewer is not None and viewer.is_authenticated else None,
    )


@register.simple_tag(takes_context=True)
def markdown_tokens(context: Context, value: str | None, people: object = None) -> SafeString:
    """Markdown whose `@**name|id**` mentions link to their people: for texts that keep
    their mentions as tokens, as task descriptions and proposal comments do.

    `people`, a list, are those people read beforehand for a whole page of texts
    (`voice.services.comment_threads`); without it they are read here, in one query.
    """
    if not isinstance(people, list):
        ids = mentioned_ids(value or "")
        people = (
            list(User.objects.filter(pk__in=ids).only("pk", "full_name", "email")) if ids else []
        )
    return markdown_mentions(context, value, people)
