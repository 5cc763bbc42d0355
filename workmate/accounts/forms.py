from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import WEEKDAY_CHOICES, User, WorkMode, WorkProfile
from workmate.lib.countries import country_names


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


def holiday_country_choices() -> list[tuple[str, str]]:
    """The countries with a holiday calendar, named and sorted in the reader's language.

    Only two-letter codes: they are what the profile stores (`holidays` also lists
    three-letter aliases, which the profile's two-character column cannot hold).
    """
    names = country_names(get_language() or settings.LANGUAGE_CODE)
    return [("", _("No public holidays")), *names.items()]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Queues the reset mail for the background worker instead of sending it in the request."""

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        use_https: bool = False,
        request: object = None,
        **_ignored: object,
    ) -> None:
        from workmate.accounts.tasks import send_password_reset_email

        domain = domain_override or (request.get_host() if request else "localhost")  # type: ignore[attr-defined]
        for user in self.get_users(self.cleaned_data["email"]):
            user_id = user.pk
            transaction.on_commit(
                lambda user_id=user_id: send_password_reset_email.enqueue(
                    user_id=user_id, domain=domain, use_https=use_https
                )
            )


class ProfileForm(forms.Form):
    """A person's own settings: name, language and when and where they work."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
    )
    work_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day.")},
    )
    work_start = forms.TimeField(label=_("Working day starts"), widget=TimeInput())
    work_end = forms.TimeField(label=_("Working day ends"), widget=TimeInput())
    quiet_start = forms.TimeField(label=_("Quiet hours start"), required=False, widget=TimeInput())
    quiet_end = forms.TimeField(label=_("Quiet hours end"), required=False, widget=TimeInput())
    holiday_country = forms.ChoiceField(
        label=_("Public holidays of"), choices=holiday_country_choices, required=False
    )
    usual_place = forms.CharField(label=_("Usual workation place"), max_length=100, required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        self.user = user
        profile: WorkProfile = user.profile
        initial = {
            "full_name": user.full_name,
            "language": user.language,
            "title": profile.title,
            "time_zone": profile.time_zone,
            "work_days": profile.work_days,
            "work_start": profile.work_start,
            "work_end": profile.work_end,
            "quiet_start": profile.quiet_start,
            "quiet_end": profile.quiet_end,
            "holiday_country": profile.holiday_country,
            "usual_place": profile.usual_place,
        }
        for day, _label in WEEKDAY_CHOICES:
            initial[f"mode_{day}"] = profile.usual_mode(datetime.date(2024, 1, 1 + day))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for day, label in WEEKDAY_CHOICES:
            self.fields[f"mode_{day}"] = forms.ChoiceField(
                label=label, choices=WorkMode.choices, initial=initial[f"mode_{day}"]
            )

    def weekly_mode_fields(self) -> list[forms.BoundField]:
        return [self[f"mode_{day}"] for day, _label in WEEKDAY_CHOICES]

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            self.add_error("work_end", _("The working day must end after it starts."))
        quiet_start, quiet_end = data.get("quiet_start"), data.get("quiet_end")
        if (quiet_start is None) != (quiet_end is None):
            self.add_error(
                "quiet_end" if quiet_start else "quiet_start",
                _("Give both the start and the end of your quiet hours, or neither."),
            )
        elif quiet_start is not None and quiet_end is not None:
            if quiet_start == quiet_end:
                self.add_error("quiet_end", _("Quiet hours must not start and end at once."))
            elif start and end and end > start and _overlaps(start, end, quiet_start, quiet_end):
                self.add_error(
                    "quiet_start", _("Quiet hours overlap your working hours; move one of them.")
                )
        for day, _label in WEEKDAY_CHOICES:
            if data.get(f"mode_{day}") == WorkMode.WORKATION and not data.get("usual_place"):
                self.add_error(
                    "usual_place", _("Name your usual workation place for workation weekdays.")
                )
                break
        return data

    def user_fields(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("full_name", "language")}

    def profile_fields(self) -> dict:
        fields = {
            key: self.cleaned_data[key]
            for key in (
                "title",
                "time_zone",
                "work_start",
                "work_end",
                "quiet_start",
                "quiet_end",
                "holiday_country",
                "usual_place",
            )
        }
        fields["work_days"] = sorted(self.cleaned_data["work_days"])
        fields["weekly_modes"] = [self.cleaned_data[f"mode_{day}"] for day in range(7)]
        return fields


def _overlaps(
    work_start: datetime.time,
    work_end: datetime.time,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
) -> bool:
    """Whether quiet hours (which may wrap midnight) overlap the working day."""
    if quiet_start < quiet_end:
        return quiet_start < work_end and work_start < quiet_end
    # Wrapping quiet hours are two ranges: quiet_start..24:00 and 00:00..quiet_end.
    return work_end > quiet_start or work_start < quiet_end


class WorkModeForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Work mode"), choices=WorkMode.choices)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            today = timezone.localdate(timezone=user.profile.zone)
            self.fields["date"].initial = today
            self.fields["mode"].initial = user.profile.usual_mode(today)
            self.fields["place"].initial = user.profile.usual_place

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        today = timezone.localdate(timezone=self.user.profile.zone)
        if not today - datetime.timedelta(days=31) <= day <= today + datetime.timedelta(days=366):
            raise forms.ValidationError(_("Pick a date within the last month or the coming year."))
        return day

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("mode") == WorkMode.WORKATION and not (data.get("place") or "").strip():
            self.add_error("place", _("Say where the workation is."))
        return data


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say what will use it, e.g. “backup report script”."),
    )
