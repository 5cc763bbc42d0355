"""Task rows written in Python: the same bytes the row templates used to render.

A list page renders 50–80 rows. Through Django templates a row cost ~0.12–0.18 ms
(nested includes, ~15 variable lookups that each try `obj[key]` before `getattr`, the
`{% blocktranslate %}` machinery); written here it costs a fraction of that. The row
templates (`_task_row.html`, `_project_row.html`, `_task_link.html`, `_due.html`) now
call these tags, so there is one source for each row. Escaping is as in the templates:
every value goes through `conditional_escape`, translated literals do not (as
`{% translate %}` and `{% blocktranslate %}` leave them), and datetimes are turned into
local time as filters with `expects_localtime` get them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.template import Context
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from workmate.accounts.templatetags.workmate import day, when
from workmate.lib.urls import reverse_ids
from workmate.work.models import Task

register = template.Library()


def _e(value: Any) -> str:
    return str(conditional_escape(value))


def task_link_html(task: Task) -> str:
    """`_task_link.html`: the task's title, opening it in the side panel."""
    url = _e(task.get_absolute_url())
    return (
        f'<a class="task-link" href="{url}" hx-get="{url}" hx-target="#task-panel">'
        f"{_e(task.title)}</a>"
    )


def due_html(task: Task) -> str:
    """`_due.html`: the due date or time, marked when overdue."""
    if not task.due_on:
        # Translated outside the f-string: makemessages does not look inside f-strings.
        no_date = gettext("No due date")
        return f'<span class="muted">{no_date}</span>'
    overdue = task.is_overdue()
    text = when(template_localtime(task.due_at)) if task.due_at else day(task.due_on)
    if overdue:
        label = gettext("Overdue")
        return f'<span class="due overdue">{_e(text)} · {label}</span>'
    return f'<span class="due">{_e(text)}</span>'


def task_row_html(task: Task) -> str:
    """`_task_row.html`: a My Tasks row (title, project, parent, due, status)."""
    done = task.is_done
    pk = int(task.pk)
    project = task.project
    parent = ""
    if task.parent:
        parent = " · " + gettext("in %(parent)s") % {"parent": _e(task.parent.title)}
    if done:
        finished = when(template_localtime(task.completed_at))
        due = '<span class="muted">' + gettext("done %(done)s") % {"done": _e(finished)}
        due += "</span>"
    else:
        due = due_html(task) + "\n"
    return (
        f'<li class="task-row{" is-done" if done else ""}" data-task="{pk}">\n'
        f'  <span class="task-main">{task_link_html(task)}\n\n'
        f'    <span class="muted"><a href="{_e(project.get_absolute_url())}">'
        f"{_e(project.name)}</a>{parent}</span></span>\n"
        f'  <span class="task-due">{due}</span>\n'
        f'  <span class="task-status task-status-{_e(task.status)}">'
        f"{_e(task.get_status_display())}</span>\n"
        "</li>"
    )


def _field_value_html(field: Any, value: Any) -> str:
    # Custom field values keep their template (several kinds, a filter of their own).
    field_template = get_template("work/partials/_project_field_value.html").template
    return field_template.render(Context({"field": field, "value": value}))


def project_row_html(task: Task, can_edit: bool, note: str = "") -> str:
    """`_project_row.html`: a project list row, with the pick box and edit link if
    `can_edit`, and `note` said inside the row."""
    pk = int(task.pk)
    url = _e(task.get_absolute_url())
    title = _e(task.title)
    parts = [f'<tr id="task-row-{pk}" class="list-row{" is-done" if task.is_done else ""}"']
    parts.append(f' data-task="{pk}">\n  ')
    if can_edit:
        label = gettext("Select “%(title)s”") % {"title": title}
        parts.append(
            f'<td class="pick"><input type="checkbox" name="tasks" value="{pk}" '
            f'form="bulk-form" aria-label="{label}"></td>'
        )
    parts.append(f'\n  <td class="row-title">{task_link_html(task)}\n\n    ')
    count = getattr(task, "subtask_count", None)
    if count:
        text = ngettext("%(counter)s subtask", "%(counter)s subtasks", count) % {
            "counter": _e(count)
        }
        parts.append(f'<span class="muted">{text}</span>')
    parts.append("\n    ")
    if note:
        parts.append(f'<p class="row-note" role="status">{_e(note)}</p>')
    parts.append('</td>\n  <td class="cell-assignee">')
    if task.assignee:
        parts.append(_e(task.assignee.full_name))
    else:
        unassigned = gettext("Unassigned")
        parts.append(f'<span class="muted">{unassigned}</span>')
    parts.append(f'</td>\n  <td class="task-due">{due_html(task)}\n</td>\n')
    parts.append(
        f'  <td><span class="task-status task-status-{_e(task.status)}">'
        f"{_e(task.get_status_display())}</span></td>\n  "
    )
    for cell in getattr(task, "cells", ()):
        field = cell.field
        value = _field_value_html(field, cell.value)
        parts.append(f'<td class="field-cell" data-field="{_e(field.pk)}">')
        if can_edit:
            value_url = _e(reverse_ids("work:task_field_value", task.pk, field.pk))
            change = gettext("Change %(name)s") % {"name": _e(field.name)}
            parts.append(
                f'<a class="cell-value" href="{url}" hx-get="{value_url}" hx-target="this" '
                f'hx-swap="outerHTML" title="{change}">{value}</a>'
            )
        else:
            parts.append(value)
        parts.append("</td>")
    parts.append("\n  ")
    if can_edit:
        edit_url = _e(reverse_ids("work:edit_task_row", task.pk))
        edit = gettext("Edit")
        parts.append(
            f'<td class="row-actions"><a href="{url}" hx-get="{edit_url}" '
            f'hx-target="#task-row-{pk}" hx-swap="outerHTML" class="row-edit">'
            f"{edit}</a></td>"
        )
    parts.append("\n</tr>")
    return "".join(parts)


@register.simple_tag
def task_link(task: Task) -> SafeString:
    return mark_safe(task_link_html(task))


@register.simple_tag
def due(task: Task) -> SafeString:
    return mark_safe(due_html(task))


@register.simple_tag
def task_row(task: Task) -> SafeString:
    return mark_safe(task_row_html(task))


@register.simple_tag
def task_rows(tasks: Iterable[Task]) -> SafeString:
    """My Tasks rows, each as `{% include "work/partials/_task_row.html" %}` wrote it.

    Every value in the rows is escaped by the functions above, hence `mark_safe` here.
    """
    return mark_safe("".join(task_row_html(task) + "\n" for task in tasks))


@register.simple_tag(takes_context=True)
def project_rows(context: Context, tasks: Iterable[Task]) -> SafeString:
    """Project list rows, each as `{% include "work/partials/_project_row.html" %}` wrote it."""
    can_edit = bool(context.get("can_edit"))
    note = context.get("note") or ""
    rows = "".join(project_row_html(task, can_edit, note) + "\n" for task in tasks)
    return mark_safe(rows)


@register.simple_tag(takes_context=True)
def project_row(context: Context, task: Task) -> SafeString:
    can_edit = bool(context.get("can_edit"))
    return mark_safe(project_row_html(task, can_edit, context.get("note") or ""))
