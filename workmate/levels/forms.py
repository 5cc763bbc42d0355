from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import User
from workmate.levels.models import (
    GLUE_MAX_LENGTH,
    IMPACT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    EntryKind,
)


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    competency = forms.ChoiceField(label=_("Competency"), required=False)

    def __init__(
        self, *args: object, competencies: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("All kinds")), *EntryKind.choices]
        self.fields["competency"].choices = [("", _("All competencies")), *competencies]


class CurateForm(forms.Form):
    """One entry's curation; every field optional, so a star button sends only `starred`."""

    competency = forms.ChoiceField(label=_("Competency"), required=False)
    starred = forms.NullBooleanField(label=_("Starred"), required=False)
    hidden = forms.NullBooleanField(label=_("Hidden"), required=False)
    impact = forms.CharField(label=_("Impact"), max_length=IMPACT_MAX_LENGTH, required=False)

    def __init__(
        self, *args: object, competencies: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["competency"].choices = [("", "—"), *competencies]

    def changes(self) -> dict[str, object]:
        """Only what the request sent: an absent field leaves the entry's value."""
        data = self.cleaned_data
        out: dict[str, object] = {}
        if data.get("competency"):
            out["competency"] = data["competency"]
        for name in ("starred", "hidden"):
            if name in self.data and data.get(name) is not None:
                out[name] = data[name]
        if "impact" in self.data:
            out["impact"] = data.get("impact", "")
        return out


class GlueForm(forms.Form):
    title = forms.CharField(
        label=_("What"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("e.g. Mentored Jiwoo through her first on-call week"),
    )
    description = forms.CharField(
        label=_("What you did and what came of it"),
        max_length=GLUE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    occurred_on = forms.DateField(
        label=_("When"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    competency = forms.ChoiceField(label=_("Competency"))
    colleague = forms.ModelChoiceField(
        label=_("Ask a colleague to confirm (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("They are asked through their inbox and can confirm or decline."),
    )

    def __init__(
        self, *args: object, actor: User, competencies: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["competency"].choices = competencies
        self.fields["competency"].initial = "collaboration"
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["colleague"].queryset = (
            User.objects.filter(is_active=True).exclude(pk=actor.pk).order_by("full_name")
        )


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExpectationForm(forms.Form):
    text_en = forms.CharField(
        label=_("Expectation (English)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    text_ko = forms.CharField(
        label=_("Expectation (Korean)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    note = forms.CharField(label=_("What changed and why"), max_length=200, required=False)


class LevelTextForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=100)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=100, required=False)
    summary_en = forms.CharField(
        label=_("Scope and impact (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    summary_ko = forms.CharField(
        label=_("Scope and impact (Korean)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    note = forms.CharField(label=_("What changed and why"), max_length=200, required=False)


class SetLevelForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"))
    number = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[(n, f"L{n}") for n in range(1, 8)]
    )
    flavour = forms.ChoiceField(label=_("Flavour"), required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(
        self,
        *args: object,
        tracks: list[tuple[str, str]],
        flavours: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["track"].choices = tracks
        self.fields["flavour"].choices = [("", "—"), *flavours]


class BragFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    all = forms.BooleanField(label=_("Include entries not starred"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return data
