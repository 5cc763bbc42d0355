"""Deliveries end to end against the real loopback receiver: the outbox, signatures, the
retry schedule, Retry-After, dead and replayed deliveries, 410 and five failing days, the
promised order, and one stuck endpoint not holding up another."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import translation

from workmate.automation.events import EVENT_TYPES, record_event
from workmate.inbox.models import Notification
from workmate.testing.factories import make_project, make_task
from workmate.webhooks import services, transport
from workmate.webhooks.models import SCHEDULE, Attempt, Delivery, DeliveryStatus, Endpoint

# A Wednesday, 10:00 in Seoul: inside working hours, so a mailed notice goes out at once.
NOW = datetime.datetime(2026, 3, 4, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def project(alice, team):
    return make_project(owner=alice, team=team, name="Core banking")


def endpoint(owner, receiver, name, **fields) -> Endpoint:
    fields.setdefault("event_types", ["task.created", "task.completed"])
    return services.do_create_endpoint(
        owner, name=name, url=receiver.url(name), scope=fields.pop("scope", "org"), **fields
    )


@pytest.fixture
def admin(alice):
    alice.is_superuser = True
    alice.save(update_fields=["is_superuser"])
    return alice


def happen(project, actor, title="Rotate keys", kind="task.created"):
    task = make_task(project=project, title=title)
    return record_event(kind, obj=task, actor=actor, project=project, payload={"title": title})


def test_an_event_becomes_one_signed_delivery_per_subscribed_endpoint(
    admin, project, receiver, django_capture_on_commit_callbacks
):
    wanted = endpoint(admin, receiver, "wanted")
    receiver.expect("wanted", wanted.secret)
    endpoint(admin, receiver, "other-types", event_types=["ticket.created"])
    off = endpoint(admin, receiver, "off")
    Endpoint.objects.filter(pk=off.pk).update(disabled_at=NOW)
    elsewhere = make_project(name="Elsewhere")
    endpoint(admin, receiver, "other-project", scope="project", project=elsewhere)

    with django_capture_on_commit_callbacks(execute=True):
        event = happen(project, admin, "서버 점검")

    [delivery] = Delivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.status) == (
        wanted,
        event,
        DeliveryStatus.DELIVERED,
    )
    [got] = receiver.got("wanted")
    assert got.verified_with == [wanted.secret]
    assert got.message_id == delivery.message_id
    message = json.loads(got.body)
    assert message["type"] == "task.created"
    assert message["timestamp"] == "2026-03-04T01:00:00Z"
    assert message["data"]["event_id"] == event.pk
    assert message["data"]["payload"] == {"title": "서버 점검"}
    assert message["data"]["url"] == f"https://workmate.example/work/tasks/{event.object_id}/"
    [attempt] = delivery.attempts.all()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "answer 200 from wanted"
    assert attempt.request_headers["webhook-id"] == delivery.message_id
    assert receiver.got("other-types") == receiver.got("off") == receiver.got("other-project") == []


def test_a_rolled_back_change_writes_no_delivery_and_sends_nothing(
    admin, project, receiver, django_capture_on_commit_callbacks
):
    endpoint(admin, receiver, "rollback")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        happen(project, admin)
        raise RuntimeError("the change failed")

    assert Delivery.objects.count() == 0
    assert callbacks == []
    assert receiver.got("rollback") == []


def test_failures_follow_the_schedule_with_the_same_webhook_id_then_die_and_replay(
    admin, project, receiver, _frozen, django_capture_on_commit_callbacks
):
    hook = endpoint(admin, receiver, "flaky")
    receiver.expect("flaky", hook.secret)
    receiver.answer("flaky", 500)
    happen(project, admin)
    delivery = Delivery.objects.get()

    waits = []
    for _try in SCHEDULE:
        before = datetime.datetime.now(datetime.UTC)
        assert services.run_endpoint(hook.pk) == 1
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - before)
        assert services.run_endpoint(hook.pk) == 0  # Not before it is due.
        _frozen.move_to(delivery.next_attempt_at)

    assert waits[:-1] == SCHEDULE[1:]
    assert delivery.status == DeliveryStatus.DEAD
    got = receiver.got("flaky")
    assert {g.message_id for g in got} == {delivery.message_id}
    assert all(g.verified_with == [hook.secret] for g in got)
    assert list(delivery.attempts.values_list("number", "status_code")) == [
        (n, 500) for n in range(1, len(SCHEDULE) + 1)
    ]

    receiver.answer("flaky", 200)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_replay_failed(admin, hook) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.got("flaky")[-1].message_id == delivery.message_id


def test_retry_after_on_429_is_honoured(admin, project, receiver):
    hook = endpoint(admin, receiver, "busy")
    receiver.answer("busy", 429, Retry_After="600")
    happen(project, admin)

    services.run_endpoint(hook.pk)

    delivery = Delivery.objects.get()
    # The schedule says 5 s; the receiver asked for ten minutes.
    assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=600)
    assert delivery.status == DeliveryStatus.WAITING


def test_410_turns_the_endpoint_off_and_tells_the_owner_by_inbox_and_mail(
    admin, project, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(admin, receiver, "gone")
    receiver.answer("gone", 410)
    happen(project, admin)

    with django_capture_on_commit_callbacks(execute=True):
        services.run_endpoint(hook.pk)

    hook.refresh_from_db()
    assert hook.disabled_at is not None
    assert "410" in hook.disabled_reason
    [notice] = Notification.objects.filter(recipient=admin, kind="automation")
    assert notice.title == "Webhook endpoint “gone” was turned off"
    assert notice.channel == "email"
    [sent] = mail.outbox
    assert sent.to == [admin.email]
    # It waits (not dead) for the endpoint to be turned on again, then goes out.
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.WAITING
    receiver.answer("gone", 200)
    assert services.run_endpoint(hook.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.do_set_enabled(admin, hook, True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_an_endpoint_failing_for_five_days_is_turned_off(admin, project, receiver, _frozen):
    hook = endpoint(admin, receiver, "down")
    receiver.answer("down", 503)
    happen(project, admin)
    services.run_endpoint(hook.pk)
    hook.refresh_from_db()
    assert hook.failing_since == NOW

    _frozen.move_to(NOW + datetime.timedelta(days=4, hours=23))
    happen(project, admin, "later")
    Delivery.objects.filter(status="waiting").update(next_attempt_at=NOW)
    services.run_endpoint(hook.pk)
    hook.refresh_from_db()
    assert hook.disabled_at is None

    _frozen.move_to(NOW + datetime.timedelta(days=5))
    Delivery.objects.filter(status="waiting").update(next_attempt_at=NOW)
    services.run_endpoint(hook.pk)
    hook.refresh_from_db()
    assert hook.disabled_at is not None
    assert Notification.objects.filter(recipient=admin, kind="automation").count() == 1


def test_a_receiver_that_fails_then_recovers_gets_every_event_in_order(
    admin, project, receiver, _frozen
):
    hook = endpoint(admin, receiver, "ordered")
    receiver.answer("ordered", 500, 500, 200)
    events = [happen(project, admin, f"Task {n}") for n in range(5)]

    for _round in range(3):
        services.run_endpoint(hook.pk)
        _frozen.shift(datetime.timedelta(minutes=6))

    got = [json.loads(g.body)["data"]["event_id"] for g in receiver.got("ordered")]
    # Two failed tries of the first, then all five in event order.
    assert got == [events[0].pk, events[0].pk] + [e.pk for e in events]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_stuck_endpoint_costs_one_timeout_per_round_and_holds_up_no_other(
    admin, project, receiver, monkeypatch
):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.3)
    stuck = endpoint(admin, receiver, "stuck-endpoint")
    receiver.delays["stuck-endpoint"] = 10.0  # far past the timeout, so load cannot blur the two
    healthy = endpoint(admin, receiver, "healthy")
    for n in range(3):
        happen(project, admin, f"Task {n}")

    assert services.run_endpoint(stuck.pk) == 1  # The head timed out; the rest wait.
    assert services.run_endpoint(healthy.pk) == 3

    assert healthy.deliveries.filter(status="delivered").count() == 3
    [timed_out] = Attempt.objects.filter(delivery__endpoint=stuck)
    assert timed_out.status_code is None and timed_out.duration_ms < 5000


def test_a_held_endpoint_is_not_claimed_twice(admin, receiver, _frozen):
    hook = endpoint(admin, receiver, "claimed")

    assert services.claim(hook.pk, "worker-a")
    assert not services.claim(hook.pk, "worker-b")
    assert services.run_endpoint(hook.pk) == 0  # Another worker's run gives way.
    _frozen.shift(services.LEASE + datetime.timedelta(seconds=1))
    # A worker that died let go when its lease ran out.
    assert services.claim(hook.pk, "worker-b")


def test_the_sweeper_wakes_what_the_wake_up_missed(admin, project, receiver, _frozen):
    hook = endpoint(admin, receiver, "swept")
    held_back = endpoint(admin, receiver, "held-back")
    receiver.answer("held-back", 500)
    happen(project, admin)  # No on-commit callbacks run: the wake-up is lost.
    services.run_endpoint(held_back.pk)

    assert services.sweep() == 1

    assert len(receiver.got("swept")) == 1
    assert Delivery.objects.get(endpoint=hook).status == DeliveryStatus.DELIVERED
    assert len(receiver.got("held-back")) == 1  # Its retry is not due yet.


def test_during_a_rotation_both_secrets_sign_then_only_the_new(admin, project, receiver, _frozen):
    hook = endpoint(admin, receiver, "rotated")
    old = hook.secret
    new = services.do_rotate_secret(admin, hook)
    receiver.expect("rotated", old, new)
    happen(project, admin)
    services.run_endpoint(hook.pk)

    _frozen.shift(datetime.timedelta(hours=25))
    happen(project, admin, "after the overlap")
    services.run_endpoint(hook.pk)

    first, second = receiver.got("rotated")
    assert first.verified_with == [old, new]
    assert second.verified_with == [new]


def test_a_chat_destination_gets_the_event_in_its_language(admin, project, receiver):
    endpoint(admin, receiver, "slack-ko", kind="slack", language="ko")
    endpoint(admin, receiver, "jandi-en", kind="jandi", language="en")
    event = happen(project, admin, "백업 확인")

    services.run_endpoint(Endpoint.objects.get(name="slack-ko").pk)
    services.run_endpoint(Endpoint.objects.get(name="jandi-en").pk)

    [slack] = receiver.got("slack-ko")
    message = json.loads(slack.body)
    with translation.override("ko"):
        label = str(EVENT_TYPES["task.created"].label)
    assert message["text"] == f"{label}: 백업 확인\nAlice Kim 님"
    link = f"https://workmate.example/work/tasks/{event.object_id}/"
    assert link in message["blocks"][0]["text"]["text"]
    [jandi] = receiver.got("jandi-en")
    assert jandi.headers["accept"] == "application/vnd.tosslab.jandi-v2+json"
    assert json.loads(jandi.body)["body"] == f"[Task created: 백업 확인]({link})"
