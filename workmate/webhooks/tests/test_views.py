"""The endpoint pages: who may see and manage them, the secret shown once, rotation,
test send, replay, turning on/off, the delivery log, and incoming webhooks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.testing.factories import make_project
from workmate.webhooks import services
from workmate.webhooks.models import Delivery, DeliveryStatus, Endpoint, IncomingHook


@pytest.fixture
def project(alice, team):
    return make_project(owner=alice, team=team, name="Core banking")


@pytest.fixture
def hook(alice, project, receiver):
    return services.do_create_endpoint(
        alice,
        name="Billing sync",
        url=receiver.url("views"),
        scope="project",
        project=project,
        event_types=["task.created"],
    )


def test_the_list_shows_my_endpoints_in_pinned_queries(
    client, alice, hook, django_assert_num_queries
):
    client.force_login(alice)
    client.get(reverse("webhooks:home"))  # Warm the session and caches.

    with django_assert_num_queries(5):
        response = client.get(reverse("webhooks:home"))

    assert response.status_code == 200
    assert "Billing sync" in response.content.decode()


def test_creating_shows_the_secret_once(client, alice, project, receiver):
    client.force_login(alice)
    response = client.post(
        reverse("webhooks:endpoint_new"),
        {
            "name": "Audit feed",
            "kind": "webhook",
            "url": receiver.url("audit"),
            "scope": "project",
            "project": project.pk,
            "event_types": ["task.created", "task.completed"],
            "language": "en",
        },
    )

    endpoint = Endpoint.objects.get(name="Audit feed")
    assert response.status_code == 302
    assert (endpoint.owner, endpoint.project, endpoint.event_types) == (
        alice,
        project,
        ["task.completed", "task.created"],
    )
    assert endpoint.secret.startswith("whsec_")
    first = client.get(response.url).content.decode()
    assert endpoint.secret in first
    second = client.get(response.url).content.decode()
    assert endpoint.secret not in second
    assert endpoint.secret_hint() in second


def test_an_internal_address_is_refused_with_a_form_error(client, alice, project, settings):
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    client.force_login(alice)
    response = client.post(
        reverse("webhooks:endpoint_new"),
        {
            "name": "Sneaky",
            "kind": "webhook",
            "url": "http://169.254.169.254/latest/meta-data/",
            "scope": "project",
            "project": project.pk,
            "event_types": ["task.created"],
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert "inside the network" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_member_may_not_add_an_endpoint_to_a_project_they_do_not_lead(
    client, bob, project, receiver
):
    client.force_login(bob)

    assert client.get(reverse("webhooks:endpoint_new")).status_code == 403


def test_outsider_and_member_get_404_for_someone_elses_endpoint(client, bob, charlie, hook):
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(reverse("webhooks:endpoint", args=[hook.pk])).status_code == 404
        response = client.post(reverse("webhooks:endpoint_rotate", args=[hook.pk]))
        assert response.status_code == 404
    hook.refresh_from_db()
    assert not hook.previous_secret


def test_an_org_admin_manages_any_endpoint(client, charlie, hook):
    charlie.org_role = "staff"
    charlie.save(update_fields=["org_role"])
    client.force_login(charlie)

    assert client.get(reverse("webhooks:endpoint", args=[hook.pk])).status_code == 200


def test_rotate_keeps_the_old_secret_signing_and_shows_the_new_once(client, alice, hook):
    old = hook.secret
    client.force_login(alice)

    response = client.post(reverse("webhooks:endpoint_rotate", args=[hook.pk]), follow=True)

    hook.refresh_from_db()
    assert hook.previous_secret == old
    assert hook.signing_secrets() == [hook.secret, old]
    assert hook.secret in response.content.decode()


def test_rotate_is_post_only(client, alice, hook):
    client.force_login(alice)

    assert client.get(reverse("webhooks:endpoint_rotate", args=[hook.pk])).status_code == 405


def test_test_send_reaches_the_receiver_and_shows_in_the_log(
    client, alice, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.expect("views", hook.secret)
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:endpoint_test", args=[hook.pk]))

    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.event_type, delivery.status) == ("webhook.test", DeliveryStatus.DELIVERED)
    assert receiver.got("views")[-1].verified_with == [hook.secret]
    page = client.get(reverse("webhooks:endpoint", args=[hook.pk]))
    assert f'data-delivery="{delivery.pk}"' in page.content.decode()
    fragment = client.get(
        reverse("webhooks:endpoint", args=[hook.pk]), {"failed": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "<h1>" not in fragment.content.decode()
    assert f'data-delivery="{delivery.pk}"' not in fragment.content.decode()
    detail = client.get(reverse("webhooks:delivery", args=[delivery.pk])).content.decode()
    assert delivery.message_id in detail
    assert "answer 200 from views" in detail


def test_replay_one_and_turn_off_and_on(
    client, alice, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.answer("views", 500)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:endpoint_test", args=[hook.pk]))
    delivery = Delivery.objects.get(endpoint=hook)
    assert delivery.is_failing

    client.post(reverse("webhooks:endpoint_enable", args=[hook.pk]), {"enabled": "0"})
    hook.refresh_from_db()
    assert not hook.is_enabled

    receiver.answer("views", 200)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:endpoint_enable", args=[hook.pk]), {"enabled": "1"})
        client.post(reverse("webhooks:delivery_replay", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_the_delivery_of_someone_elses_endpoint_is_404(client, bob, hook):
    delivery = Delivery.objects.create(endpoint=hook, key="k", event_type="x", body="{}")
    client.force_login(bob)

    assert client.get(reverse("webhooks:delivery", args=[delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:delivery_replay", args=[delivery.pk])).status_code == 404


def test_incoming_webhook_is_made_by_the_project_owner_and_listed_with_its_url(
    client, alice, bob, project
):
    client.force_login(alice)
    client.post(reverse("webhooks:incoming_new"), {"name": "Monitoring", "project": project.pk})

    hook = IncomingHook.objects.get()
    assert (hook.owner, hook.project) == (alice, project)
    page = client.get(reverse("webhooks:home")).content.decode()
    assert f"/api/v1/webhooks/incoming/{hook.token}" in page
    client.force_login(bob)
    assert client.get(reverse("webhooks:incoming_new")).status_code == 403
    assert hook.token not in client.get(reverse("webhooks:home")).content.decode()


def test_pages_in_korean(client, alice, hook):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)

    page = client.get(reverse("webhooks:endpoint", args=[hook.pk])).content.decode()

    assert "전송 기록" in page
