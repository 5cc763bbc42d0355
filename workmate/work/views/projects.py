"""The projects index and a project's list: filters, inline row edits and bulk actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import User
from workmate.accounts.templatetags.workmate import when
from workmate.inbox import services as inbox_services
from workmate.lib.forms import IdsChoiceField, PlainSelect, set_plain_choices
from workmate.lib.prepared import PreparedQuery
from workmate.lib.urls import reverse_ids
from workmate.work import fields as custom_fields
from workmate.work import services
from workmate.work.forms import (
    DateInput,
    Person,
    ProjectForm,
    RequestBoxForm,
    SectionForm,
    TaskQuickForm,
    add_service_errors,
    people_who_can_see,
)
from workmate.work.models import (
    CustomField,
    CustomFieldValue,
    FieldKind,
    Project,
    Section,
    Tag,
    Task,
    TaskStatus,
    Visibility,
)
from workmate.work.templatetags.work_rows import PROJECT_ROW_COLUMNS, ProjectRow

PROJECTS_PAGE_SIZE = 50
# Top-level tasks per page of a project's list: each row costs ~0.1 ms to render.
TASKS_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def projects(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProjectForm(request.POST, user=user)
        if form.is_valid():
            try:
                project = services.do_create_project(user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
                return redirect("work:project", pk=project.pk)
    else:
        form = ProjectForm(user=user)
    # Archived projects are left out unless asked for (`?archived=1`), then shown with a badge.
    show_archived = request.GET.get("archived") == "1"
    listing = (
        Project.objects.visible_to(user)
        .select_related("team", "owner")
        .annotate(
            open_tasks=Count("tasks", filter=~Q(tasks__status=TaskStatus.DONE), distinct=True)
        )
        .order_by("name", "pk")
    )
    if not show_archived:
        listing = listing.active()
    page = Paginator(listing, PROJECTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "show_archived": show_archived}
    if request.htmx and request.method != "POST":
        return render(request, "work/partials/_project_rows.html", context)
    status = 400 if form.is_bound else 200
    return render(request, "work/projects.html", {**context, "form": form}, status=status)


# --- The list ----------------------------------------------------------------------------


@dataclass
class Cell:
    """One task's value of one custom field (None when it has none)."""

    field: CustomField
    value: CustomFieldValue | None


@dataclass
class SectionGroup:
    section: Section | None
    tasks: list[ProjectRow] = field(default_factory=list)


def _listed_tasks(project: Project) -> QuerySet[Task]:
    """The project's tasks in list order ("No section" first), with their subtask counts."""
    return project.tasks.with_subtask_count().order_by(
        F("section__position").asc(nulls_first=True), "section_id", "position", "pk"
    )


def _cells(task_ids: list[int], fields: list[CustomField]) -> dict[int, list[Cell]]:
    """Each task's custom field cells, in the fields' order: one query, none without fields."""
    if not fields:
        return {pk: [] for pk in task_ids}
    values = CustomFieldValue.objects.filter(task_id__in=task_ids).select_related("person")
    by_task: dict[int, dict[int, CustomFieldValue]] = {pk: {} for pk in task_ids}
    for value in values:
        by_task[value.task_id][value.field_id] = value
    return {
        pk: [Cell(item, found.get(item.pk)) for item in fields] for pk, found in by_task.items()
    }


def _list_rows(
    tasks: QuerySet[Task] | list[tuple[Any, ...]], fields: list[CustomField]
) -> list[ProjectRow]:
    """The rows of `tasks` (from `_listed_tasks`, or its rows) as the list shows them: only
    the columns a row shows, as tuples rather than model instances (`list_row_html`)."""
    found = list(tasks.values_list(*PROJECT_ROW_COLUMNS)) if isinstance(tasks, QuerySet) else tasks
    cells = _cells([row[0] for row in found], fields)
    return [ProjectRow(*row, cells[row[0]]) for row in found]


# --- The page's reads as prepared SQL (workmate.lib.prepared) -------------------------------
# Building these querysets (joins, the subtask count's subquery, the people rule's
# subqueries) and compiling them cost more CPU than SQLite takes to run them: their SQL is
# built once per connection, the project's ids are parameters of each run.


