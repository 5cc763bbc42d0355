"""Rows written in Python (`work_rows`) give the bytes the row templates used to render."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.template import Context, Engine
from django.utils import translation

from workmate.testing.factories import make_project, make_task
from workmate.work.models import CustomField, Task, TaskStatus
from workmate.work.templatetags import work_rows
from workmate.work.views.projects import Cell

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=SEOUL)

# The row templates as they were before the rows moved to Python.
OLD = {
    "link.html": '<a class="task-link" href="{{ task.get_absolute_url }}" hx-get="{{ task.get_absolute_url }}" hx-target="#task-panel">{{ task.title }}</a>\n',  # noqa: E501
    "due.html": '{% load i18n workmate %}{% if task.due_on %}<span class="due{% if task.is_overdue %} overdue{% endif %}">{% if task.due_at %}{{ task.due_at|when }}{% else %}{{ task.due_on|day }}{% endif %}{% if task.is_overdue %} · {% translate "Overdue" %}{% endif %}</span>{% else %}<span class="muted">{% translate "No due date" %}</span>{% endif %}\n',  # noqa: E501
    "task_row.html": """{% load i18n workmate %}<li class="task-row{% if task.is_done %} is-done{% endif %}" data-task="{{ task.pk }}">
  <span class="task-main">{% include "link.html" %}
    <span class="muted"><a href="{{ task.project.get_absolute_url }}">{{ task.project.name }}</a>{% if task.parent %} · {% blocktranslate with parent=task.parent.title %}in {{ parent }}{% endblocktranslate %}{% endif %}</span></span>
  <span class="task-due">{% if task.is_done %}<span class="muted">{% blocktranslate with done=task.completed_at|when %}done {{ done }}{% endblocktranslate %}</span>{% else %}{% include "due.html" %}{% endif %}</span>
  <span class="task-status task-status-{{ task.status }}">{{ task.get_status_display }}</span>
</li>
""",  # noqa: E501
    "project_row.html": """{% load i18n workmate %}<tr id="task-row-{{ task.pk }}" class="list-row{% if task.is_done %} is-done{% endif %}" data-task="{{ task.pk }}">
  {% if can_edit %}<td class="pick"><input type="checkbox" name="tasks" value="{{ task.pk }}" form="bulk-form" aria-label="{% blocktranslate with title=task.title %}Select “{{ title }}”{% endblocktranslate %}"></td>{% endif %}
  <td class="row-title">{% include "link.html" %}
    {% if task.subtask_count %}<span class="muted">{% blocktranslate count counter=task.subtask_count %}{{ counter }} subtask{% plural %}{{ counter }} subtasks{% endblocktranslate %}</span>{% endif %}
    {% if note %}<p class="row-note" role="status">{{ note }}</p>{% endif %}</td>
  <td class="cell-assignee">{% if task.assignee %}{{ task.assignee.full_name }}{% else %}<span class="muted">{% translate "Unassigned" %}</span>{% endif %}</td>
  <td class="task-due">{% include "due.html" %}</td>
  <td><span class="task-status task-status-{{ task.status }}">{{ task.get_status_display }}</span></td>
  {% for cell in task.cells %}<td class="field-cell" data-field="{{ cell.field.pk }}">{% if can_edit %}<a class="cell-value" href="{{ task.get_absolute_url }}" hx-get="{% pk_url 'work:task_field_value' task.pk cell.field.pk %}" hx-target="this" hx-swap="outerHTML" title="{% blocktranslate with name=cell.field.name %}Change {{ name }}{% endblocktranslate %}">{% include "work/partials/_project_field_value.html" with field=cell.field value=cell.value %}</a>{% else %}{% include "work/partials/_project_field_value.html" with field=cell.field value=cell.value %}{% endif %}</td>{% endfor %}
  {% if can_edit %}<td class="row-actions"><a href="{{ task.get_absolute_url }}" hx-get="{% pk_url 'work:edit_task_row' task.pk %}" hx-target="#task-row-{{ task.pk }}" hx-swap="outerHTML" class="row-edit">{% translate "Edit" %}</a></td>{% endif %}
