from __future__ import annotations

import pytest
from django.db import transaction

from workmate.automation import signals
from workmate.automation.events import EVENT_TYPES, record_event
from workmate.automation.models import Event
from workmate.testing.factories import make_project, make_task

pytestmark = pytest.mark.django_db


def test_record_event_writes_the_row_and_tells_receivers_inside_the_transaction(alice):
    task = make_task(project=make_project(owner=alice))
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append((instance.pk, transaction.get_connection().in_atomic_block))

    signals.event_recorded.connect(receiver)
    try:
        event = record_event("task.completed", obj=task, actor=alice, project=task.project)
    finally:
        signals.event_recorded.disconnect(receiver)
    event.refresh_from_db()
    assert (event.type, event.object_type, event.object_id) == ("task.completed", "task", task.pk)
    assert event.actor == alice and event.depth == 0 and event.cause_run is None
    assert seen == [(event.pk, True)]


def test_a_rolled_back_change_leaves_no_event(alice):
    task = make_task(project=make_project(owner=alice))
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("task.updated", obj=task, actor=alice)
        raise RuntimeError("the change fails")
    assert not Event.objects.exists()


def test_unknown_event_type_is_refused(alice):
    with pytest.raises(ValueError):
        record_event("task.exploded", obj=alice)
    assert "ticket.sla_breached" in EVENT_TYPES