def _prepared_sections() -> PreparedQuery:
    def build(project: int) -> QuerySet[Any]:
        sections = Section.objects.filter(project_id=project).order_by("position", "pk")
        return sections.values_list("pk", "name", "position")

    return PreparedQuery(build, project="id")


def _prepared_fields() -> PreparedQuery:
    def build(project: int) -> QuerySet[Any]:
        fields = CustomField.objects.filter(project_id=project).order_by("position", "pk")
        return fields.values_list("pk", "name", "kind", "options", "position")

    return PreparedQuery(build, project="id")


def _prepared_tags() -> PreparedQuery:
    def build(project: int) -> QuerySet[Any]:
        tags = Tag.objects.filter(tasks__project_id=project).distinct().order_by("name")
        return tags.values_list("pk", "name", "colour")

    return PreparedQuery(build, project="id")


def _prepared_people(visibility: str) -> PreparedQuery:
    """`people_choices` for a project of this visibility (the rule's shape depends on it)."""

    def build(project: int = 0, owner: int = 0, team: int = 0) -> QuerySet[Any]:
        shape = Project(pk=project, owner_id=owner, team_id=team, visibility=visibility)
        people = people_who_can_see(shape).order_by("full_name", "pk")
        return people.values_list("pk", "full_name", "email")

    return PreparedQuery(build, **_PEOPLE_KINDS[visibility])


# The ids the people rule reads for each visibility (`people_who_can_see`).
_PEOPLE_KINDS: dict[str, dict[str, str]] = {
    Visibility.ORG: {},
    Visibility.PRIVATE: {"project": "id", "owner": "id"},
    Visibility.TEAM: {"project": "id", "owner": "id", "team": "id"},
}


def _prepared_top_count() -> PreparedQuery:
    def build(project: int) -> QuerySet[Any]:
        top = Task.objects.filter(project_id=project, parent=None).order_by()
        return top.values("project_id").annotate(count=Count("pk")).values_list("count")

    return PreparedQuery(build, project="id")


def _prepared_top_rows() -> PreparedQuery:
    def build(project: int) -> QuerySet[Any]:
        top = _listed_tasks(Project(pk=project)).filter(parent=None)
        return top.values_list(*PROJECT_ROW_COLUMNS)

    return PreparedQuery(build, project="id")


PREPARED_SECTIONS = _prepared_sections()
PREPARED_FIELDS = _prepared_fields()
PREPARED_TAGS = _prepared_tags()
PREPARED_PEOPLE = {visibility: _prepared_people(visibility) for visibility in Visibility.values}
PREPARED_TOP_COUNT = _prepared_top_count()
PREPARED_TOP_ROWS = _prepared_top_rows()


def _sections(project: Project) -> list[Section]:
    rows = PREPARED_SECTIONS.rows(project=project.pk)
    return [Section(pk, project_id=project.pk, name=name, position=at) for pk, name, at in rows]


def _custom_fields(project: Project) -> list[CustomField]:
    return [
        CustomField(pk, project_id=project.pk, name=name, kind=kind, options=options, position=at)
        for pk, name, kind, options, at in PREPARED_FIELDS.rows(project=project.pk)
    ]


def _tags(project: Project) -> list[Tag]:
    rows = PREPARED_TAGS.rows(project=project.pk)
    return [Tag(pk, name=name, colour=colour) for pk, name, colour in rows]


def _people(project: Project) -> list[Person]:
    ids = {"project": project.pk, "owner": project.owner_id, "team": project.team_id}
    kinds = _PEOPLE_KINDS[project.visibility]
    rows = PREPARED_PEOPLE[project.visibility].rows(**{name: ids[name] for name in kinds})
    return [Person(*row) for row in rows]


class _TopLevel:
    """A project's top-level tasks in list order for `Paginator`: its count and each page
    from prepared SQL (the page's LIMIT and OFFSET are parameters too)."""

    def __init__(self, project: Project) -> None:
        self.project_id = project.pk

    def count(self) -> int:
        found = PREPARED_TOP_COUNT.rows(project=self.project_id)
        return found[0][0] if found else 0

    def __getitem__(self, window: slice) -> list[tuple[Any, ...]]:
        start, stop = window.start or 0, window.stop
        return PREPARED_TOP_ROWS.rows(project=self.project_id, window=(stop - start, start))


