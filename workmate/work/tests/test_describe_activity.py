from __future__ import annotations

import pytest
from django.utils import translation

from workmate.testing.factories import make_project, make_task
from workmate.work.models import Activity
from workmate.work.views.tasks import describe_activity

pytestmark = pytest.mark.django_db


def line(task, actor, **fields) -> str:
    with translation.override("en"):
        return describe_activity(Activity.objects.create(task=task, actor=actor, **fields))


def test_field_change_names_the_field_and_both_values(alice):
    task = make_task()
    text = line(task, alice, verb="changed", field="title", old_value="Draft", new_value="Final")
    assert text == "Alice Kim changed title from Draft to Final"


def test_rule_and_relation_changes_have_readable_labels(alice):
    task = make_task()
    assert line(task, alice, verb="changed", field="recurrence", new_value="Daily") == (
        "Alice Kim set repeat rule to Daily"
    )
    assert "subtasks" in line(task, alice, verb="changed", field="subtasks", new_value="QA")


def test_imported_tasks_say_where_they_came_from(alice):
    assert line(make_task(), alice, verb="imported") == "Alice Kim imported the task from Asana"


def test_unknown_actor_is_someone(db):
    assert line(make_task(), None, verb="created") == "Someone created the task"


def test_a_status_change_is_told_in_each_readers_language(alice, team):
    """Written by an English reader, read by a Korean one: the names follow the reader."""
    from workmate.work import services

    task = make_task(title="Report", project=make_project(team=team, owner=alice))
    with translation.override("en"):
        services.do_update_task(alice, task, {"status": "done", "priority": 3})
    activities = {a.field: a for a in Activity.objects.filter(task=task).exclude(field="")}

    with translation.override("ko"):
        korean = describe_activity(activities["status"])
        korean_priority = describe_activity(activities["priority"])
    with translation.override("en"):
        english = describe_activity(activities["status"])

    assert "완료" in korean and "Done" not in korean
    assert "높음" in korean_priority
    assert english == "Alice Kim changed status from Open to Done"


def test_rows_written_before_codes_are_shown_as_written(alice):
    task = make_task()
    with translation.override("ko"):
        text = describe_activity(
            Activity.objects.create(
                task=task,
                actor=alice,
                verb="changed",
                field="status",
                old_value="Open",
                new_value="Done",
            )
        )
    assert "Open" in text and "Done" in text


def test_a_new_repeat_rule_is_named_in_the_readers_language(alice):
    task = make_task()
    activity = Activity.objects.create(
        task=task, actor=alice, verb="changed", field="recurrence", new_value="weekly"
    )
    with translation.override("ko"):
        korean = describe_activity(activity)
    with translation.override("en"):
        english = describe_activity(activity)
    assert english == "Alice Kim set repeat rule to Weekly on chosen days"
    assert "매주 지정한 요일" in korean
