from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.work.models import Project, Visibility, hex_colour


class DateInput(forms.DateInput):
    input_type = "date"


class ColourInput(forms.TextInput):
    input_type = "color"


def people_who_can_see(project: Project) -> QuerySet[User]:
    """Active people who can see `project`: the same rule as `Project.objects.visible_to`."""
    people = User.objects.filter(is_active=True)
    if project.visibility == Visibility.ORG:
        return people
    who = Q(pk=project.owner_id) | Q(projects=project)
    if project.visibility == Visibility.TEAM:
        who |= Q(teams=project.team_id)
    return people.filter(who).distinct()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.TEAM
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#1f5eff",
        validators=[hex_colour],
        widget=ColourInput(),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only a team's members may start projects for it.
        self.fields["team"].queryset = Team.objects.filter(members=user)  # type: ignore[attr-defined]


class TaskQuickForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=None, required=False, empty_label=_("No section")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args: object, project: Project, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["section"].queryset = project.sections.all()  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = people_who_can_see(project)  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=200)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mention people with @name."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 2}))


class HandBackForm(forms.Form):
    # Named like the service's error key so its errors land beside the field.
    answer = forms.CharField(
        label=_("Why you hand it back"), widget=forms.Textarea(attrs={"rows": 2})
    )
