"""Custom fields: the project's "Fields" settings page, and setting a task's values."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from workmate.accounts.models import User
from workmate.work import fields as custom_fields
from workmate.work import services
from workmate.work.forms import DateInput, add_service_errors, people_who_can_see
from workmate.work.models import CustomField, CustomFieldValue, FieldKind, Project, Task
from workmate.work.views.projects import render_row


class FieldForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FieldKind.choices)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For select fields: one option per line."),
    )


class FieldEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One option per line; a removed option is taken off tasks."),
    )

    def __init__(self, data: QueryDict | None = None, *, field: CustomField) -> None:
        initial = {"name": field.name, "options": "\n".join(field.options)}
        super().__init__(data, initial=initial, prefix=f"field{field.pk}")
        if field.kind not in custom_fields.SELECT_KINDS:
            del self.fields["options"]


class ValueForm(forms.Form):
    """One task's value of one field, with the input its kind needs."""

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        field: CustomField,
        task: Task,
        value: CustomFieldValue | None = None,
        people: list[User] | None = None,
    ) -> None:
        super().__init__(data, auto_id=f"task{task.pk}_field{field.pk}_%s")
        kind = field.kind
        label = field.name
        initial: object = ""
        if kind == FieldKind.MULTI_SELECT:
            self.fields["value"] = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(option, option) for option in field.options],
                widget=forms.CheckboxSelectMultiple,
            )
            initial = value.choices if value else []
        elif kind == FieldKind.SINGLE_SELECT:
            self.fields["value"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Select(
                    choices=[("", "—")] + [(option, option) for option in field.options]
                ),
            )
            initial = value.choices[0] if value and value.choices else ""
        elif kind == FieldKind.PERSON:
            if people is None:
                people = list(people_who_can_see(task.project).order_by("full_name", "pk"))
            self.fields["value"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Select(
                    choices=[("", "—")] + [(str(person.pk), person.full_name) for person in people]
                ),
            )
            initial = str(value.person_id) if value and value.person_id else ""
        elif kind == FieldKind.DATE:
            self.fields["value"] = forms.CharField(label=label, required=False, widget=DateInput())
            initial = value.date.isoformat() if value and value.date else ""
        elif kind == FieldKind.NUMBER:
            self.fields["value"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            initial = custom_fields.format_number(value.number) if value and value.number else ""
        else:
            self.fields["value"] = forms.CharField(label=label, required=False, max_length=2000)
            initial = value.text if value else ""
        self.fields["value"].initial = initial


# --- The Fields settings page ----------------------------------------------------------------


def _fields_page(
    request: HttpRequest,
    project: Project,
    *,
    create_form: FieldForm | None = None,
    bound: FieldEditForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for field in project.custom_fields.all():
        form = bound if bound is not None and bound.prefix == f"field{field.pk}" else None
        rows.append((field, form or FieldEditForm(field=field)))
    context = {"project": project, "rows": rows, "form": create_form or FieldForm()}
    template = "work/partials/_project_fields.html" if request.htmx else "work/fields.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's custom fields, for its editors: list, add."""
    project = services.get_project_for_user(request.user, pk)
    services.check_can_edit(request.user, project)
    if request.method != "POST":
        return _fields_page(request, project)
    form = FieldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            field = custom_fields.do_create_field(
                request.user,
                project,
                name=data["name"],
                kind=data["kind"],
                options=data["options"].splitlines(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Field “%(name)s” added.") % {"name": field.name})
            return redirect("work:project_fields", pk=project.pk)
    return _fields_page(request, project, create_form=form, status=400)


@login_required
@require_POST
def edit_field(request: HttpRequest, pk: int) -> HttpResponse:
    field = custom_fields.get_field_for_user(request.user, pk)
    services.check_can_edit(request.user, field.project)
    form = FieldEditForm(request.POST, field=field)
    if form.is_valid():
        data = form.cleaned_data
        options = data["options"].splitlines() if "options" in data else None
        try:
            field = custom_fields.do_update_field(
                request.user, field, name=data["name"], options=options
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Field “%(name)s” saved.") % {"name": field.name})
            return redirect("work:project_fields", pk=field.project_id)
    return _fields_page(request, field.project, bound=form, status=400)


@login_required
@require_POST
def move_field(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a column one place left ("up") or right ("down")."""
    field = custom_fields.get_field_for_user(request.user, pk)
    services.check_can_edit(request.user, field.project)
    offset = -1 if request.POST.get("direction") == "up" else 1
    custom_fields.do_move_field(request.user, field, offset)
    return redirect("work:project_fields", pk=field.project_id)


@login_required
@require_POST
def delete_field(request: HttpRequest, pk: int) -> HttpResponse:
    field = custom_fields.get_field_for_user(request.user, pk)
    services.check_can_edit(request.user, field.project)
    custom_fields.do_delete_field(request.user, field)
    messages.success(request, _("Field “%(name)s” removed.") % {"name": field.name})
    return redirect("work:project_fields", pk=field.project_id)


# --- A task's value ----------------------------------------------------------------------------


def _panel(request: HttpRequest, task: Task, bound: ValueForm | None = None) -> HttpResponse:
    context = {
        "task": task,
        "can_edit": services.can_edit_project(request.user, task.project),
        "bound_value_form": bound,
    }
    return render(request, "work/partials/_task_fields.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_field_value(request: HttpRequest, pk: int, field_pk: int) -> HttpResponse:
    """GET: a list cell's small form; POST: set the value (from a list row or the task panel).

    `view=panel` in the POST says the form sits in the task panel, which is re-rendered;
    otherwise the list row is.
    """
    task = services.get_task_for_user(request.user, pk)
    field = custom_fields.get_field_for_user(request.user, field_pk)
    if field.project_id != task.project_id:
        raise Http404("No such field on this task.")
    services.check_can_edit(request.user, task.project)
    value = CustomFieldValue.objects.filter(task=task, field=field).first()
    if request.method != "POST":
        if not request.htmx:
            return redirect("work:task", pk=task.pk)
        form = ValueForm(field=field, task=task, value=value)
        return render(
            request,
            "work/partials/_project_cell_edit.html",
            {"task": task, "field": field, "form": form},
        )
    in_panel = request.POST.get("view") == "panel"
    form = ValueForm(request.POST, field=field, task=task, value=value)
    if form.is_valid():
        try:
            custom_fields.do_set_value(request.user, task, field, form.cleaned_data["value"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("%(name)s saved.") % {"name": field.name})
                if in_panel:
                    return redirect("work:task", pk=task.pk)
                return redirect("work:project", pk=task.project_id)
            if in_panel:
                return _panel(request, task)
            # The small form sat in one cell; the answer is the whole row again.
            return reswap(retarget(render_row(request, task), f"#task-row-{task.pk}"), "outerHTML")
    if not request.htmx:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("work:task", pk=task.pk)
    # htmx swaps only 2xx answers, so the form with its error comes back as 200.
    if in_panel:
        return _panel(request, task, bound=form)
    return render(
        request,
        "work/partials/_project_cell_edit.html",
        {"task": task, "field": field, "form": form},
    )
