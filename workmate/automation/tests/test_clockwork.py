"""The clock's side: the sweeper, the clock's own events, time-based and scheduled rules."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from workmate.automation import clockwork
from workmate.automation.models import (
    Deadline,
    Event,
    Every,
    Firing,
    RunStatus,
    Scope,
    TriggerKind,
)
from workmate.automation.tests.helpers import kst, make_rule
from workmate.testing.factories import make_project, make_sla_policy, make_ticket
from workmate.work import services as work

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(alice, team):
    return make_project(owner=alice, team=team)


@pytest.fixture
def warn_rule(alice, project):
    """Two working hours before a task is due, tag it."""
    return make_rule(
        alice,
        scope=Scope.PROJECT,
        project=project,
        trigger=TriggerKind.TIME,
        event_type="",
        deadline=Deadline.DUE,
        offset_hours=-2,
        actions=[{"type": "add_tag", "params": {"tag": "due-soon"}}],
    )


def test_a_time_rule_counts_working_hours_and_fires_once(warn_rule, alice, project):
    # Due Tuesday 10:00 Seoul; the team works 09:00–18:00 on weekdays.
    task = work.do_create_task(
        alice,
        project,
        title="Report",
        due_at=kst(2026, 12, 1, 10),
        due_on=datetime.date(2026, 12, 1),
    )
    with time_machine.travel(kst(2026, 11, 30, 16, 59), tick=False):  # 2 h 1 min left.
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 0
    # Monday 17:00 is 17 clock hours before, but only 2 working hours (17–18, then 9–10).
    with time_machine.travel(kst(2026, 11, 30, 17, 0), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 1
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 0
    with time_machine.travel(kst(2026, 12, 1, 9, 30), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 0
    assert list(task.tags.values_list("name", flat=True)) == ["due-soon"]
    run = warn_rule.runs.get()
    assert (run.status, run.event, run.object_id) == (RunStatus.DONE, None, task.pk)
    firing = Firing.objects.get()
    assert firing.threshold == kst(2026, 12, 1, 10)


def test_a_new_due_date_is_a_new_threshold(warn_rule, alice, project):
    task = work.do_create_task(alice, project, title="Moved", due_at=kst(2026, 12, 1, 10))
    with time_machine.travel(kst(2026, 12, 1, 8, 0), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 1
    work.do_update_task(alice, task, {"due_at": kst(2026, 12, 2, 10)})
    with time_machine.travel(kst(2026, 12, 2, 8, 0), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 1
    assert Firing.objects.count() == 2


def test_the_database_refuses_a_second_firing_for_the_same_threshold(warn_rule, alice, project):
    task = work.do_create_task(alice, project, title="Once")
    moment = kst(2026, 12, 1, 10)
    Firing.objects.create(rule=warn_rule, object_type="task", object_id=task.pk, threshold=moment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Firing.objects.create(
            rule=warn_rule, object_type="task", object_id=task.pk, threshold=moment
        )


def test_after_the_sla_counts_in_the_support_calendar(alice, team):
    make_sla_policy(priority=3, first_response_minutes=60, resolution_minutes=480)
    rule = make_rule(
        alice,
        scope=Scope.TEAM,
        team=team,
        trigger=TriggerKind.TIME,
        event_type="",
        object_type="ticket",
        deadline=Deadline.SLA,
        offset_hours=1,
        actions=[{"type": "set_priority", "params": {"priority": "2"}}],
    )
    with time_machine.travel(kst(2026, 11, 30, 17, 0), tick=False):  # Monday 17:00
        ticket = make_ticket(priority=3)
    # First response due Monday 18:00; an hour of working time after is Tuesday 10:00.
    with time_machine.travel(kst(2026, 12, 1, 9, 59), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 0
    with time_machine.travel(kst(2026, 12, 1, 10, 0), tick=False):
        assert clockwork.fire_time_rules(datetime.datetime.now(datetime.UTC)) == 1
    ticket.refresh_from_db()
    assert ticket.priority == 2 and rule.runs.get().status == RunStatus.DONE


def test_the_clock_writes_sla_and_reply_by_events_once(alice, bob, team, project):
    make_sla_policy(priority=3, first_response_minutes=60, resolution_minutes=480)
    with time_machine.travel(kst(2026, 11, 30, 9, 0), tick=False):
        ticket = make_ticket(priority=3)
        task = work.do_create_task(alice, project, title="Ask")
        work.do_update_task(
            alice,
            task,
            {"assignee": bob},
            request_message="Please",
            request_reply_by=kst(2026, 11, 30, 12, 0),
        )
    with time_machine.travel(kst(2026, 11, 30, 9, 50), tick=False):  # Past 75 % of an hour.
        clockwork.record_milestones(datetime.datetime.now(datetime.UTC))
    with time_machine.travel(kst(2026, 11, 30, 13, 0), tick=False):
        now = datetime.datetime.now(datetime.UTC)
        clockwork.record_milestones(now)
        clockwork.record_milestones(now)  # Twice: nothing new.
    kinds = list(Event.objects.filter(type__in=[
        "ticket.sla_at_risk", "ticket.sla_breached", "request.overdue"
    ]).order_by("id").values_list("type", "object_id"))  # fmt: skip
    request = task.requests.get()
    assert kinds == [
        ("ticket.sla_at_risk", ticket.pk),
        ("ticket.sla_breached", ticket.pk),
        ("request.overdue", request.pk),
    ]
    breached = Event.objects.get(type="ticket.sla_breached")
    assert breached.team == team and breached.payload["target"] == "first_response"


def test_the_sweeper_runs_rules_for_events_the_wake_up_missed(alice, project):
    rule = make_rule(
        alice,
        scope=Scope.PROJECT,
        project=project,
        actions=[{"type": "add_tag", "params": {"tag": "seen"}}],
    )
    with time_machine.travel(kst(2026, 12, 1, 10, 0), tick=False):
        # No on-commit here: as if the worker died before the wake-up ran.
        task = work.do_create_task(alice, project, title="Missed")
    event = Event.objects.get(type="task.created")
    assert event.handled_at is None
    with time_machine.travel(kst(2026, 12, 1, 10, 0, 10), tick=False):  # Within the grace.
        assert clockwork.sweep_events(datetime.datetime.now(datetime.UTC)) == 0
    with time_machine.travel(kst(2026, 12, 1, 10, 1), tick=False):
        assert clockwork.sweep_events(datetime.datetime.now(datetime.UTC)) == 1
        assert clockwork.sweep_events(datetime.datetime.now(datetime.UTC)) == 0
    assert rule.runs.get().status == RunStatus.DONE
    assert list(task.tags.values_list("name", flat=True)) == ["seen"]


def test_a_schedule_runs_once_per_slot_on_matching_open_objects(alice, team):
    with time_machine.travel(kst(2026, 11, 29, 12, 0), tick=False):  # Created on Sunday.
        rule = make_rule(
            alice,
            scope=Scope.TEAM,
            team=team,
            trigger=TriggerKind.SCHEDULE,
            event_type="",
            object_type="ticket",
            every=Every.DAY,
            at_time=datetime.time(9, 0),
            conditions={"all": [{"field": "priority", "op": "is", "value": "1"}], "any": []},
            actions=[{"type": "comment", "params": {"body": "Morning check"}}],
        )
        urgent = make_ticket(priority=1)
        make_ticket(priority=3)
    with time_machine.travel(kst(2026, 11, 30, 8, 59), tick=False):
        assert clockwork.fire_schedules(datetime.datetime.now(datetime.UTC)) == 0
    with time_machine.travel(kst(2026, 11, 30, 9, 1), tick=False):
        assert clockwork.fire_schedules(datetime.datetime.now(datetime.UTC)) == 1
        assert clockwork.fire_schedules(datetime.datetime.now(datetime.UTC)) == 0
    assert urgent.entries.filter(body="Morning check").count() == 1
    assert rule.runs.count() == 1
