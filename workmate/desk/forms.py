"""Forms of the agent pages: the queue filters, bulk assign, reply box, ticket changes."""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Membership, Team, User
from workmate.desk.agent import agents, parse_tags
from workmate.desk.models import Category, Customer, Macro, Priority, Status, Ticket
from workmate.lib.forms import PlainSelect


class Listed(BaseChoiceIterator):
    """Choices that are already (value, text) pairs: Django takes a choice iterator as it
    is, where it would walk a list of ~300 agents twice (field, then widget) to normalise it
    on every queue page."""

    def __init__(self, choices: Sequence[tuple[Any, Any]]) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.choices)


class PeopleOptions:
    """The agents' `<option>`s, written once a page for both selects that list them."""

    # The last list written and its options: the key is the list itself, as read for this
    # page, so a name or person changed since is a new key, never a stale option.
    _last: tuple[tuple[tuple[int, str], ...], str] = ((), "")

    def __init__(self, people: Sequence[tuple[int, str]]) -> None:
        self.people = people
        key = tuple(people)
        last_key, last_html = PeopleOptions._last
        if key == last_key:
            self.html = last_html
            return
        # `PlainSelect`'s bytes for each (an int value is not escaped, the name is).
        self.html = "".join(
            f'\n  <option value="{int(pk)}">{html.escape(name)}</option>\n' for pk, name in people
        )
        PeopleOptions._last = (key, self.html)


class PeopleSelect(PlainSelect):
    """A `PlainSelect` of a few fixed options (`choices`), then the page's agents
    (`people`, written once): the bytes of Django's `Select` over both. As Django's, only
    the first option with the value is marked selected."""

    people: PeopleOptions | None = None

    def _plain_html(self, name: str, value: Any, attrs: dict[str, Any] | None) -> str | None:
        written = super()._plain_html(name, value, attrs)
        if written is None or self.people is None:
            return written
        options = self.people.html
        if " selected>" not in written:
            chosen = self.format_value(value)
            for item in chosen:
                needle = f'<option value="{html.escape(item)}">'
                at = options.find(needle)
                if at >= 0:
                    options = f"{options[:at]}{needle[:-1]} selected>{options[at + len(needle) :]}"
                    break
        end = written.rindex("\n</select>")
        return f"{written[:end]}{options}{written[end:]}"


def set_people(
    field: forms.ChoiceField, head: list[tuple[Any, Any]], people: PeopleOptions
) -> None:
    """Give a `PeopleSelect` field its options: `head`, then the agents (validated as one list)."""
    field.choices = Listed([*head, *people.people])
    widget = field.widget
    assert isinstance(widget, PeopleSelect)
    widget.choices = Listed(head)
    widget.people = people


