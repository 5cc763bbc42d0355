from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.levels.models import LedgerEntry, Level
from workmate.reviews.services import BODY_MAX_LENGTH, REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"


class OpenCycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput)
    period_end = forms.DateField(label=_("Period to"), widget=DateInput)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams taking part"),
        queryset=Team.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active member of these teams takes part."),
    )
    self_days = forms.IntegerField(
        label=_("Self reviews and asking for feedback (working days)"),
        min_value=1,
        max_value=60,
        initial=5,
    )
    feedback_days = forms.IntegerField(
        label=_("Peer feedback (working days after that)"), min_value=1, max_value=60, initial=5
    )
    assessment_days = forms.IntegerField(
        label=_("Leads' assessments (working days after that)"),
        min_value=1,
        max_value=60,
        initial=5,
    )
    calibration_days = forms.IntegerField(
        label=_("Calibration (working days after that)"), min_value=1, max_value=60, initial=3
    )
    share_on = forms.DateField(
        label=_("Share the results on"),
        widget=DateInput,
        help_text=_("People see their results from 09:00 that day, once the cycle is closed."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("period_end", today)
            self.initial.setdefault("period_start", today - datetime.timedelta(days=182))
            self.initial.setdefault("share_on", today + datetime.timedelta(days=40))


class EntryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: LedgerEntry) -> str:
        return f"{obj.occurred_at:%Y-%m-%d} · {obj.get_kind_display()} · {obj.title}"


class NarrativeForm(forms.Form):
    """One competency's text and the ledger entries it cites (picked, never typed)."""

    body = forms.CharField(
        label=_("What happened and what it changed"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=BODY_MAX_LENGTH,
        required=False,
    )
    entries = EntryChoiceField(
        label=_("Evidence from the ledger"),
        queryset=LedgerEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: object, choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["entries"].queryset = choices


class FeedbackRequestForm(forms.Form):
    colleague = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    message = forms.CharField(
        label=_("What you would like feedback on"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=BODY_MAX_LENGTH,
    )

    def __init__(self, *args: object, colleagues, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["colleague"].queryset = colleagues


class AnswerForm(forms.Form):
    """Fields per competency: answer_<code> and lead_only_<code>."""

    def __init__(self, *args: object, competencies, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.competencies = list(competencies)
        for competency in self.competencies:
            self.fields[f"answer_{competency.code}"] = forms.CharField(
                label=competency.name,
                help_text=competency.description,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=BODY_MAX_LENGTH,
                required=False,
            )
            self.fields[f"lead_only_{competency.code}"] = forms.BooleanField(
                label=_("Only for the lead"), required=False
            )

    def pairs(self):
        return [(self[f"answer_{c.code}"], self[f"lead_only_{c.code}"]) for c in self.competencies]


class LevelForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=Level.objects.none())

    def __init__(self, *args: object, levels, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["level"].queryset = levels
        self.fields["level"].label_from_instance = lambda level: (
            f"{level.track.name} · L{level.number} {level.title}"
        )


class CalibrateForm(LevelForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
    )
