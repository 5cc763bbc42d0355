"""Durations as people read them: "3시간 33분" on Korean pages, "3h 33m" on English ones.

One formatter for every SLA clock (queues, the ticket page, the customer page), so a
badge never shows a duration in another language than the page around it.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _


def format_duration(value: datetime.timedelta | None) -> str:
    """The length of `value` (its sign is the caller's to say): days and hours from a day
    on, else hours and minutes, else minutes; "" for None."""
    if value is None:
        return ""
    minutes = abs(int(value.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        if hours:
            return _("%(days)dd %(hours)dh") % {"days": days, "hours": hours}
        return _("%(days)dd") % {"days": days}
    if hours:
        if minutes:
            return _("%(hours)dh %(minutes)dm") % {"hours": hours, "minutes": minutes}
        return _("%(hours)dh") % {"hours": hours}
    return _("%(minutes)dm") % {"minutes": minutes}