class QueueFilterForm(forms.Form):
    """The filter bar; every filter is a GET parameter, so a URL keeps them."""

    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any open")), *Status.choices, ("any", _("Any, closed too"))],
        widget=PlainSelect,
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *Priority.choices],
        widget=PlainSelect,
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        required=False,
        queryset=Customer.objects.only("pk", "name"),
        empty_label=_("Any"),
        widget=PlainSelect,
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.only("pk", "code", "name"),  # str(team) shows both
        empty_label=_("Any"),
        widget=PlainSelect,
    )
    # The selects are written from their choices (`PlainSelect`, the bytes of Django's
    # `Select`): the filter bar is on every queue page, with every agent and customer.
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any")), *Category.choices],
        widget=PlainSelect,
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=PeopleSelect)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)

    def __init__(self, data, *, people: PeopleOptions) -> None:
        """`people`: the agents, read once for this and the bulk bar."""
        super().__init__(data, auto_id="filter_%s")
        head = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
        set_people(self.fields["assignee"], head, people)  # type: ignore[arg-type]
        # The options as (pk, text) tuples, read fresh on each page: the same options the
        # model fields would list (their queryset's order, `str()` of each), without a model
        # instance per customer and team. The fields still validate through their querysets.
        customer, team = self.fields["customer"], self.fields["team"]
        customer.widget.choices = [
            ("", customer.empty_label),  # type: ignore[attr-defined]
            *Customer.objects.values_list("pk", "name"),
        ]
        team.widget.choices = [
            ("", team.empty_label),  # type: ignore[attr-defined]
            *(
                (pk, f"{code} · {name}")  # `str(team)`
                for pk, code, name in Team.objects.values_list("pk", "code", "name")
            ),
        ]

    def filters(self) -> dict:
        """The filters that parsed; a bad one is shown beside its field and left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "priority": data.get("priority"),
            "customer": data.get("customer"),
            "team": data.get("team"),
            "category": data.get("category") or "",
            "assignee": data.get("assignee") or "",
            "tag": data.get("tag") or "",
            "text": data.get("q") or "",
        }

    @property
    def is_active(self) -> bool:
        return any(value not in (None, "") for value in self.filters().values())


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class BulkAssignForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    assignee = AssigneeChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (unassign)"),
        widget=PeopleSelect,
    )

    def __init__(self, data=None, *, people_qs=None) -> None:
        super().__init__(data, auto_id="bulk_%s")
        self.fields["assignee"].queryset = people_qs if people_qs is not None else agents()  # type: ignore[attr-defined]

    def clean_tickets(self) -> list[int]:
        return self.cleaned_data["tickets"]

    def full_clean(self) -> None:
        # The ticket choices are whatever ids were posted; the service loads what exists.
        if self.data:
            ids = [value for value in self.data.getlist("tickets") if str(value).isdigit()]
            self.fields["tickets"].choices = [(value, value) for value in ids]  # type: ignore[attr-defined]
        super().full_clean()


class ReplyForm(forms.Form):
    KIND_CHOICES = [("reply", _("Reply to customer")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect
    )
    # `data-mention`: the @mention autocomplete (static/js/mentions.js) opens here.
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "data-mention": ""}),
        help_text=_(
            "In an internal note, mention a colleague with @ and their name; in a reply to "
            "the customer, a name picked from the list is written as plain text."
        ),
    )
    minutes = forms.IntegerField(
        label=_("Time spent (minutes)"), min_value=0, max_value=24 * 60, initial=0
    )
    billable = forms.BooleanField(label=_("Billable"), required=False)
    status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[("", _("Leave as it is")), *Status.choices],
    )
    # The macro the text came from, counted as used when the reply is sent.
    macro = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)


class TicketUpdateForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), coerce=int, choices=Priority.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    assignee = AssigneeChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        widget=PeopleSelect,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas or spaces."),
    )

    def __init__(self, data=None, *, ticket: Ticket) -> None:
        initial = {
            "priority": ticket.priority,
            "status": ticket.status,
            "assignee": ticket.assignee_id,
            "tags": ", ".join(ticket.tags),
        }
        super().__init__(data, initial=initial, auto_id="props_%s")
        assignee = self.fields["assignee"]
        assignee.queryset = agents()  # type: ignore[attr-defined]
        # The options from (pk, name) tuples, not a model instance per agent (~300).
        people = PeopleOptions(list(agents().values_list("pk", "full_name")))
        set_people(assignee, [("", assignee.empty_label)], people)  # type: ignore[arg-type, attr-defined]

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tags") or "")


class TicketNumberForm(forms.Form):
    """Merge into / link to another ticket, by its number."""

    number = forms.IntegerField(label=_("Ticket number"), min_value=1)

    def __init__(self, *args, prefix: str, **kwargs) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)
        # Both forms sit side by side on the ticket page: each label says what it does.
        if prefix == "merge":
            self.fields["number"].label = _("Merge into ticket number")
        elif prefix == "link":
            self.fields["number"].label = _("Link to ticket number")

    def clean_number(self) -> Ticket:
        number = self.cleaned_data["number"]
        ticket = Ticket.objects.filter(pk=number).first()
        if ticket is None:
            raise forms.ValidationError(
                _("There is no ticket #%(number)s."), params={"number": number}
            )
        return ticket


class EscalateForm(forms.Form):
    to = forms.ChoiceField(choices=[("le", "LE"), ("se", "SE")])
    note = forms.CharField(
        label=_("Hand-off note"),
        help_text=_("You keep the ticket and the customer conversation; they join you on it."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TriageForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.only("pk", "name")
    )
    requester_email = forms.EmailField(label=_("Requester's e-mail address"))


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    body = forms.CharField(
        label=_("Reply text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Placeholders: {{ contact_name }}, {{ ticket_number }}, {{ agent_name }}, "
            "{{ customer_name }}."
        ),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Every team")
    )
    set_status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[("", _("Leave as it is")), *Status.choices],
    )

    def __init__(self, data=None, *, user: User, macro: Macro | None = None) -> None:
        initial = {}
        if macro is not None:
            initial = {
                "name": macro.name,
                "body": macro.body,
                "team": macro.team_id,
                "set_status": macro.set_status,
            }
        super().__init__(data, initial=initial)
        teams = (
            Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team"))
            if not user.is_superuser
            else Team.objects.all()
        )
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def month_or(self, default: datetime.date) -> datetime.date:
        if self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"].replace(day=1)
        return default.replace(day=1)
