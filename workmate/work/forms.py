from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Membership, Team, User
from workmate.lib.forms import PlainSelect, set_plain_choices
from workmate.work.models import (
    Priority,
    Project,
    ProjectMember,
    ProjectRole,
    Section,
    Task,
    TaskStatus,
    Visibility,
    hex_colour,
)
from workmate.work.services import PROJECT_EDITABLE_FIELDS, PROJECT_MANAGED_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class ColourInput(forms.TextInput):
    input_type = "color"


def people_who_can_see(project: Project) -> QuerySet[User]:
    """Active people who can see `project`: the same rule as `Project.objects.visible_to`."""
    people = User.objects.filter(is_active=True)
    if project.visibility == Visibility.ORG:
        return people
    # Subqueries, not joins + DISTINCT (as in `visible_to`): half the time on a team of 30.
    who = Q(pk=project.owner_id) | Q(
        pk__in=ProjectMember.objects.filter(project=project).values("user_id")
    )
    if project.visibility == Visibility.TEAM:
        who |= Q(pk__in=Membership.objects.filter(team_id=project.team_id).values("user_id"))
    return people.filter(who)


class Person(NamedTuple):
    """Someone offered in a person select: what its option shows, without a User row."""

    pk: int
    full_name: str
    email: str

    def __str__(self) -> str:
        # As `User.__str__`.
        return self.full_name or self.email


def people_choices(project: Project) -> list[Person]:
    """`people_who_can_see(project)` by name, as the project page's selects offer them:
    three columns rather than whole User rows (password hash, flags, dates)."""
    people = people_who_can_see(project).order_by("full_name", "pk")
    return [Person(*row) for row in people.values_list("pk", "full_name", "email")]


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


