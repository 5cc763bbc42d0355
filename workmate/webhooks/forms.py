from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, TeamRole
from workmate.webhooks.models import Endpoint, EndpointScope, IncomingHook
from workmate.webhooks.services import is_org_admin


def event_type_choices() -> list[tuple[str, str]]:
    from workmate.automation.events import event_types

    return [(t.key, f"{t.label} ({t.key})") for t in event_types()]


def managed_projects(user):
    from workmate.work.models import Project

    rows = Project.objects.active()
    if is_org_admin(user):
        return rows
    leads = Q(team__memberships__user=user, team__memberships__role=TeamRole.LEAD)
    return rows.filter(Q(owner=user) | leads).distinct()


def led_teams(user):
    if is_org_admin(user):
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__role=TeamRole.LEAD)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("Where to send: your receiver, or the chat tool's incoming webhook URL."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = Endpoint
        fields = ["name", "kind", "url", "scope", "project", "team", "event_types", "language"]
        help_texts = {
            "language": _("The language of chat messages."),
        }

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["event_types"].choices = event_type_choices()
        self.fields["project"].queryset = managed_projects(user)
        self.fields["team"].queryset = led_teams(user)
        self.fields["project"].required = self.fields["team"].required = False
        if not is_org_admin(user):
            self.fields["scope"].choices = [
                c for c in EndpointScope.choices if c[0] != EndpointScope.ORG
            ]
        self.fields["language"].choices = settings.LANGUAGES
        if self.instance.pk:
            # What it is and where it listens are fixed once made.
            for name in ("kind", "scope", "project", "team"):
                del self.fields[name]


class IncomingHookForm(forms.ModelForm):
    class Meta:
        model = IncomingHook
        fields = ["name", "project"]

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = managed_projects(user)
