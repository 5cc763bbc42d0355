"""The rule actions "send a webhook" and "post to a chat channel"."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from workmate.automation import placeholders
from workmate.automation.actions import ACTIONS, ActionContext, ActionError
from workmate.automation.models import Rule
from workmate.testing.factories import make_project, make_task
from workmate.webhooks import services
from workmate.webhooks.models import Delivery


@pytest.fixture
def project(alice, team):
    return make_project(owner=alice, team=team, name="Core banking")


@pytest.fixture
def context(alice, project):
    rule = Rule.objects.create(
        name="Tell the channel", owner=alice, scope="project", project=project
    )
    task = make_task(project=project, title="Renew the TLS certificate")
    return ActionContext(
        rule=rule, obj=task, object_type="task", values=placeholders.values_for("task", task)
    )


@pytest.fixture
def slack(alice, project, receiver):
    return services.do_create_endpoint(
        alice,
        name="#ops",
        url=receiver.url("slack"),
        kind="slack",
        scope="project",
        project=project,
        language="en",
    )


def test_both_actions_are_registered():
    assert {"webhook.send", "chat.post"} <= set(ACTIONS)


def test_post_to_chat_queues_the_filled_message_with_a_link(context, slack):
    outcome = ACTIONS["chat.post"].run(
        context, {"destination": slack.pk, "text": "Due: {{task.title}}"}
    )

    assert outcome == "Posted to #ops: Due: Renew the TLS certificate"
    delivery = Delivery.objects.get(endpoint=slack)
    message = json.loads(delivery.body)
    assert message["text"] == "Due: Renew the TLS certificate"
    assert f"/work/tasks/{context.obj.pk}/|" in message["blocks"][0]["text"]["text"]


def test_the_dry_run_says_what_it_would_post_and_writes_nothing(context, slack):
    said = ACTIONS["chat.post"].describe(
        context, {"destination": slack.pk, "text": "{{task.title}}"}
    )

    assert said == "Would post to #ops: Renew the TLS certificate"
    assert not Delivery.objects.exists()


def test_an_action_rolled_back_sends_nothing(context, slack, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ACTIONS["chat.post"].run(context, {"destination": slack.pk, "text": "x"})
        raise RuntimeError

    assert not Delivery.objects.exists()
    assert callbacks == []


def test_an_endpoint_the_owner_no_longer_manages_is_an_action_error(context, slack, bob):
    context.rule.owner = bob

    with pytest.raises(ActionError):
        ACTIONS["chat.post"].run(context, {"destination": slack.pk, "text": "x"})


def test_send_webhook_queues_a_signed_rule_message(context, alice, project, receiver):
    endpoint = services.do_create_endpoint(
        alice,
        name="Ops feed",
        url=receiver.url("rule"),
        scope="project",
        project=project,
        event_types=["task.created"],
    )

    ACTIONS["webhook.send"].run(context, {"endpoint": endpoint.pk, "note": "{{task.title}}"})

    body = json.loads(Delivery.objects.get(endpoint=endpoint).body)
    assert body["type"] == "rule.webhook"
    assert body["data"]["note"] == "Renew the TLS certificate"
    assert body["data"]["rule"]["name"] == "Tell the channel"


def test_the_action_form_offers_only_endpoints_i_manage(alice, bob, slack):
    form = ACTIONS["chat.post"].form(user=bob)

    assert list(form.fields["destination"].queryset) == []
    assert list(ACTIONS["chat.post"].form(user=alice).fields["destination"].queryset) == [slack]
