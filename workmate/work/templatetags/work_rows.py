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

import datetime
import html
from collections.abc import Iterable
from typing import Any, NamedTuple

from django import template
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from workmate.accounts.templatetags.workmate import local_text
from workmate.lib.urls import reverse_ids, url_shape
from workmate.work.models import Task, TaskStatus

register = template.Library()

# The rows' translated literals, looked up once a page (`RowText.label`).
_LABELS = {
    "no_date": gettext_noop("No due date"),
    "overdue": gettext_noop("Overdue"),
    "in_parent": gettext_noop("in %(parent)s"),
    "done": gettext_noop("done %(done)s"),
    "unassigned": gettext_noop("Unassigned"),
    "edit": gettext_noop("Edit"),
    "select": gettext_noop("Select “%(title)s”"),
}
_STATUSES = dict(TaskStatus.choices)


def _e(value: Any) -> str:
    # Text read from the database is a plain `str`: the rows escape it with `html.escape`,
    # what `conditional_escape` gives for a `str`, without its checks for lazy and safe
    # strings (~670 calls a page). This is for the rest (notes, numbers, lazy text).
    return str(conditional_escape(value))


class RowText:
    """What every row of a page says the same way, worked out once a page rather than
    once a row: this moment, today and the year in the viewer's zone, their language, the
    translated labels and the URLs' fixed parts. Each of those is a look-up through the
    request's thread-locals (asgiref), ~800 a My Tasks page when they were made per row.
    Make one per page (per render): it holds the moment it was made. Another app's rows
    subclass it with their own `labels` and `statuses`."""

    labels: dict[str, str] = _LABELS
    statuses: dict[str, Any] = _STATUSES

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.zone)
        self.language = get_language() or "en"
        self._labels: dict[str, str] = {}
        self._statuses: dict[str, str] = {}
        self._urls: dict[str, tuple[str, str]] = {}

    def label(self, key: str) -> str:
        """A translated literal (not escaped, as `{% translate %}` leaves it)."""
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = gettext(self.labels[key])
        return text

    def status(self, status: str) -> str:
        """The status's label, escaped (`{{ task.get_status_display }}`)."""
        text = self._statuses.get(status)
        if text is None:
            text = self._statuses[status] = html.escape(str(self.statuses.get(status, status)))
        return text

    def url(self, name: str, pk: int) -> str:
        """`reverse_ids(name, pk)`, escaped, from the URL's shape looked up once a page."""
        shape = self._urls.get(name)
        if shape is None:
            head, tail = url_shape(name, 1)
            shape = self._urls[name] = (html.escape(head), html.escape(tail))
        return f"{shape[0]}{int(pk)}{shape[1]}"

    def when(self, value: datetime.datetime | None) -> str:
        """`{{ value|when }}`: the date and time in the viewer's zone."""
        if value is None:
            return ""
        if not timezone.is_naive(value):
            value = value.astimezone(self.zone)
        return local_text(value, "when", self.language, self.today.year)

    def due(
        self, due_on: datetime.date | None, due_at: datetime.datetime | None, done: bool
    ) -> str:
        """`_due.html`: the due date or time, marked when overdue (`Task.is_overdue`)."""
        if not due_on:
            return f'<span class="muted">{self.label("no_date")}</span>'
        if done:
            overdue = False
        elif due_at:
            overdue = due_at < self.now
        else:
            overdue = due_on < self.today
        if due_at:
            text = self.when(due_at)
        else:
            text = local_text(due_on, "day", self.language, self.today.year)
        if overdue:
            return f'<span class="due overdue">{html.escape(text)} · {self.label("overdue")}</span>'
        return f'<span class="due">{html.escape(text)}</span>'


class TaskRow(NamedTuple):
    """What a My Tasks row shows, in the order of `TASK_ROW_COLUMNS` (a values_list)."""

    pk: int
    title: str
    status: str
    due_on: datetime.date | None
    due_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    project_id: int
    project_name: str
    # None when the task is not a subtask.
    parent_title: str | None

    @classmethod
    def of(cls, task: Task) -> TaskRow:
        """The row of a task loaded with its project and parent."""
        parent = task.parent.title if task.parent_id and task.parent else None
        return cls(
            task.pk,
            task.title,
            task.status,
            task.due_on,
            task.due_at,
            task.completed_at,
            task.project_id,
            task.project.name,
            parent,
        )


TASK_ROW_COLUMNS = (
    "pk",
    "title",
    "status",
    "due_on",
    "due_at",
    "completed_at",
    "project_id",
    "project__name",
    "parent__title",
)


