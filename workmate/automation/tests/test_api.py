"""The automation API against its own schema: rules, runs, dry runs, events; permissions."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.automation.models import Event, Rule, RuleRun, RunStatus
from workmate.automation.tests.helpers import make_rule
from workmate.testing.factories import make_project, make_ticket
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client
from workmate.work import services as work

JSON = "application/json"
ROOT = "/api/v1/automation"


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def call(document, client, method, path, data=None):
    if method == "GET":
        response = client.get(path, data or {})
    else:
        response = getattr(client, method.lower())(path, data or {}, content_type=JSON)
    assert_matches_schema(document, method, path, response)
    return response


def desk_rule(team):
    return {
        "name": "P1 to the lead",
        "scope": "team",
        "team_id": team.pk,
        "trigger": "event",
        "event_type": "ticket.created",
        "conditions": {"all": [{"field": "priority", "op": "is", "value": "1"}], "any": []},
        "actions": [{"type": "assign", "params": {"person": "on_duty_lead"}}],
    }


def test_a_desk_lead_writes_reads_changes_and_deletes_a_rule(document, alice, team):
    api = token_client(alice)
    created = call(document, api, "POST", f"{ROOT}/rules", desk_rule(team))
    assert created.status_code == 201, created.json()
    body = created.json()
    rule = Rule.objects.get(pk=body["id"])
    assert (rule.owner, rule.team, rule.object_type, rule.version) == (alice, team, "ticket", 1)
    assert body["actions"] == [{"type": "assign", "params": {"person": "on_duty_lead"}}]

    listed = call(document, api, "GET", f"{ROOT}/rules")
    assert [r["id"] for r in listed.json()] == [rule.pk]

    changed = {**desk_rule(team), "name": "P1 → lead", "max_runs_per_hour": 5}
    replaced = call(document, api, "PUT", f"{ROOT}/rules/{rule.pk}", changed)
    assert replaced.status_code == 200
    rule.refresh_from_db()
    assert (rule.name, rule.max_runs_per_hour, rule.version) == ("P1 → lead", 5, 2)

    deleted = call(document, api, "DELETE", f"{ROOT}/rules/{rule.pk}")
    assert deleted.status_code == 204
    assert not Rule.objects.exists()


def test_who_may_write_rules_where(document, alice, bob, charlie, team):
    project = make_project(owner=bob, team=make_project().team)
    # A plain member of the desk team may not write its rules.
    refused = call(document, token_client(bob), "POST", f"{ROOT}/rules", desk_rule(team))
    assert refused.status_code == 403
    # The project's owner may write the project's rules...
    own = {
        "name": "Tag new work",
        "scope": "project",
        "project_id": project.pk,
        "trigger": "event",
        "event_type": "task.created",
        "actions": [{"type": "add_tag", "params": {"tag": "new"}}],
    }
    assert call(document, token_client(bob), "POST", f"{ROOT}/rules", own).status_code == 201
    # ...an outsider cannot see the project at all, and nobody but executives the org's.
    assert call(document, token_client(charlie), "POST", f"{ROOT}/rules", own).status_code == 400
    org = {**own, "scope": "org", "project_id": None}
    assert call(document, token_client(alice), "POST", f"{ROOT}/rules", org).status_code == 403
    assert Rule.objects.count() == 1


def test_bad_rules_are_refused_with_a_message_and_nothing_saved(document, alice, team):
    api = token_client(alice)
    bad_action = {**desk_rule(team), "actions": [{"type": "assign", "params": {"person": "x"}}]}
    response = call(document, api, "POST", f"{ROOT}/rules", bad_action)
    assert response.status_code == 400
    assert "Action 1" in str(response.json())
    wrong_field = {**desk_rule(team)}
    wrong_field["conditions"] = {"all": [{"field": "colour", "op": "is", "value": "red"}]}
    response = call(document, api, "POST", f"{ROOT}/rules", wrong_field)
    assert response.status_code == 400 and "colour" in str(response.json())
    tasks_in_desk = {**desk_rule(team), "event_type": "task.created", "actions": []}
    assert call(document, api, "POST", f"{ROOT}/rules", tasks_in_desk).status_code == 400
    assert not Rule.objects.exists()


def test_runs_try_and_events(document, alice, bob, charlie, team):
    rule = make_rule(
        alice,
        scope="team",
        team=team,
        event_type="ticket.created",
        object_type="ticket",
        actions=[{"type": "set_priority", "params": {"priority": "1"}}],
    )
    ticket = make_ticket(priority=3)
    RuleRun.objects.create(
        rule=rule, rule_version=1, object_type="ticket", object_id=ticket.pk, status=RunStatus.DONE
    )
    api = token_client(alice)
    runs = call(document, api, "GET", f"{ROOT}/rules/{rule.pk}/runs")
    assert [r["status"] for r in runs.json()["items"]] == ["done"]

    tried = call(document, api, "POST", f"{ROOT}/rules/{rule.pk}/try", {"object_id": ticket.pk})
    assert tried.json()["matched"] is True and tried.json()["in_scope"] is True
    assert tried.json()["actions"][0]["text"] == "Would set the priority to P1 · critical."
    ticket.refresh_from_db()
    assert ticket.priority == 3  # A dry run changes nothing.

    events = call(document, api, "GET", f"{ROOT}/events", {"type": "ticket.created"})
    assert [e["object_id"] for e in events.json()["items"]] == [ticket.pk]

    # Outsiders: the rule does not exist for them; a member sees no rule of the team's.
    for person in (bob, charlie):
        assert (
            call(document, token_client(person), "GET", f"{ROOT}/rules/{rule.pk}").status_code
            == 404
        )
        runs = call(document, token_client(person), "GET", f"{ROOT}/rules/{rule.pk}/runs")
        assert runs.status_code == 404
    assert call(document, token_client(charlie), "GET", f"{ROOT}/events").json()["items"] == []


def test_try_refuses_an_object_the_caller_cannot_see(document, alice, charlie):
    project = make_project(owner=charlie, visibility="private")
    hidden = work.do_create_task(charlie, project, title="Private")
    rule = make_rule(alice, actions=[{"type": "add_tag", "params": {"tag": "x"}}])
    response = call(
        document,
        token_client(alice),
        "POST",
        f"{ROOT}/rules/{rule.pk}/try",
        {"object_id": hidden.pk},
    )
    assert response.status_code == 404
    assert not Event.objects.filter(type="task.updated").exists()
