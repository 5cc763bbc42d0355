"""Forms of the report pages: the architect's override, the what-if settings and the
migration project."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.advisor.models import Assessment, Verdict
from workmate.work import templating

REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
INSTANCE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
FAMILY_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def clean_region(value: str) -> str:
    value = value.strip().lower()
    if value and not REGION_RE.match(value):
        raise forms.ValidationError(
            _("“%(value)s” is not an AWS region code (like ap-northeast-2)."),
            params={"value": value},
        )
    return value


class OverrideForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Chosen verdict"),
        choices=[("", _("As computed")), *Verdict.choices],
        required=False,
    )
    instance_type = forms.CharField(
        label=_("Chosen instance type"),
        max_length=32,
        required=False,
        help_text=_("Empty: the computed one. For example m7i.xlarge."),
    )
    region = forms.CharField(
        label=_("Chosen region"),
        max_length=32,
        required=False,
        help_text=_("Empty: the computed one. An AWS region code, like ap-northeast-2."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Shown beside the override in the report, to the customer too."),
    )

    def clean_instance_type(self) -> str:
        value = self.cleaned_data["instance_type"].strip().lower()
        if value and not INSTANCE_RE.match(value):
            raise forms.ValidationError(
                _("“%(value)s” is not an instance type (like m7i.xlarge)."), params={"value": value}
            )
        return value

    def clean_region(self) -> str:
        return clean_region(self.cleaned_data["region"])

    def clean(self) -> dict:
        data = super().clean()
        chosen = data.get("verdict") or data.get("instance_type") or data.get("region")
        if chosen and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you override the computed result."))
        if not chosen and not self.errors:
            raise forms.ValidationError(
                _("Choose a verdict, an instance type or a region to override.")
            )
        return data


class WhatIfForm(forms.ModelForm):
    """The assessment's what-if settings; saving recomputes every workload."""

    allowed_families_text = forms.CharField(
        label=_("Allowed instance families"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated, like m7i, r7i, c7i. Empty: every family in the catalogue."),
    )

    class Meta:
        model = Assessment
        fields = [
            "region",
            "percentile",
            "comfort_factor",
            "pricing_model",
            "burstable_allowed",
            "relocate_enabled",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed_families_text"].initial = ", ".join(
            self.instance.allowed_families or []
        )
        self.fields["comfort_factor"].widget.attrs.update({"step": "0.05"})

    def clean_region(self) -> str:
        region = clean_region(self.cleaned_data["region"])
        if not region:
            raise forms.ValidationError(_("Give the target region."))
        return region

    def clean_allowed_families_text(self) -> list[str]:
        families = []
        for part in self.cleaned_data["allowed_families_text"].replace(";", ",").split(","):
            family = part.strip().lower()
            if not family:
                continue
            if not FAMILY_RE.match(family):
                raise forms.ValidationError(
                    _("“%(value)s” is not an instance family (like m7i)."),
                    params={"value": family},
                )
            if family not in families:
                families.append(family)
        return families

    def settings(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["allowed_families"] = self.cleaned_data["allowed_families_text"]
        return data


class StartProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    template = forms.ModelChoiceField(
        label=_("Project template"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No template: only the waves"),
    )
    start_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user: User, assessment: Assessment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(members=user).order_by("name")
        self.fields["template"].queryset = templating.templates_for(user).filter(is_checklist=False)
        self.fields["name"].initial = _("Migration: %(name)s") % {"name": assessment}
        self.fields["start_on"].initial = timezone.localdate()
