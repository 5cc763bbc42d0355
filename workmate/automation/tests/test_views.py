"""The rule pages: list, editor (no JavaScript needed), rule with runs and dry run, events."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.automation import engine
from workmate.automation.models import Event, Rule, RunStatus
from workmate.automation.tests.helpers import make_rule
from workmate.testing.factories import make_customer, make_project, make_ticket
from workmate.work import services as work

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_rule(alice, team):
    return make_rule(
        alice,
        name="P1 to the lead",
        scope="team",
        team=team,
        event_type="ticket.created",
        object_type="ticket",
        conditions={"all": [{"field": "priority", "op": "is", "value": "1"}], "any": []},
        actions=[{"type": "set_status", "params": {"status": "open"}}],
    )


def _editor_post(team, **overrides):
    data = {
        "name": "P1 from enterprise → lead",
        "scope": f"team:{team.pk}",
        "trigger": "event",
        "event_type": "ticket.created",
        "enabled": "on",
        "max_runs_per_hour": "100",
        "all-0-field": "priority",
        "all-0-op": "is",
        "all-0-value": "1",
        "all-1-field": "customer_tier",
        "all-1-op": "is",
        "all-1-value": "enterprise",
        "any-0-field": "",
        "any-0-op": "is",
        "any-0-value": "",
        "a0-type": "assign",
        "a0-person": "on_duty_lead",
        "a1-type": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_a_desk_lead_writes_a_rule_in_the_editor(client, alice, team):
    client.force_login(alice)
    page = client.get(reverse("automation:new"))
    assert page.status_code == 200
    assert f'value="team:{team.pk}"' in page.content.decode()
    response = client.post(reverse("automation:new"), _editor_post(team))
    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/automation/{rule.pk}/"
    assert (rule.scope, rule.team, rule.object_type, rule.owner) == ("team", team, "ticket", alice)
    assert rule.conditions["all"][1] == {
        "field": "customer_tier",
        "op": "is",
        "value": "enterprise",
    }
    assert rule.actions == [{"type": "assign", "params": {"person": "on_duty_lead"}}]


def test_update_the_form_shows_a_new_actions_settings_without_saving(client, alice, team):
    client.force_login(alice)
    data = _editor_post(team, **{"a1-type": "comment"})
    del data["save"]
    data["refresh"] = "1"
    page = client.post(reverse("automation:new"), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="a1-body"' in html  # The comment action's text box appeared.
    assert "This field is required" not in html
    assert not Rule.objects.exists()


def test_a_bad_rule_shows_its_errors_and_saves_nothing(client, alice, team):
    client.force_login(alice)
    response = client.post(
        reverse("automation:new"), _editor_post(team, **{"a0-type": "", "all-0-op": "nope"})
    )
    assert response.status_code == 400
    assert "“nope” is not an operator." in response.content.decode()
    assert not Rule.objects.exists()


def test_a_member_may_not_write_desk_rules(client, bob, team):
    client.force_login(bob)
    assert client.get(reverse("automation:new")).status_code == 403
    response = client.post(reverse("automation:new"), _editor_post(team))
    assert response.status_code == 403
    assert not Rule.objects.exists()


def test_the_rule_page_shows_runs_error_rate_and_a_dry_run(
    client, alice, desk_rule, django_assert_num_queries
):
    ticket = make_ticket(priority=1)
    engine.handle_event(Event.objects.get(type="ticket.created", object_id=ticket.pk).pk)
    failing = make_ticket(priority=1)
    desk_rule.actions = [{"type": "assign", "params": {"person": "999999"}}]
    desk_rule.save()
    engine.handle_event(Event.objects.get(type="ticket.created", object_id=failing.pk).pk)
    client.force_login(alice)
    page = client.get(reverse("automation:rule", args=[desk_rule.pk]))
    html = page.content.decode()
    assert "1 of the last 2 runs (50 %)" in html
    assert html.count("run-failed") == 1 and html.count("run-done") == 1
    trial = client.get(
        reverse("automation:rule", args=[desk_rule.pk]),
        {"number": failing.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "The conditions hold." in trial.content.decode()
    assert "Priority is “1”" in trial.content.decode()  # In words, not field keys.
    assert "Would fail: That person can no longer be assigned work." in trial.content.decode()
    assert "<html" not in trial.content.decode()
    failing.refresh_from_db()
    assert failing.assignee is None
    run = desk_rule.runs.get(status=RunStatus.FAILED)
    detail = client.get(reverse("automation:run", args=[desk_rule.pk, run.pk]))
    assert "That person can no longer be assigned work." in detail.content.decode()


def test_outsiders_and_members_cannot_see_or_change_a_teams_rule(client, bob, charlie, desk_rule):
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(reverse("automation:rule", args=[desk_rule.pk])).status_code == 404
        assert client.post(reverse("automation:toggle", args=[desk_rule.pk])).status_code == 404
        assert client.post(reverse("automation:delete", args=[desk_rule.pk])).status_code == 404
    desk_rule.refresh_from_db()
    assert desk_rule.enabled


def test_the_owner_switches_off_edits_and_deletes(client, alice, desk_rule, team):
    client.force_login(alice)
    assert client.get(reverse("automation:toggle", args=[desk_rule.pk])).status_code == 405
    client.post(reverse("automation:toggle", args=[desk_rule.pk]))
    desk_rule.refresh_from_db()
    assert not desk_rule.enabled
    edit = client.get(reverse("automation:edit", args=[desk_rule.pk]))
    assert 'value="P1 to the lead"' in edit.content.decode()
    client.post(reverse("automation:edit", args=[desk_rule.pk]), _editor_post(team, name="Renamed"))
    desk_rule.refresh_from_db()
    assert (desk_rule.name, desk_rule.version) == ("Renamed", 2)
    client.post(reverse("automation:delete", args=[desk_rule.pk]))
    assert not Rule.objects.exists()


def test_rule_list_query_count_does_not_grow_with_rules(
    client, alice, team, django_assert_num_queries
):
    for n in range(5):
        make_rule(alice, name=f"R{n}", scope="team", team=team, event_type="ticket.created",
                  object_type="ticket")  # fmt: skip
    client.force_login(alice)
    # Session, user, the rules with their run counts, the scopes the viewer may write in.
    with django_assert_num_queries(5):
        page = client.get(reverse("automation:home"))
    assert page.content.decode().count("/automation/") >= 5


def test_events_page_lists_what_the_viewer_may_see(client, alice, charlie, team):
    project = make_project(owner=alice, team=team)
    work.do_create_task(alice, project, title="Visible")
    make_ticket(customer=make_customer())
    client.force_login(charlie)
    assert "Visible" not in client.get(reverse("automation:events")).content.decode()
    assert "task #" not in client.get(reverse("automation:events")).content.decode()
    client.force_login(alice)
    page = client.get(reverse("automation:events"), {"type": "task.created"})
    html = page.content.decode()
    assert "Task created" in html and "ticket #" not in html
    fragment = client.get(reverse("automation:events"), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "ticket #" in fragment.content.decode()