class TaskFilterForm(forms.Form):
    """The list page's filter bar; every filter is a GET parameter, so a URL keeps them."""

    q = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    assignee = forms.ChoiceField(label=gettext_lazy("Assignee"), required=False, widget=PlainSelect)
    status = forms.MultipleChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=TaskStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tag = forms.TypedChoiceField(
        label=gettext_lazy("Tag"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=PlainSelect,
    )
    due_from = forms.DateField(label=gettext_lazy("Due from"), required=False, widget=DateInput())
    due_to = forms.DateField(label=gettext_lazy("Due until"), required=False, widget=DateInput())

    def __init__(
        self,
        data: QueryDict,
        *,
        people: list[Person],
        tags: list[Tag],
        custom: list[CustomField],
    ) -> None:
        super().__init__(data, auto_id="filter_%s")
        person_choices = [(str(person.pk), person.full_name) for person in people]
        anyone = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
        set_plain_choices(self.fields["assignee"], [*anyone, *person_choices])  # type: ignore[arg-type]
        tag_choices = [("", _("Any tag"))] + [(t.pk, t.name) for t in tags]
        set_plain_choices(self.fields["tag"], tag_choices)  # type: ignore[arg-type]
        self.custom = custom
        for item in custom:
            key = f"cf{item.pk}"
            if item.kind == FieldKind.TEXT:
                self.fields[key] = forms.CharField(label=item.name, required=False, max_length=200)
            elif item.kind == FieldKind.NUMBER:
                names = {"name": item.name}
                self.fields[f"{key}_min"] = forms.DecimalField(
                    label=_("%(name)s at least") % names, required=False
                )
                self.fields[f"{key}_max"] = forms.DecimalField(
                    label=_("%(name)s at most") % names, required=False
                )
            elif item.kind == FieldKind.DATE:
                names = {"name": item.name}
                self.fields[f"{key}_from"] = forms.DateField(
                    label=_("%(name)s from") % names, required=False, widget=DateInput()
                )
                self.fields[f"{key}_to"] = forms.DateField(
                    label=_("%(name)s until") % names, required=False, widget=DateInput()
                )
            elif item.kind == FieldKind.PERSON:
                self.fields[key] = forms.TypedChoiceField(
                    label=item.name,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", _("Anyone")), *person_choices],
                )
            else:
                self.fields[key] = forms.ChoiceField(
                    label=item.name,
                    required=False,
                    choices=[("", _("Any"))] + [(option, option) for option in item.options],
                )

    def field_filters(self) -> list[custom_fields.FieldFilter]:
        data = self.cleaned_data
        found = []
        for item in self.custom:
            key = f"cf{item.pk}"
            if item.kind == FieldKind.NUMBER:
                wanted = custom_fields.FieldFilter(
                    item, low=data.get(f"{key}_min"), high=data.get(f"{key}_max")
                )
            elif item.kind == FieldKind.DATE:
                wanted = custom_fields.FieldFilter(
                    item, low=data.get(f"{key}_from"), high=data.get(f"{key}_to")
                )
            elif item.kind == FieldKind.PERSON:
                wanted = custom_fields.FieldFilter(item, person=data.get(key))
            else:
                wanted = custom_fields.FieldFilter(item, text=(data.get(key) or "").strip())
            found.append(wanted)
        return found

    def narrow(self, tasks: QuerySet[Task], viewer: User) -> QuerySet[Task]:
        """Apply the filters that parsed; a bad one is shown beside its field and left out."""
        self.is_valid()
        data = self.cleaned_data
        return custom_fields.narrow_tasks(
            tasks,
            viewer=viewer,
            assignee=data.get("assignee") or "",
            statuses=data.get("status") or (),
            tag=data.get("tag"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            text=data.get("q") or "",
            field_filters=self.field_filters(),
        )

    @property
    def is_active(self) -> bool:
        return any(value not in (None, "", []) for value in self.cleaned_data.values())


@dataclass
class ProjectList:
    """Everything the list partial shows, built with a fixed number of queries."""

    project: Project
    can_edit: bool
    custom: list[CustomField]
    sections: list[Section]
    people: list[Person]
    filter_form: TaskFilterForm
    page: Page
    groups: list[SectionGroup]
    # The filters without the page (for pager links) and the whole list URL (to come back).
    querystring: str
    here: str
    bulk_form: BulkForm | None


def _project_list(
    request: HttpRequest,
    project: Project,
    params: QueryDict,
    rights: services.ProjectRights | None = None,
) -> ProjectList:
    """Filter, paginate and group the project's top-level tasks.

    Steps: load the project's fields, sections, people and tags once; narrow the tasks by
    the filters; take one page; attach each row's custom field values (one prefetch);
    group the page's rows under their sections.
    """
    custom = _custom_fields(project)
    sections = _sections(project)
    people = _people(project)
    tags = _tags(project)
    filter_form = TaskFilterForm(params, people=people, tags=tags, custom=custom)
    if params.keys() - {"page"}:
        top_level = _listed_tasks(project).filter(parent=None)
        tasks: QuerySet[Task] | _TopLevel = filter_form.narrow(top_level, request.user)
    else:
        # No filter asked for: the whole list, from prepared SQL.
        filter_form.is_valid()
        tasks = _TopLevel(project)
    page = Paginator(tasks, TASKS_PAGE_SIZE).get_page(params.get("page"))
    rows = _list_rows(page.object_list, custom)
    groups: dict[int | None, SectionGroup] = {None: SectionGroup(None)}
    groups |= {section.pk: SectionGroup(section) for section in sections}
    for task in rows:
        groups[task.section_id].tasks.append(task)
    if filter_form.is_active or page.paginator.num_pages > 1:
        # Filtered or split over pages, an empty section says nothing: leave it out.
        shown = [group for group in groups.values() if group.tasks]
    else:
        shown = list(groups.values())
        if sections and not groups[None].tasks:
            # "No section" only earns its place when some task has no section.
            shown = shown[1:]
    kept = params.copy()
    kept.pop("page", None)
    if rights is None:
        can_edit = services.can_edit_project(request.user, project)
    else:
        can_edit = rights.can_edit
    # From the URL shape cached per process: `reverse` walks the resolver (~0.1 ms).
    here = reverse_ids("work:project", project.pk)
    return ProjectList(
        project=project,
        can_edit=can_edit,
        custom=custom,
        sections=sections,
        people=people,
        filter_form=filter_form,
        page=page,
        groups=shown,
        querystring=kept.urlencode(),
        here=f"{here}?{params.urlencode()}" if params else here,
        bulk_form=BulkForm(project=project, sections=sections, people=people) if can_edit else None,
    )


def _project_page(
    request: HttpRequest,
    project: Project,
    *,
    task_form: TaskQuickForm | None = None,
    section_form: SectionForm | None = None,
    status: int = 200,
    rights: services.ProjectRights | None = None,
) -> HttpResponse:
    """The project's list with its filter bar, bulk action bar and quick-add forms.
    `rights` when the viewer's were read with the project (`get_project_and_rights`)."""
    listing = _project_list(request, project, request.GET, rights)
    context = {"project": project, "listing": listing, "can_edit": listing.can_edit}
    if request.htmx and request.method == "GET":
        return render(request, "work/partials/_project_tasks.html", context)
    context["task_form"] = task_form or TaskQuickForm(
        project=project, sections=listing.sections, people=listing.people, user=request.user
    )
    context["section_form"] = section_form or SectionForm()
    if listing.can_edit:
        context["urgent_left"] = inbox_services.urgent_left_today(request.user)
    # The settings tab: for editors, and on an archived project for those who may unarchive it.
    if not project.is_archived:
        context["can_unarchive"] = False
    elif rights is not None:
        context["can_unarchive"] = rights.can_manage
    else:
        context["can_unarchive"] = services.can_manage_project(request.user, project)
    return render(request, "work/project.html", context, status=status)


@login_required
@require_safe
def project(request: HttpRequest, pk: int) -> HttpResponse:
    project, rights = services.get_project_and_rights(request.user, pk)
    return _project_page(request, project, rights=rights)


# --- One row: shown, edited inline ---------------------------------------------------------


def render_row(
    request: HttpRequest, task: Task, *, form: TaskRowForm | None = None, note: str = ""
) -> HttpResponse:
    """One list row, in edit mode when `form` is given; `note` is said inside the row."""
    custom = list(task.project.custom_fields.all())
    if form:
        # The row's form needs the task itself.
        row: Task | ProjectRow = (
            _listed_tasks(task.project).select_related("assignee").get(pk=task.pk)
        )
        row.cells = _cells([row.pk], custom)[row.pk]  # type: ignore[union-attr]
    else:
        row = _list_rows(_listed_tasks(task.project).filter(pk=task.pk), custom)[0]
    context = {
        "task": row,
        "project": task.project,
        "custom": custom,
        "can_edit": services.can_edit_project(request.user, task.project),
        "form": form,
        "note": note,
        "urgent_left": inbox_services.urgent_left_today(request.user) if form else 0,
    }
    template = "work/partials/_project_row_edit.html" if form else "work/partials/_project_row.html"
    return render(request, template, context)


class TaskRowForm(RequestBoxForm):
    """The inline edit of a list row: the four things people change most.

    Giving the task to someone else is a request, as in the full edit form: a compact
    request box opens under the title when another person is picked (htmx,
    `row_request_box`), or comes back with the error when saved without a message.
    """

    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TaskStatus.choices)

    ROW_FIELDS = ("title", "assignee", "due_on", "status")

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        task: Task,
        user: User | None = None,
        reply_by: datetime.datetime | None = None,
    ) -> None:
        initial = {
            "title": task.title,
            "assignee": task.assignee_id,
            "due_on": task.due_on,
            "status": task.status,
            "reply_by": reply_by,
        }
        super().__init__(data, initial=initial, auto_id=f"row{task.pk}_%s", user=user)
        # A compact box: the row has little room, and it opens only when someone else is picked.
        self.fields["request_message"].widget.attrs["rows"] = 2
        self.fields["request_message"].help_text = _("Needed for them. Markdown works.")
        self.fields["reply_by"].help_text = _(
            "Your time, proposed from their working hours; a time they do not work is refused."
        )
        self.task = task
        self.fields["assignee"].queryset = people_who_can_see(task.project)  # type: ignore[attr-defined]
        self.fields["title"].widget.attrs["autofocus"] = True
        for item in self.fields.values():
            # The inputs sit in table cells, outside the <form>: the attribute joins them.
            item.widget.attrs["form"] = f"row-form-{task.pk}"

    def focus_first_error(self) -> None:
        """Sent back with errors, the row puts the cursor where the first one is (htmx
        focuses `autofocus` after the swap), not back in the title."""
        for name in self.fields:
            if name in self.errors:
                self.fields["title"].widget.attrs.pop("autofocus", None)
                self.fields[name].widget.attrs["autofocus"] = True
                return

    def asked_person(self) -> User | None:
        """Who the open box asks: the person picked in the bound row."""
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("assignee")  # type: ignore[return-value]

    def asks(self, data: dict[str, object]) -> bool:
        # Only a new assignee is sent a request.
        person = data.get("assignee")
        return super().asks(data) and person.pk != self.task.assignee_id  # type: ignore[union-attr]

    def shows_request_box(self) -> bool:
        """Whether the row, sent back with errors, keeps its request box open."""
        return self.is_bound and hasattr(self, "cleaned_data") and self.asks(self.cleaned_data)

    def changes(self) -> dict[str, object]:
        data = {name: self.cleaned_data[name] for name in self.ROW_FIELDS}
        if data["due_on"] != self.task.due_on and self.task.due_at:
            # A new due date replaces a due time too; the row has no time input.
            data["due_at"] = None
        return data


