"""Rules run on events: conditions, actions, the run log, loops and the rate cap."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workmate.automation import engine
from workmate.automation.models import Event, RuleRun, RunStatus, Scope
from workmate.automation.tests.helpers import kst, make_rule
from workmate.desk.models import ContractTier
from workmate.inbox.models import Kind, Notification
from workmate.testing.factories import make_customer, make_project, make_ticket, make_user
from workmate.work import services as work

pytestmark = pytest.mark.django_db

# A Tuesday at 10:00 in Seoul: the support team (TE) is at work.
WORKING = kst(2026, 12, 1, 10, 0)


@pytest.fixture
def p1_rule(alice, team):
    return make_rule(
        alice,
        name="P1 from an enterprise customer",
        scope=Scope.TEAM,
        team=team,
        event_type="ticket.created",
        object_type="ticket",
        conditions={
            "all": [
                {"field": "priority", "op": "is", "value": "1"},
                {"field": "customer_tier", "op": "is", "value": "enterprise"},
            ],
            "any": [],
        },
        actions=[{"type": "assign", "params": {"person": "on_duty_lead"}}],
    )


@time_machine.travel(WORKING, tick=False)
def test_a_matching_ticket_is_assigned_after_commit_and_the_run_logged(
    p1_rule, alice, team, django_capture_on_commit_callbacks
):
    enterprise = make_customer(tier=ContractTier.ENTERPRISE)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer=enterprise, priority=1)
    ticket.refresh_from_db()
    assert ticket.assignee == alice
    run = RuleRun.objects.get(rule=p1_rule)
    assert run.status == RunStatus.DONE
    assert run.rule_version == p1_rule.version
    assert run.conditions_result["matched"] is True
    assert run.actions_result == [
        {"type": "assign", "outcome": "Assigned to Alice Kim.", "error": ""}
    ]
    created = Event.objects.get(type="ticket.created")
    assert created.handled_at is not None and run.event == created
    # The assignment's own event names the run as its cause, one step deeper.
    assigned = Event.objects.get(type="ticket.assigned")
    assert (assigned.cause_run, assigned.depth, assigned.actor) == (run, 1, alice)


@time_machine.travel(WORKING, tick=False)
def test_a_ticket_that_does_not_match_is_left_alone_and_the_run_says_why(p1_rule):
    ticket = make_ticket(customer=make_customer(tier=ContractTier.STANDARD), priority=1)
    event = Event.objects.get(type="ticket.created")
    assert engine.handle_event(event.pk) == 1
    run = RuleRun.objects.get()
    assert run.status == RunStatus.NO_MATCH
    tier = run.conditions_result["all"][1]
    assert (tier["field"], tier["actual"], tier["result"]) == ("customer_tier", "standard", False)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    # Handled once: running it again does nothing.
    assert engine.handle_event(event.pk) == 0
    assert RuleRun.objects.count() == 1


def test_events_without_a_listening_rule_are_handled_as_written(alice):
    work.do_create_task(alice, make_project(owner=alice), title="Quiet")
    assert not Event.objects.unhandled().exists()


@time_machine.travel(WORKING, tick=False)
def test_changes_made_by_a_rule_trigger_only_rules_that_opt_in(
    p1_rule, alice, team, django_capture_on_commit_callbacks
):
    shy = make_rule(
        alice, scope=Scope.TEAM, team=team, event_type="ticket.assigned", object_type="ticket",
        actions=[{"type": "comment", "params": {"body": "assigned"}}],
    )  # fmt: skip
    keen = make_rule(
        alice, scope=Scope.TEAM, team=team, event_type="ticket.assigned", object_type="ticket",
        run_on_rule_events=True,
        actions=[{"type": "comment", "params": {"body": "Taken by {{ticket.assignee}}"}}],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(customer=make_customer(tier=ContractTier.ENTERPRISE), priority=1)
    assert not shy.runs.exists()
    assert keen.runs.get().status == RunStatus.DONE
    assert ticket.entries.filter(kind="note", body="Taken by Alice Kim").exists()


def test_a_chain_of_rules_stops_at_depth_ten_and_the_owner_is_told(
    alice, team, django_capture_on_commit_callbacks
):
    project = make_project(owner=alice, team=team)
    task = work.do_create_task(alice, project, title="Echo")
    echo = make_rule(
        alice,
        name="Echo",
        scope=Scope.PROJECT,
        project=project,
        event_type="task.comment_added",
        run_on_rule_events=True,
        actions=[{"type": "comment", "params": {"body": "echo"}}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        work.do_add_comment(alice, task, "hello")
    statuses = list(echo.runs.order_by("depth").values_list("depth", "status"))
    assert statuses == [(d, RunStatus.DONE) for d in range(10)] + [(10, RunStatus.LOOP)]
    assert task.comments.count() == 11  # The person's and ten echoes.
    told = Notification.objects.get(recipient=alice, kind=Kind.AUTOMATION)
    assert "Echo" in told.title and "stopped" in told.title


def test_the_rate_cap_skips_runs_past_it_and_tells_the_owner_once(alice, team):
    project = make_project(owner=alice, team=team)
    capped = make_rule(
        alice,
        scope=Scope.PROJECT,
        project=project,
        max_runs_per_hour=2,
        actions=[{"type": "add_tag", "params": {"tag": "new"}}],
    )
    for n in range(4):
        work.do_create_task(alice, project, title=f"T{n}")
    for event in Event.objects.filter(type="task.created").order_by("id"):
        engine.handle_event(event.pk)
    statuses = list(capped.runs.order_by("pk").values_list("status", flat=True))
    assert statuses == [RunStatus.DONE] * 2 + [RunStatus.RATE_LIMITED] * 2
    assert Notification.objects.filter(recipient=alice, kind=Kind.AUTOMATION).count() == 1


def test_the_rate_cap_asks_for_the_cap_th_run_not_a_count(alice, team):
    project = make_project(owner=alice, team=team)
    rule = make_rule(alice, scope=Scope.PROJECT, project=project, max_runs_per_hour=3)
    now = timezone.now()
    for status in [RunStatus.DONE, RunStatus.NO_MATCH, RunStatus.FAILED]:
        RuleRun.objects.create(
            rule=rule, rule_version=1, object_type="task", object_id=1, status=status
        )
    with CaptureQueriesContext(connection) as queries:
        assert engine.over_cap(rule, now) is False
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "COUNT(" not in sql.upper() and "OFFSET 2" in sql.upper()
    RuleRun.objects.create(
        rule=rule, rule_version=1, object_type="task", object_id=1, status=RunStatus.DONE
    )
    assert engine.over_cap(rule, now) is True
    first = RuleRun.objects.filter(rule=rule, status=RunStatus.DONE).order_by("pk").first()
    RuleRun.objects.filter(pk=first.pk).update(ran_at=now - datetime.timedelta(hours=2))
    assert engine.over_cap(rule, now) is False  # Only two of its runs are in the hour.
    rule.max_runs_per_hour = 0
    assert engine.over_cap(rule, now) is True


def test_a_failing_action_is_logged_and_the_next_still_runs(alice, team):
    project = make_project(owner=alice, team=team)
    gone = make_user(is_active=False)
    rule = make_rule(
        alice,
        scope=Scope.PROJECT,
        project=project,
        actions=[
            {"type": "assign", "params": {"person": str(gone.pk)}},
            {
                "type": "comment",
                "params": {"body": "Welcome {{task.title}} {% now 'Y' %} {{task.nope}}"},
            },
        ],
    )
    task = work.do_create_task(alice, project, title="New one")
    engine.handle_event(Event.objects.get(type="task.created").pk)
    run = rule.runs.get()
    assert run.status == RunStatus.FAILED
    assert run.actions_result[0]["error"] == "That person can no longer be assigned work."
    assert run.actions_result[1] == {"type": "comment", "outcome": "Comment added.", "error": ""}
    # Plain substitution: template tags and unknown placeholders stay as written.
    assert task.comments.get().body == "Welcome New one {% now 'Y' %} {{task.nope}}"


def test_actions_run_with_the_owners_rights(alice, bob, team, charlie):
    project = make_project(owner=alice, team=team)
    rule = make_rule(
        charlie,  # An outsider owning an org rule (e.g. demoted): the service refuses.
        actions=[{"type": "set_status", "params": {"status": "done"}}],
    )
    task = work.do_create_task(alice, project, title="Mine")
    engine.handle_event(Event.objects.get(type="task.created").pk)
    run = rule.runs.get()
    assert run.status == RunStatus.FAILED and run.actions_result[0]["error"]
    task.refresh_from_db()
    assert task.status == "open"
