"""Small helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from workmate.accounts.models import User

# The header htmx sends with every request it makes.
HTMX = {"HX-Request": "true"}


def korean(message: str) -> str:
    """`message` as a Korean reader sees it: the Korean text once the catalog has it."""
    with translation.override("ko"):
        return translation.gettext(message)


def profile_form_data(user: User, **overrides: Any) -> dict[str, Any]:
    """A valid POST for the profile form with the person's current values."""
    profile = user.profile
    data: dict[str, Any] = {
        "full_name": user.full_name,
        "title": profile.title,
        "language": user.language,
        "time_zone": profile.time_zone,
        "work_days": [str(day) for day in profile.work_days],
        "work_start": profile.work_start.strftime("%H:%M"),
        "work_end": profile.work_end.strftime("%H:%M"),
        "quiet_start": profile.quiet_start.strftime("%H:%M") if profile.quiet_start else "",
        "quiet_end": profile.quiet_end.strftime("%H:%M") if profile.quiet_end else "",
        "holiday_country": profile.holiday_country,
        "usual_place": profile.usual_place,
    }
    for day in range(7):
        data[f"mode_{day}"] = profile.weekly_modes[day]
    data.update(overrides)
    return data
