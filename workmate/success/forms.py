from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import User
from workmate.desk.models import Contact, Customer
from workmate.success.models import (
    FeedbackArea,
    FeedbackItem,
    FeedbackSource,
    Health,
    Importance,
    MeetingKind,
    RouteKind,
    Theme,
)
from workmate.work.forms import DateInput


class ListFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Only my customers"), required=False)


class ContractForm(forms.Form):
    contract_start = forms.DateField(label=_("Contract start"), required=False, widget=DateInput())
    contract_end = forms.DateField(label=_("Contract end"), required=False, widget=DateInput())
    renewal_on = forms.DateField(label=_("Renewal date"), required=False, widget=DateInput())


class OverrideForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Health"),
        choices=[("", _("As computed from the rules")), *list(Health.choices)],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _contacts(customer: Customer):
    return Contact.objects.filter(memberships__customer=customer, is_active=True).order_by(
        "full_name", "email"
    )


def _colleagues():
    return User.objects.filter(is_active=True).order_by("full_name")


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(
        label=_("Notes (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Customer attendees"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Colleagues attending"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = _contacts(customer)
        self.fields["colleagues"].queryset = _colleagues()


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200, required=False)
    assignee = forms.ModelChoiceField(
        label=_("Asked of"), queryset=User.objects.none(), required=False
    )
    reply_by = forms.DateTimeField(
        label=_("Reply by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: their usual reply-by in working hours."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _colleagues()

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("assignee"):
            self.add_error("assignee", _("Say whom you ask."))
        if data.get("assignee") and not data.get("title"):
            self.add_error("title", _("Say what is asked."))
        return data


class FeedbackForm(forms.Form):
    words = forms.CharField(
        label=_("What they said (in their words)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.ModelChoiceField(
        label=_("From"), queryset=Contact.objects.none(), required=False
    )
    area = forms.ChoiceField(label=_("Area"), choices=FeedbackArea.choices, initial="service")
    importance = forms.ChoiceField(
        label=_("Importance to the customer"), choices=Importance.choices, initial="medium"
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    internal_note = forms.CharField(
        label=_("Internal note (never shown to the customer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _contacts(customer)
        self.fields["theme"].queryset = Theme.objects.live()


class FeedbackSourceForm(FeedbackForm):
    """Feedback recorded on its own (not in a meeting): where it came from."""

    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(v, label) for v, label in FeedbackSource.choices if v != FeedbackSource.MEETING],
    )


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=2)


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeThemeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Theme.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Theme.objects.live()


class SplitThemeForm(forms.Form):
    name = forms.CharField(label=_("New theme's name"), max_length=200)
    items = forms.ModelMultipleChoiceField(
        label=_("Items to move"),
        queryset=FeedbackItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, theme: Theme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = theme.items.all()


class SetThemeForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.live()


class RouteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Route to"), choices=RouteKind.choices)
    title = forms.CharField(
        label=_("Title of the proposal, PoC or task"), max_length=200, required=False
    )
    description = forms.CharField(
        label=_("What the team should know (colleagues read this, not the customer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assignee = forms.ModelChoiceField(
        label=_("Asked of (LE or SD task)"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason (no action)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _colleagues()


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the customer"), widget=forms.Textarea(attrs={"rows": 4})
    )


class PortalFeedbackForm(forms.Form):
    words = forms.CharField(
        label=_("What would you like us to know?"), widget=forms.Textarea(attrs={"rows": 5})
    )
    is_idea = forms.BooleanField(label=_("This is an idea for a new service"), required=False)
    area = forms.ChoiceField(label=_("Area"), choices=FeedbackArea.choices, initial="service")
    importance = forms.ChoiceField(
        label=_("How important is it to you?"), choices=Importance.choices, initial="medium"
    )