class ProjectRow(NamedTuple):
    """What a project list row shows, in the order of `PROJECT_ROW_COLUMNS`, then its
    custom field cells (`views.projects.Cell`)."""

    pk: int
    title: str
    status: str
    due_on: datetime.date | None
    due_at: datetime.datetime | None
    section_id: int | None
    # None when nobody is assigned.
    assignee_name: str | None
    subtask_count: int
    cells: list[Any]

    @classmethod
    def of(cls, task: Task) -> ProjectRow:
        """The row of a task loaded with its assignee, `subtask_count` and `cells`."""
        return cls(
            task.pk,
            task.title,
            task.status,
            task.due_on,
            task.due_at,
            task.section_id,
            task.assignee.full_name if task.assignee_id and task.assignee else None,
            getattr(task, "subtask_count", 0) or 0,
            getattr(task, "cells", []),
        )


PROJECT_ROW_COLUMNS = (
    "pk",
    "title",
    "status",
    "due_on",
    "due_at",
    "section_id",
    "assignee__full_name",
    "subtask_count",
)


def task_link_html(task: Task) -> str:
    """`_task_link.html`: the task's title, opening it in the side panel."""
    url = _e(task.get_absolute_url())
    return _link(url, task.title)


def _link(url: str, title: str) -> str:
    """`_task_link.html` from an escaped URL and the title."""
    return (
        f'<a class="task-link" href="{url}" hx-get="{url}" hx-target="#task-panel">'
        f"{html.escape(title)}</a>"
    )


def due_html(task: Task) -> str:
    """`_due.html`: the due date or time, marked when overdue."""
    return RowText().due(task.due_on, task.due_at, task.is_done)


def row_html(row: TaskRow, text: RowText) -> str:
    """`_task_row.html`: a My Tasks row (title, project, parent, due, status).

    Each value is escaped once, here; the translated literals are not, as
    `{% translate %}` leaves them.
    """
    done = row.status == TaskStatus.DONE
    pk = int(row.pk)
    parent = ""
    if row.parent_title is not None:
        parent = " · " + text.label("in_parent") % {"parent": html.escape(row.parent_title)}
    if done:
        finished = html.escape(text.when(row.completed_at))
        due = f'<span class="muted">{text.label("done") % {"done": finished}}</span>'
    else:
        due = text.due(row.due_on, row.due_at, False) + "\n"
    return (
        f'<li class="task-row{" is-done" if done else ""}" data-task="{pk}">\n'
        f'  <span class="task-main">{_link(text.url("work:task", pk), row.title)}\n\n'
        f'    <span class="muted"><a href="{text.url("work:project", row.project_id)}">'
        f"{html.escape(row.project_name)}</a>{parent}</span></span>\n"
        f'  <span class="task-due">{due}</span>\n'
        f'  <span class="task-status task-status-{html.escape(row.status)}">'
        f"{text.status(row.status)}</span>\n"
        "</li>"
    )


def task_row_html(task: Task) -> str:
    """`_task_row.html` for a task loaded with its project and parent."""
    return row_html(TaskRow.of(task), RowText())


def _field_value_html(field: Any, value: Any) -> str:
    # Custom field values keep their template (several kinds, a filter of their own).
    field_template = get_template("work/partials/_project_field_value.html").template
    return field_template.render(Context({"field": field, "value": value}))


def list_row_html(row: ProjectRow, text: RowText, can_edit: bool, note: str = "") -> str:
    """`_project_row.html`: a project list row, with the pick box and edit link if
    `can_edit`, and `note` said inside the row."""
    pk = int(row.pk)
    url = text.url("work:task", pk)
    title = html.escape(row.title)
    done = row.status == TaskStatus.DONE
    parts = [f'<tr id="task-row-{pk}" class="list-row{" is-done" if done else ""}"']
    parts.append(f' data-task="{pk}">\n  ')
    if can_edit:
        label = text.label("select") % {"title": title}
        parts.append(
            f'<td class="pick"><input type="checkbox" name="tasks" value="{pk}" '
            f'form="bulk-form" aria-label="{label}"></td>'
        )
    parts.append(f'\n  <td class="row-title">{_link(url, row.title)}\n\n    ')
    count = row.subtask_count
    if count:
        subtasks = ngettext("%(counter)s subtask", "%(counter)s subtasks", count) % {
            "counter": _e(count)
        }
        parts.append(f'<span class="muted">{subtasks}</span>')
    parts.append("\n    ")
    if note:
        parts.append(f'<p class="row-note" role="status">{_e(note)}</p>')
    parts.append('</td>\n  <td class="cell-assignee">')
    if row.assignee_name is not None:
        parts.append(html.escape(row.assignee_name))
    else:
        parts.append(f'<span class="muted">{text.label("unassigned")}</span>')
    parts.append(f'</td>\n  <td class="task-due">{text.due(row.due_on, row.due_at, done)}\n</td>\n')
    parts.append(
        f'  <td><span class="task-status task-status-{html.escape(row.status)}">'
        f"{text.status(row.status)}</span></td>\n  "
    )
    for cell in row.cells:
        field = cell.field
        value = _field_value_html(field, cell.value)
        parts.append(f'<td class="field-cell" data-field="{_e(field.pk)}">')
        if can_edit:
            value_url = _e(reverse_ids("work:task_field_value", pk, field.pk))
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
        edit_url = text.url("work:edit_task_row", pk)
        parts.append(
            f'<td class="row-actions"><a href="{url}" hx-get="{edit_url}" '
            f'hx-target="#task-row-{pk}" hx-swap="outerHTML" class="row-edit">'
            f"{text.label('edit')}</a></td>"
        )
    parts.append("\n</tr>")
    return "".join(parts)