class ProjectSettingsForm(forms.Form):
    """A project's settings page: what `do_update_project` may change."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        help_text=_("A private project is seen only by its owner and the members listed below."),
    )
    colour = forms.CharField(
        label=_("Colour"), max_length=7, validators=[hex_colour], widget=ColourInput()
    )
    icon = forms.CharField(
        label=_("Icon"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"size": 4, "placeholder": "🚀"}),
        help_text=_("An emoji or a few letters, shown beside the name."),
    )

    def __init__(self, *args: object, project: Project, can_manage: bool, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial", {name: getattr(project, name) for name in PROJECT_EDITABLE_FIELDS}
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not can_manage:
            # Shown but not sent: a disabled field keeps the project's value, and
            # `do_update_project` refuses a change to it anyway.
            for name in PROJECT_MANAGED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Only the project's owner or a team lead can change this."
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PROJECT_MANAGED_FIELDS:
            field = self.fields[name]
            sent = self.data.get(name)
            # A browser sends no disabled field: a value that differs was crafted. Refuse
            # the whole change rather than save the rest as if all went through.
            if field.disabled and sent is not None and sent != str(self.initial.get(name)):
                self.add_error(name, str(field.help_text))
        return cleaned


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return f"{obj.full_name} <{obj.email}>"


class ProjectMemberForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).order_by("full_name", "pk"),
        empty_label=_("Choose a person"),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ProjectRole.choices, initial=ProjectRole.EDITOR
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ProjectRole.choices)


def urgent_fields() -> tuple[forms.BooleanField, forms.CharField]:
    """An "urgent" box and the reason it needs: urgent notifications reach people even
    outside their working hours, so marking one is a deliberate, explained act."""
    return (
        forms.BooleanField(
            label=_("Urgent: tell them now, even outside their working hours"), required=False
        ),
        forms.CharField(
            label=_("Why it cannot wait"),
            required=False,
            max_length=500,
            widget=forms.TextInput(),
        ),
    )


def clean_urgent(form: forms.Form, data: dict[str, object]) -> None:
    """A ticked urgent box needs a reason; the service checks the daily limit."""
    if data.get("urgent") and not str(data.get("urgent_reason") or "").strip():
        form.add_error("urgent_reason", _("Say why this cannot wait for working hours."))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class RequestBoxForm(forms.Form):
    """The request box: what is asked, by when, and whether it is urgent.

    Every form that can ask someone (quick add, the task edit form, subtasks, "Ask")
    inherits it and renders it with `work/partials/_request_box.html`. A request is sent
    when the form's `asks()` says so; then the message is required. An empty reply-by is
    the proposal from the assignee's working hours (what the htmx fragment pre-fills); a
    chosen one outside their working hours is refused by the service with their next
    working moment put in the field (`show_service_error`).
    """

    request_message = forms.CharField(
        label=_("What you ask"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when it goes to someone else. Markdown works."),
    )
    reply_by = forms.DateTimeField(
        label=_("Reply by"),
        required=False,
        widget=DateTimeInput(format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Your time. Proposed from their working hours; a time when they do not work is "
            "refused and their next working moment offered. Empty: the proposal."
        ),
    )
    urgent, urgent_reason = urgent_fields()

    # The field naming the person asked; `None` in a form that only asks (Ask).
    assignee_field = "assignee"

    def __init__(self, *args: object, user: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def asks(self, data: dict[str, object]) -> bool:
        """Whether saving sends a request: someone other than me is picked."""
        person = data.get(self.assignee_field)
        return person is not None and (self.user is None or person != self.user)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        clean_urgent(self, data)
        if self.asks(data):
            if not str(data.get("request_message") or "").strip():
                self.add_error("request_message", _("Say what you ask of them."))
        elif self.assignee_field not in self.errors and (
            data.get("urgent") or str(data.get("request_message") or "").strip()
        ):
            self.add_error(
                self.assignee_field, _("A request needs someone to go to: choose who you ask.")
            )
        return data

    def request_kwargs(self) -> dict[str, object]:
        """The request's part of the cleaned data, as `do_create_task`/`do_update_task` take it."""
        data = self.cleaned_data
        return {
            "request_message": data["request_message"].strip(),
            "request_reply_by": data["reply_by"],
            "urgent_reason": data["urgent_reason"].strip() if data["urgent"] else "",
        }

    def show_service_error(self, error: ValidationError) -> None:
        """The service's error beside its field; a refused reply-by offers the next moment."""
        offer = getattr(error, "offer", None)
        if hasattr(error, "error_dict"):
            # The services name the request's fields as the API does.
            names = {"message": "request_message", "assignee": self.assignee_field}
            error = ValidationError(
                {names.get(key, key): value for key, value in error.error_dict.items()}
            )
        add_service_errors(self, error)
        if offer is not None:
            self.data = self.data.copy()  # type: ignore[assignment]
            local = timezone.localtime(offer).strftime("%Y-%m-%dT%H:%M")
            self.data[self.add_prefix("reply_by")] = local  # type: ignore[index]


class TaskQuickForm(RequestBoxForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    # Written from their choices (`PlainSelect`): the project page offers everyone who can
    # see the project here, in its filter bar and in its bulk bar.
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=None,
        required=False,
        empty_label=_("No section"),
        widget=PlainSelect,
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=None,
        required=False,
        empty_label=_("Nobody"),
        widget=PlainSelect,
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )

    def __init__(
        self,
        *args: object,
        project: Project,
        sections: list[Section] | None = None,
        people: list[User] | list[Person] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The project page has read both lists already: the choices come from them. Only a
        # form that validates needs the querysets (it asks the database through them).
        if self.is_bound or sections is None:
            self.fields["section"].queryset = project.sections.all()  # type: ignore[attr-defined]
        if self.is_bound or people is None:
            self.fields["assignee"].queryset = people_who_can_see(project)  # type: ignore[attr-defined]
        if sections is not None:
            set_plain_choices(
                self.fields["section"],  # type: ignore[arg-type]
                [("", _("No section")), *[(section.pk, section.name) for section in sections]],
            )
        if people is not None:
            set_plain_choices(
                self.fields["assignee"],  # type: ignore[arg-type]
                [("", _("Nobody")), *[(person.pk, str(person)) for person in people]],
            )

    def task_fields(self) -> dict[str, object]:
        """The task's part of the cleaned data (the request's is `request_kwargs()`)."""
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "section", "assignee", "due_on")}