@login_required
@require_safe
def task_row(request: HttpRequest, pk: int) -> HttpResponse:
    """A list row as shown; without htmx there is no row to show, so go to the task."""
    task = services.get_task_for_user(request.user, pk)
    if not request.htmx:
        return redirect("work:task", pk=task.pk)
    return render_row(request, task)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_task_row(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the row as a small form; POST: save it through `do_update_task`."""
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    if request.method != "POST":
        if not request.htmx:
            return redirect("work:task", pk=task.pk)
        return render_row(request, task, form=TaskRowForm(task=task, user=request.user))
    form = TaskRowForm(request.POST, task=task, user=request.user)
    if form.is_valid():
        before = set(task.requests.values_list("pk", flat=True))
        try:
            updated = services.do_update_task(
                request.user, task, form.changes(), **form.request_kwargs()
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            note = _saved_note(updated, before)
            if not request.htmx:
                messages.success(request, note)
                return redirect("work:project", pk=task.project_id)
            return render_row(request, updated, note=note)
    if not request.htmx:
        _say_errors(request, form)
        return redirect("work:project", pk=task.project_id)
    # htmx swaps only 2xx answers, so the row with its errors comes back as 200.
    form.focus_first_error()
    return render_row(request, task, form=form)


@login_required
@require_safe
def row_request_box(request: HttpRequest, pk: int) -> HttpResponse:
    """The row's compact request box for the person just picked (htmx), or nothing.

    Opens when the pick gives the task to someone other than the reader and its assignee,
    with the reply-by proposed from their working hours; picking back closes it.
    """
    task = services.get_task_for_user(request.user, pk)
    services.check_can_edit(request.user, task.project)
    if not request.htmx:
        return redirect("work:task", pk=task.pk)
    picked = request.GET.get("assignee", "").strip()
    person = None
    if picked.isdigit() and int(picked) not in {request.user.pk, task.assignee_id}:
        person = people_who_can_see(task.project).filter(pk=int(picked)).first()
    if person is None:
        return HttpResponse("")
    form = TaskRowForm(
        task=task,
        user=request.user,
        reply_by=services.reply_by_for(person, timezone.now(), task.project),
    )
    context = {
        "form": form,
        "task": task,
        "person": person,
        "urgent_left": inbox_services.urgent_left_today(request.user),
    }
    return render(request, "work/partials/_row_request_box.html", context)


def _say_errors(request: HttpRequest, form: forms.Form) -> None:
    """Without a form on the page to show them, a form's errors become messages."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _saved_note(task: Task, earlier_requests: set[int]) -> str:
    sent = task.requests.exclude(pk__in=earlier_requests).select_related("assignee").first()
    if sent is None:
        return _("Saved.")
    return _("Saved. %(name)s is asked to reply by %(when)s.") % {
        "name": sent.assignee.full_name,
        "when": when(timezone.localtime(sent.reply_by)),
    }


# --- Bulk actions --------------------------------------------------------------------------


class BulkAction:
    COMPLETE = "complete"
    MOVE = "move"
    ASSIGN = "assign"


class BulkForm(forms.Form):
    tasks = IdsChoiceField(
        label=gettext_lazy("Tasks"),
        queryset=Task.objects.none(),
        error_messages={"required": gettext_lazy("Tick the tasks to change first.")},
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            (BulkAction.COMPLETE, gettext_lazy("Mark complete")),
            (BulkAction.MOVE, gettext_lazy("Move to section")),
            (BulkAction.ASSIGN, gettext_lazy("Assign to")),
        ],
        # Written from its choices, as the bar's other selects: Django's `Select` builds
        # a dict for each option and renders them through templates (~30 µs).
        widget=PlainSelect,
    )
    section = forms.ChoiceField(label=gettext_lazy("Section"), required=False, widget=PlainSelect)
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
        widget=PlainSelect,
    )
    request_message = forms.CharField(
        label=gettext_lazy("What you ask (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Without a message they are simply assigned and told so in their inbox. With "
            "one, each task becomes a request with this message and a reply-by from their "
            "working hours. Markdown works."
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        project: Project,
        sections: list[Section] | None = None,
        people: list[Person] | None = None,
    ) -> None:
        super().__init__(data, auto_id="bulk_%s")
        if self.is_bound:
            # Only a form that validates picks tasks; the page never lists them in the form.
            self.fields["tasks"].queryset = project.tasks.select_related("project")  # type: ignore[attr-defined]
        if sections is None:
            sections = list(project.sections.all())
        section_choices = [(str(section.pk), section.name) for section in sections]
        set_plain_choices(
            self.fields["section"],  # type: ignore[arg-type]
            [("", "—"), ("none", _("No section")), *section_choices],
        )
        self.sections = {str(section.pk): section for section in sections}
        if self.is_bound or people is None:
            # Only a form that validates asks the database through the queryset.
            self.fields["assignee"].queryset = people_who_can_see(project)  # type: ignore[attr-defined]
        if people is not None:
            # The page already has the people; offer them without asking the database again.
            set_plain_choices(
                self.fields["assignee"],  # type: ignore[arg-type]
                [("", _("Nobody")), *[(person.pk, person.full_name) for person in people]],
            )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("action") == BulkAction.MOVE and not data.get("section"):
            self.add_error("section", _("Pick the section to move them to."))
        if str(data.get("request_message") or "").strip() and (
            data.get("action") != BulkAction.ASSIGN or not data.get("assignee")
        ):
            self.add_error(
                "request_message", _("A request needs someone to go to: choose who you ask.")
            )
        return data

    def shared_message(self) -> str:
        """The shared message of a bulk assign (empty: a plain assignment)."""
        if self.cleaned_data["action"] != BulkAction.ASSIGN:
            return ""
        return self.cleaned_data["request_message"].strip()

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        if data["action"] == BulkAction.COMPLETE:
            return {"status": TaskStatus.DONE}
        if data["action"] == BulkAction.MOVE:
            return {"section": self.sections.get(data["section"])}
        return {"assignee": data["assignee"]}


@login_required
@require_POST
def bulk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete, move or assign the ticked tasks in one go, then show the list again."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = BulkForm(request.POST, project=project)
    back = form.data.get("next") or ""
    # Only a path of this site: `redirect` would take any other word for a view name.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = ""
    back = back or reverse("work:project", args=[project.pk])
    if form.is_valid():
        try:
            changed = services.do_bulk_update(
                request.user,
                form.cleaned_data["tasks"],
                form.changes(),
                request_message=form.shared_message(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = ngettext("%(count)d task changed.", "%(count)d tasks changed.", changed) % {
                "count": changed
            }
            messages.success(request, note)
    _say_errors(request, form)
    if request.htmx:
        # Show the list the person was looking at, with its filters, and the outcome.
        query = QueryDict(back.partition("?")[2])
        listing = _project_list(request, project, query)
        context = {"project": project, "listing": listing, "can_edit": listing.can_edit}
        return render(request, "work/partials/_project_tasks.html", context)
    return redirect(back)


# --- Quick add -----------------------------------------------------------------------------


@login_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = TaskQuickForm(request.POST, project=project, user=request.user)
    if form.is_valid():
        try:
            task = services.do_create_task(
                request.user,
                project,
                tags=services.parse_tag_names(form.cleaned_data["tags"]),
                **form.request_kwargs(),
                **form.task_fields(),
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            # Only a task given to someone else can carry a request: no query otherwise.
            asked = task.assignee_id not in (None, request.user.pk)
            sent = task.requests.select_related("assignee").first() if asked else None
            if sent is not None:
                message = _("Task “%(title)s” added. %(name)s is asked to reply by %(when)s.") % {
                    "title": task.title,
                    "name": sent.assignee.full_name,
                    "when": when(timezone.localtime(sent.reply_by)),
                }
            else:
                message = _("Task “%(title)s” added.") % {"title": task.title}
            messages.success(request, message)
            return redirect("work:project", pk=project.pk)
    return _project_page(request, project, task_form=form, status=400)


@login_required
@require_POST
def add_section(request: HttpRequest, pk: int) -> HttpResponse:
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = services.do_create_section(request.user, project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Section “%(name)s” added.") % {"name": section.name})
            return redirect("work:project", pk=project.pk)
    return _project_page(request, project, section_form=form, status=400)
