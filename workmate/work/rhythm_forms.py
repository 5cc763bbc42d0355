"""Forms for recurring tasks, time logs and templates (kept apart from forms.py to stay small)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import WEEKDAY_CHOICES, Team, User
from workmate.desk.models import Customer
from workmate.work.forms import DateInput
from workmate.work.models import (
    Frequency,
    Project,
    ProjectHealth,
    ProjectTemplate,
    Recurrence,
    TimeLog,
)
from workmate.work.timelogs import format_minutes, parse_duration


class RecurrenceForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Repeats"), choices=Frequency.choices)
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=365,
        initial=1,
        help_text=_("Days, weeks or months, by what it repeats."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    day_of_month = forms.IntegerField(
        label=_("Day of month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("A shorter month uses its last day."),
    )
    skip_holidays = forms.BooleanField(
        label=_("Skip weekends and holidays"),
        required=False,
        initial=True,
        help_text=_("A date on a day off moves to the next working day of the assignee."),
    )

    @classmethod
    def for_rule(cls, rule: Recurrence | None, **kwargs: object) -> RecurrenceForm:
        if rule is None:
            return cls(**kwargs)  # type: ignore[arg-type]
        initial = {
            "frequency": rule.frequency,
            "interval": rule.interval,
            "weekdays": rule.weekdays,
            "day_of_month": rule.day_of_month,
            "skip_holidays": rule.skip_holidays,
        }
        return cls(initial=initial, **kwargs)  # type: ignore[arg-type]


class TimeLogForm(forms.Form):
    worked_on = forms.DateField(label=_("Date"), widget=DateInput())
    duration = forms.CharField(
        label=_("Time spent"),
        max_length=20,
        help_text=_("Minutes (90), “1h 30m” or “1:30”."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=_("No customer"),
    )

    @classmethod
    def for_entry(cls, entry: TimeLog, **kwargs: object) -> TimeLogForm:
        initial = {
            "worked_on": entry.worked_on,
            "duration": format_minutes(entry.minutes),
            "note": entry.note,
            "billable": entry.billable,
            "customer": entry.customer_id,
        }
        return cls(initial=initial, **kwargs)  # type: ignore[arg-type]

    def clean_duration(self) -> int:
        try:
            return parse_duration(self.cleaned_data["duration"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["duration"]) from error

    def service_kwargs(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "minutes": data["duration"],
            "worked_on": data["worked_on"],
            "note": data["note"],
            "billable": data["billable"],
            "customer": data["customer"],
        }


class SaveTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=200)
    description = forms.CharField(
        label=_("What it is for"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    anchor = forms.DateField(
        label=_("Count dates from"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to count from the project's earliest start or due date."),
    )
    is_checklist = forms.BooleanField(
        label=_("Save as a checklist"),
        required=False,
        help_text=_("A checklist adds its tasks as subtasks of an existing task."),
    )


class UseTemplateForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    start_on = forms.DateField(label=_("Start date"), widget=DateInput())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only a team's members may start projects for it.
        self.fields["team"].queryset = Team.objects.filter(members=user)  # type: ignore[attr-defined]


class ChecklistForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=ProjectTemplate.objects.none())
    start_on = forms.DateField(
        label=_("Count dates from"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the task's start or due date, else today."),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from workmate.work.templating import templates_for

        self.fields["template"].queryset = (  # type: ignore[attr-defined]
            ProjectTemplate.objects.filter(
                pk__in=templates_for(user).filter(is_checklist=True).values("pk")
            ).order_by("name", "pk")
        )


class TemplateVersionForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Take the content from"), queryset=Project.objects.none()
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["project"].queryset = Project.objects.editable_by(user).order_by("name")  # type: ignore[attr-defined]


class StatusUpdateForm(forms.Form):
    health = forms.ChoiceField(
        label=_("Status"), choices=ProjectHealth.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_milestone = forms.CharField(label=_("Next milestone"), max_length=300, required=False)
    every_days = forms.IntegerField(
        label=_("Remind me to post every (days)"), min_value=1, max_value=90, required=False
    )
