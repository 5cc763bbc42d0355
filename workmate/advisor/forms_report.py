"""The form of the report pages: starting the migration project."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.advisor.models import Assessment
from workmate.work import templating


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