def project_row_html(task: Task, can_edit: bool, note: str = "") -> str:
    """`_project_row.html` for a task loaded with its assignee (and, when the project has
    custom fields, `subtask_count` and `cells`)."""
    return list_row_html(ProjectRow.of(task), RowText(), can_edit, note)


def _as_project_row(task: ProjectRow | Task) -> ProjectRow:
    return task if isinstance(task, ProjectRow) else ProjectRow.of(task)


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
def task_rows(tasks: Iterable[TaskRow | Task]) -> SafeString:
    """My Tasks rows, each as `{% include "work/partials/_task_row.html" %}` wrote it.

    Every value in the rows is escaped by the functions above, hence `mark_safe` here.
    """
    text = RowText()
    rows = (task if isinstance(task, TaskRow) else TaskRow.of(task) for task in tasks)
    return mark_safe("".join(row_html(row, text) + "\n" for row in rows))


@register.simple_tag(takes_context=True)
def project_rows(context: Context, tasks: Iterable[ProjectRow | Task]) -> SafeString:
    """Project list rows, each as `{% include "work/partials/_project_row.html" %}` wrote it."""
    can_edit = bool(context.get("can_edit"))
    note = context.get("note") or ""
    text = RowText()
    rows = "".join(
        list_row_html(_as_project_row(task), text, can_edit, note) + "\n" for task in tasks
    )
    return mark_safe(rows)


def _section_head(can_edit: bool, custom: Iterable[Any]) -> str:
    """The column headings of a section's table (the same for each section of a page).
    Each literal is translated outside the f-strings, where makemessages finds it."""
    pick = edit = ""
    if can_edit:
        select, change = gettext("Select"), gettext("Edit")
        pick = f'<th scope="col" class="pick"><span class="visually-hidden">{select}</span></th>'
        edit = f'<th scope="col"><span class="visually-hidden">{change}</span></th>'
    fields = "".join(f'<th scope="col" class="field-cell">{_e(item.name)}</th>' for item in custom)
    headings = (gettext("Task"), gettext("Assignee"), gettext("Due"), gettext("Status"))
    columns = "".join(f'      <th scope="col">{heading}</th>\n' for heading in headings)
    return (
        f"    <thead><tr>\n      {pick}\n{columns}      {fields}\n      {edit}\n    </tr></thead>\n"
    )


@register.simple_tag(takes_context=True)
def project_sections(context: Context, listing: Any) -> SafeString:
    """The project list's sections, each with its heading and table of rows, as the loop
    over `listing.groups` in `_project_tasks.html` wrote them: the headings are worked
    out once a page, not once a section."""
    can_edit = bool(context.get("can_edit"))
    note = context.get("note") or ""
    text = RowText()
    parts = []
    head = None
    for group in listing.groups:
        section = group.section
        if section is not None:
            key, name = _e(section.pk), html.escape(section.name)
        else:
            key, name = "none", gettext("No section")
        parts.append(
            f'\n<section class="card task-section" data-section="{key}">\n'
            f'  <h2>{name} <span class="count">{len(group.tasks)}</span></h2>\n  '
        )
        if group.tasks:
            if head is None:
                head = _section_head(can_edit, listing.custom)
            rows = "".join(
                list_row_html(_as_project_row(task), text, can_edit, note) + "\n"
                for task in group.tasks
            )
            parts.append(
                '\n  <div class="table-wrap">\n  <table class="task-table">\n'
                f"{head}    <tbody>\n    {rows}\n    </tbody>\n  </table>\n  </div>\n  "
            )
        else:
            empty = gettext("No tasks here yet.")
            parts.append(f'\n  <p class="muted">{empty}</p>\n  ')
        parts.append("\n</section>\n")
    if not parts:
        no_match = gettext("No tasks match these filters.")
        parts.append(f'\n<p class="card muted" id="no-matches">{no_match}</p>\n')
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def project_row(context: Context, task: ProjectRow | Task) -> SafeString:
    can_edit = bool(context.get("can_edit"))
    note = context.get("note") or ""
    return mark_safe(list_row_html(_as_project_row(task), RowText(), can_edit, note))
