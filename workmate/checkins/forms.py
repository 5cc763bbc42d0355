from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import WEEKDAY_CHOICES, Team, User
from workmate.checkins.models import ANSWER_MAX_LENGTH, Frequency, default_questions


class CheckinForm(forms.Form):
    """Setting up or changing a check-in; `team` only when creating one."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One question a line. The first is pre-filled with what the person finished "
            "since their last check-in, the second with their tasks due in the next week."
        ),
    )
    frequency = forms.ChoiceField(
        label=_("Repeats"), choices=Frequency.choices, initial=Frequency.WEEKLY
    )
    weekday = forms.TypedChoiceField(
        label=_("On"),
        choices=[("", "—"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        # No day or time is pre-chosen: a lead who skipped them got a Friday 16:00 check-in
        # without having picked it, so the form asks instead.
        help_text=_("Required for weekly check-ins."),
    )
    time_of_day = forms.TimeField(
        label=_("At"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In each member's own time zone."),
        error_messages={"required": _("Choose the time the check-in asks at.")},
    )

    def __init__(self, *args: object, teams: list[Team] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
            if len(teams) == 1:
                self.fields["team"].initial = teams[0].pk
        if not self.is_bound and "questions" not in self.initial:
            self.initial["questions"] = "\n".join(default_questions())

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("Ask at least one question."))
        return lines

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        weekly = cleaned.get("frequency") == Frequency.WEEKLY
        if weekly and cleaned.get("weekday") is None and "weekday" not in self.errors:
            self.add_error("weekday", _("Choose the weekday of a weekly check-in."))
        if cleaned.get("frequency") == Frequency.DAILY:
            cleaned["weekday"] = None
        return cleaned


class AnswerForm(forms.Form):
    """One text area per question of the occurrence, named answer_0, answer_1, ..."""

    def __init__(self, *args: object, questions: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class SearchForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, people=None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if people is not None:
            self.fields["person"].queryset = people

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return cleaned
