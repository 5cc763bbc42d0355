from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.inbox.models import Channel, Kind

# The inbox tabs: URL value -> label, in the order the page shows them.
TABS = {
    "unread": _("Unread"),
    "all": _("All"),
    "snoozed": _("Snoozed"),
    "archived": _("Archived"),
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SnoozeForm(forms.Form):
    """Snooze until one of the offered working-time moments, or a date and time of one's own.

    The custom moment is read in the person's own time zone, whatever zone is active.
    """

    CUSTOM = "custom"

    until = forms.ChoiceField(label=_("Snooze until"), widget=forms.RadioSelect)
    custom = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )

    def __init__(
        self,
        *args: object,
        moments: dict[str, datetime.datetime],
        zone: zoneinfo.ZoneInfo,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.moments = moments
        self.zone = zone
        labels = {
            "later": _("In 2 working hours"),
            "tomorrow": _("Start of the next working day"),
            "next_week": _("Start of next week's first working day"),
        }
        self.fields["until"].choices = [  # type: ignore[attr-defined]
            *((key, labels[key]) for key in moments),
            (self.CUSTOM, _("Pick a date and time")),
        ]

    def choices_with_moments(self) -> list[tuple[str, str, datetime.datetime | None]]:
        """(value, label, moment) for each choice; the custom one has no moment."""
        return [
            (value, str(label), self.moments.get(value))
            for value, label in self.fields["until"].choices  # type: ignore[attr-defined]
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        choice = data.get("until")
        if choice == self.CUSTOM:
            custom = data.get("custom")
            if custom is None:
                if "custom" not in self.errors:
                    self.add_error("custom", _("Pick the date and time to snooze until."))
                return data
            # The form read the input in the active zone; the person meant their own.
            naive = timezone.make_naive(custom) if timezone.is_aware(custom) else custom
            data["moment"] = naive.replace(tzinfo=self.zone)
        elif choice:
            data["moment"] = self.moments[choice]
        return data


class PreferencesForm(forms.Form):
    """A channel for every kind of notification, and when the daily digest goes out."""

    digest_time = forms.TimeField(
        label=_("Digest time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "Your local time. Leave it empty to get the digest when your working day starts. "
            "It goes out on working days between this time and the end of your working day, "
            "never in your quiet hours; a digest that could not go comes with the next one."
        ),
        error_messages={"invalid": _("Enter a time between 00:00 and 23:59.")},
    )

    def __init__(self, *args: object, channels: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in Kind.choices:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label,
                choices=Channel.choices,
                initial=channels[kind],
                widget=forms.RadioSelect,
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind}"] for kind in Kind.values]

    def channels(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in Kind.values}
