"""What the task detail's custom field part needs, fetched in place.

The task page is built by another view; this tag lets `_task_fields.html` fetch the
project's fields and the task's values itself, so the page and the view that re-renders
the part after a change share one template.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template

from workmate.work.forms import people_who_can_see
from workmate.work.models import CustomField, CustomFieldValue, FieldKind, Task

register = template.Library()


@dataclass
class FieldRow:
    field: CustomField
    value: CustomFieldValue | None
    form: forms.Form | None


@register.simple_tag
def task_field_rows(task: Task, can_edit: bool, bound: forms.Form | None = None) -> list[FieldRow]:
    """Each of the project's fields with the task's value and, for editors, a form."""
    from workmate.work.views.fields import ValueForm

    if not isinstance(bound, forms.Form):
        # The task page has no bound form: the template passes "" for a missing variable.
        bound = None
    fields = list(task.project.custom_fields.all())
    if not fields:
        return []
    values = {
        value.field_id: value
        for value in CustomFieldValue.objects.filter(task=task).select_related("person")
    }
    people = None
    if can_edit and any(field.kind == FieldKind.PERSON for field in fields):
        people = list(people_who_can_see(task.project).order_by("full_name", "pk"))
    rows = []
    for field in fields:
        value = values.get(field.pk)
        form = None
        if can_edit:
            mine = bound is not None and bound.auto_id == f"task{task.pk}_field{field.pk}_%s"
            form = bound if mine else ValueForm(field=field, task=task, value=value, people=people)
        rows.append(FieldRow(field, value, form))
    return rows


@register.filter
def field_text(value: CustomFieldValue | None, field: CustomField) -> str:
    """A value as text: "12.5", "Alice Kim", "A, B"."""
    from workmate.work.fields import display_value

    return display_value(field, value)
