"""Forms of the library's pages. They parse input; the rules live in `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Team, User
from workmate.library.models import (
    DEFAULT_REVIEW_DAYS,
    MAX_REVIEW_DAYS,
    Space,
    SpaceKind,
    SpaceRole,
    TrustState,
)
from workmate.library.services import BODY_MAX, SUMMARY_MAX, TITLE_MAX, parse_tags


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 20, "class": "page-source"}),
        # Markdown keeps leading spaces (indented code, nested lists) and trailing ones.
        strip=False,
    )
    summary = forms.CharField(
        label=_("What did you change?"),
        required=False,
        max_length=SUMMARY_MAX,
        help_text=_("One line for the history, e.g. “added the rollback step”."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1100,
        help_text=_("Separated by commas."),
    )
    # The revision the text was loaded from: saving refuses when the page moved on.
    base_number = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tags") or "")


class SpaceFilterForm(forms.Form):
    """The space home's filters (all optional; a bad value is simply ignored)."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All pages")), *TrustState.choices],
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)


class MoveForm(forms.Form):
    parent = forms.TypedChoiceField(label=_("Put under"), coerce=int, empty_value=None)
    index = forms.IntegerField(
        label=_("Position among its new siblings"),
        required=False,
        min_value=0,
        max_value=100_000,
        help_text=_("0 is the first; empty puts it last."),
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("The top of the space")), *choices]
        self.fields["parent"].required = False


class PageSettingsForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    review_interval_days = forms.IntegerField(
        label=_("Review every (days)"), min_value=1, max_value=MAX_REVIEW_DAYS
    )

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True)
        if space.kind == SpaceKind.PRIVATE:
            people = people.filter(library_memberships__space=space)
        self.fields["owner"].queryset = people.order_by("full_name")


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    key = forms.CharField(
        label=_("Key"),
        max_length=20,
        help_text=_("A short name for addresses, e.g. NBD or runbooks."),
    )
    kind = forms.ChoiceField(label=_("Who reads it"), choices=SpaceKind.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requires_approval = forms.BooleanField(
        label=_("Edits need an editor's approval"), required=False
    )
    review_interval_days = forms.IntegerField(
        label=_("Review pages every (days)"),
        min_value=1,
        max_value=MAX_REVIEW_DAYS,
        initial=DEFAULT_REVIEW_DAYS,
    )


class SpaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requires_approval = forms.BooleanField(
        label=_("Edits need an editor's approval"), required=False
    )
    review_interval_days = forms.IntegerField(
        label=_("Review pages every (days)"), min_value=1, max_value=MAX_REVIEW_DAYS
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=SpaceRole.choices)

    def clean_email(self) -> User:
        person = User.objects.filter(
            email=self.cleaned_data["email"].strip().lower(), is_active=True
        ).first()
        if person is None:
            raise forms.ValidationError(_("Nobody here has this address."))
        return person