class QuickAddProjectForm(forms.Form):
    """The project a task added from the home page goes to: one the person may add to.

    The rest of that form is the project's own `TaskQuickForm`, so whatever the project
    page's quick add asks is asked from the home page too.
    """

    project = forms.ModelChoiceField(label=_("Project"), queryset=None, empty_label=None)

    def __init__(
        self, *args: object, user: User, projects: list[Project] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["project"].queryset = Project.objects.editable_by(user)  # type: ignore[attr-defined]
        # Another project has other people to ask: its fields are swapped in.
        self.fields["project"].widget.attrs.update(
            {"hx-get": reverse("work:quick_add"), "hx-target": "#quick-add-fields"}
        )
        if projects is not None:  # Read already by the home page.
            self.fields["project"].choices = [  # type: ignore[attr-defined]
                (project.pk, f"{project.name} · {project.team.code}") for project in projects
            ]


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=200)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3, "data-mention": ""}),
        help_text=_(
            "Mention someone with @ and their name or e-mail handle (@윤하은, @Alice Kim, "
            "@alice); pick them from the list that opens as you type."
        ),
    )
    # Urgent tells the people the comment @mentions.
    urgent, urgent_reason = urgent_fields()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        clean_urgent(self, data)
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 2}))


class HandBackForm(forms.Form):
    # Named like the service's error key so its errors land beside the field.
    answer = forms.CharField(
        label=_("Why you hand it back"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveTaskForm(forms.Form):
    """Where a board card goes: dragged into a section before a card, or one step by keyboard."""

    section = forms.ModelChoiceField(label=_("Section"), queryset=None, required=False)
    # The card it now sits before; empty puts it last.
    before = forms.IntegerField(required=False, min_value=1)
    direction = forms.ChoiceField(
        required=False,
        choices=[
            ("", ""),
            ("up", _("Up")),
            ("down", _("Down")),
            ("left", _("Left")),
            ("right", _("Right")),
        ],
    )

    def __init__(self, *args: object, project: Project, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["section"].queryset = project.sections.all()  # type: ignore[attr-defined]


# --- Task detail: edit, subtasks, attachments, dependencies ----------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"


class TaskEditForm(RequestBoxForm):
    """Every field of a task; `version` is the one the editor read (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        # `data-mention`: the @mention autocomplete (static/js/mentions.js) opens here.
        widget=forms.Textarea(attrs={"rows": 8, "data-mention": ""}),
        help_text=_(
            "Markdown works: **bold**, lists, [links](https://example.com). Mention someone "
            "with @ and their name or e-mail handle; they are told."
        ),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )
    start_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    due_time = forms.TimeField(
        label=_("Due time"),
        required=False,
        widget=TimeInput(format="%H:%M"),
        help_text=_("Optional: the time on the due date."),
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=None, required=False, empty_label=_("No section")
    )
    parent = forms.ModelChoiceField(
        label=_("Parent task"), queryset=None, required=False, empty_label=_("None (top level)")
    )

    def __init__(self, *args: object, task: Task, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.task = task
        project = task.project
        self.fields["assignee"].queryset = people_who_can_see(project)  # type: ignore[attr-defined]
        self.fields["section"].queryset = project.sections.all()  # type: ignore[attr-defined]
        # Open tasks of the project (and the current parent, even when done); the service
        # refuses a parent inside the task's own subtree.
        self.fields["parent"].queryset = (  # type: ignore[attr-defined]
            Task.objects.filter(project=project)
            .filter(~Q(status=TaskStatus.DONE) | Q(pk=task.parent_id))
            .exclude(pk=task.pk)
            .only("pk", "title")
            .order_by("title", "pk")
        )

    @staticmethod
    def initial_for(task: Task) -> dict[str, object]:
        due_on, due_time = task.due_on, None
        if task.due_at:
            local = timezone.localtime(task.due_at)
            due_on, due_time = local.date(), local.time().replace(second=0, microsecond=0)
        return {
            "version": task.version,
            "title": task.title,
            "description": task.description,
            "assignee": task.assignee_id,
            "start_on": task.start_on,
            "due_on": due_on,
            "due_time": due_time,
            "priority": task.priority,
            "tags": ", ".join(tag.name for tag in task.tags.all()),
            "section": task.section_id,
            "parent": task.parent_id,
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start_on, due_on = data.get("start_on"), data.get("due_on")
        if start_on and due_on and due_on < start_on:
            self.add_error("due_on", _("The due date cannot be before the start date."))
        if data.get("due_time") and not due_on and "due_on" not in self.errors:
            self.add_error("due_time", _("Pick a due date for this time."))
        return data

    def asks(self, data: dict[str, object]) -> bool:
        # Only a new assignee is sent a request.
        person = data.get("assignee")
        return super().asks(data) and person.pk != self.task.assignee_id  # type: ignore[union-attr]

    def changes(self) -> dict[str, object]:
        """The cleaned values as `do_update_task` takes them: the due time becomes `due_at`."""
        data = self.cleaned_data
        due_at = None
        if data["due_on"] and data["due_time"]:
            due_at = timezone.make_aware(
                datetime.datetime.combine(data["due_on"], data["due_time"])
            )
        return {
            "title": data["title"],
            "description": data["description"].strip(),
            "assignee": data["assignee"],
            "start_on": data["start_on"],
            "due_on": data["due_on"],
            "due_at": due_at,
            "priority": data["priority"],
            "section": data["section"],
            "parent": data["parent"],
        }


class SubtaskForm(RequestBoxForm):
    title = forms.CharField(label=_("Subtask"), max_length=300)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: object, project: Project, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].queryset = people_who_can_see(project)  # type: ignore[attr-defined]


class AskForm(RequestBoxForm):
    """ "Ask" on a task: a written request to one person about it, for a reply or to take it."""

    person = forms.ModelChoiceField(label=_("Ask"), queryset=None, empty_label=_("Choose a person"))
    reassign = forms.BooleanField(
        label=_("Make them the assignee"),
        required=False,
        help_text=_("Otherwise they are asked for a reply (a review, an answer) about it."),
    )
    assignee_field = "person"

    def __init__(
        self, *args: object, task: Task, can_reassign: bool = True, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not can_reassign:
            # Only the project's editors hand tasks over; the rest ask for a reply.
            del self.fields["reassign"]
        self.fields["person"].queryset = people_who_can_see(task.project).exclude(  # type: ignore[attr-defined]
            pk=getattr(self.user, "pk", None)
        )
        # Asking about an unassigned task usually hands it over; otherwise it asks for a reply.
        if "reassign" in self.fields:
            self.fields["reassign"].initial = task.assignee_id is None


class AttachmentForm(forms.Form):
    # Named like the service's error key so its errors land beside the field.
    file = forms.FileField(label=_("File"))


class DependencyForm(forms.Form):
    blocked_by = forms.ModelChoiceField(
        label=_("Blocked by"), queryset=None, empty_label=_("Pick a task")
    )

    def __init__(self, *args: object, task: Task, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Open tasks of the same project that do not block this one already.
        self.fields["blocked_by"].queryset = (  # type: ignore[attr-defined]
            Task.objects.filter(project_id=task.project_id)
            .open()
            .exclude(pk=task.pk)
            .exclude(dependents__task=task)
            .only("pk", "title")
            .order_by("title", "pk")
        )


class ImportForm(forms.Form):
    """An Asana CSV export to import; the service checks its type and size."""

    file = forms.FileField(
        label=_("Asana CSV export"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("In Asana: project menu → Export/Print → CSV. Up to 20 MB."),
    )


class AssigneeMapForm(forms.Form):
    """A person for each assignee an import could not find, one select per name."""

    def __init__(self, *args: object, project: Project, names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.names = names
        people = people_who_can_see(project).order_by("full_name")
        for index, name in enumerate(names):
            self.fields[f"person_{index}"] = forms.ModelChoiceField(
                label=name, queryset=people, required=False, empty_label=_("Leave unassigned")
            )

    def mapping(self) -> dict[str, User]:
        return {
            name: person
            for index, name in enumerate(self.names)
            if (person := self.cleaned_data.get(f"person_{index}")) is not None
        }
