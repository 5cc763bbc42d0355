from __future__ import annotations

import pytest
from django.utils import translation

from workmate.testing.factories import make_task
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