</tr>
""",  # noqa: E501
}
FIELD_VALUE = "work/partials/_project_field_value.html"


def old_engine() -> Engine:
    templates = dict(OLD)
    templates[FIELD_VALUE] = (Path(settings.BASE_DIR) / "templates" / FIELD_VALUE).read_text()
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", templates)],
        libraries={
            "i18n": "django.templatetags.i18n",
            "workmate": "workmate.accounts.templatetags.workmate",
            "work_fields": "workmate.work.templatetags.work_fields",
        },
    )


@pytest.fixture
def tasks(team, alice, bob):
    project = make_project(name="R&D <core>", team=team, owner=alice)
    parent = make_task(project=project, title='Parent "one" & <two>')
    plain = {"project": project, "created_by": alice}
    made = [
        make_task(title='<script>alert("x")</script> & co', assignee=bob, **plain),
        make_task(title="Overdue day", due_on=NOW.date() - datetime.timedelta(days=3), **plain),
        make_task(title="Later day", due_on=NOW.date() + datetime.timedelta(days=9), **plain),
        make_task(
            title="Timed, overdue",
            due_on=NOW.date(),
            due_at=NOW - datetime.timedelta(hours=1),
            priority=2,
            **plain,
        ),
        make_task(
            title="Timed, later",
            due_on=NOW.date(),
            due_at=NOW + datetime.timedelta(hours=5),
            **plain,
        ),
        make_task(title="Child", parent=parent, **plain),
        make_task(
            title="Done it",
            status=TaskStatus.DONE,
            completed_at=NOW - datetime.timedelta(hours=30),
            due_on=NOW.date() - datetime.timedelta(days=1),
            **plain,
        ),
        parent,
    ]
    field = CustomField.objects.create(project=project, name='Cost "€" <x>', kind="text")
    rows = list(
        Task.objects.filter(pk__in=[task.pk for task in made])
        .select_related("project", "parent", "assignee")
        .order_by("pk")
    )
    for number, row in enumerate(rows):
        row.subtask_count = number % 3  # type: ignore[attr-defined]
        row.cells = [Cell(field, None)]  # type: ignore[attr-defined]
    return rows


@pytest.mark.parametrize("language", ["en", "ko"])
def test_rows_match_the_old_templates(tasks, language):
    engine = old_engine()
    with time_machine.travel(NOW, tick=False), translation.override(language):
        for task in tasks:
            old = engine.get_template("task_row.html").render(Context({"task": task}))
            assert work_rows.task_row_html(task) + "\n" == old
            for can_edit, note in [(True, ""), (False, ""), (True, 'Saved <"ok">')]:
                context = Context({"task": task, "can_edit": can_edit, "note": note})
                old = engine.get_template("project_row.html").render(context)
                assert work_rows.project_row_html(task, can_edit, note) + "\n" == old
            old = engine.get_template("due.html").render(Context({"task": task}))
            assert work_rows.due_html(task) + "\n" == old


def test_values_are_escaped(tasks):
    html = work_rows.task_rows(tasks) + work_rows.project_row_html(tasks[0], True, "")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "R&amp;D &lt;core&gt;" in html
    assert "in Parent &quot;one&quot; &amp; &lt;two&gt;" in html


def test_rows_read_as_tuples_are_the_tasks_rows(tasks):
    # The list pages read rows with values_list(): the columns must be what the rows of
    # loaded tasks hold (a date parsed, a datetime aware, a missing parent or assignee).
    ids = [task.pk for task in tasks]
    mine = Task.objects.filter(pk__in=ids).order_by("pk").values_list(*work_rows.TASK_ROW_COLUMNS)
    listed = (
        Task.objects.filter(pk__in=ids)
        .with_subtask_count()
        .order_by("pk")
        .values_list(*work_rows.PROJECT_ROW_COLUMNS)
    )

    assert [work_rows.TaskRow._make(row) for row in mine] == [
        work_rows.TaskRow.of(task) for task in tasks
    ]
    assert [row[:7] for row in listed] == [work_rows.ProjectRow.of(task)[:7] for task in tasks]
    assert [row[7] for row in listed] == [
        1 if task.title.startswith("Parent") else 0 for task in tasks
    ]


def test_a_page_of_rows_translates_each_label_once(tasks, monkeypatch):
    asked: list[str] = []
    gettext = work_rows.gettext
    monkeypatch.setattr(work_rows, "gettext", lambda text: asked.append(text) or gettext(text))

    with time_machine.travel(NOW, tick=False), translation.override("ko"):
        mine = work_rows.task_rows(tasks * 10)
        for_mine, asked[:] = list(asked), []
        listed = work_rows.project_rows(Context({"can_edit": True}), tasks * 10)

    assert mine.count("<li") == listed.count("<tr") == len(tasks) * 10
    # Once a page, not once a row (a custom field's "Change …" is said once a cell).
    for_list = [text for text in asked if not text.startswith("Change")]
    assert sorted(for_mine) == sorted(set(for_mine)) and "Overdue" in for_mine
    assert sorted(for_list) == sorted(set(for_list)) and "Edit" in for_list
