"""The webhooks API (endpoints, deliveries, replay) and the incoming webhook."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.testing.factories import make_project
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client
from workmate.webhooks import services
from workmate.webhooks.models import Delivery, DeliveryStatus, Endpoint, IncomingItem
from workmate.work.models import Task

ROOT = "/api/v1/webhooks"


@pytest.fixture
def project(alice, team):
    return make_project(owner=alice, team=team, name="Core banking")


@pytest.fixture
def api(alice):
    return token_client(alice)


@pytest.fixture
def schema(api):
    return fetch_schema(api)


def test_create_shows_the_secret_once_then_only_a_hint(api, schema, project, receiver):
    response = api.post(
        f"{ROOT}/endpoints",
        {
            "name": "Audit",
            "url": receiver.url("api"),
            "scope": "project",
            "project_id": project.pk,
            "event_types": ["task.created"],
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert_matches_schema(schema, "post", f"{ROOT}/endpoints", response)
    endpoint = Endpoint.objects.get()
    assert response.json()["secret"] == endpoint.secret
    again = api.get(f"{ROOT}/endpoints/{endpoint.pk}")
    assert "secret" not in again.json()
    assert again.json()["secret_hint"] == endpoint.secret_hint()
    listed = api.get(f"{ROOT}/endpoints")
    assert_matches_schema(schema, "get", f"{ROOT}/endpoints", listed)
    assert [item["id"] for item in listed.json()["items"]] == [endpoint.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://10.0.0.5/in", "event_types": ["task.created"]}, "url"),
        ({"url": "https://hooks.example.com/in", "event_types": ["task.exploded"]}, "event_types"),
        ({"url": "https://hooks.example.com/in", "event_types": []}, "event_types"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, project, settings, body, field):
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    response = api.post(
        f"{ROOT}/endpoints",
        {"name": "Bad", "scope": "project", "project_id": project.pk, **body},
        content_type="application/json",
    )

    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert not Endpoint.objects.exists()


def test_org_scope_is_for_org_admins_only(api, receiver):
    response = api.post(
        f"{ROOT}/endpoints",
        {"name": "All", "url": receiver.url("x"), "scope": "org", "event_types": ["task.created"]},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not Endpoint.objects.exists()


def test_outsider_gets_404_and_cannot_rotate(alice, charlie, project, receiver):
    endpoint = services.do_create_endpoint(
        alice,
        name="Mine",
        url=receiver.url("mine"),
        scope="project",
        project=project,
        event_types=["task.created"],
    )
    outsider = token_client(charlie)

    assert outsider.get(f"{ROOT}/endpoints/{endpoint.pk}").status_code == 404
    assert outsider.post(f"{ROOT}/endpoints/{endpoint.pk}/rotate-secret").status_code == 404
    assert outsider.get(f"{ROOT}/endpoints").json()["items"] == []
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == ""


def test_deliveries_log_detail_and_replay(
    api, schema, alice, project, receiver, django_capture_on_commit_callbacks
):
    endpoint = services.do_create_endpoint(
        alice,
        name="Flaky",
        url=receiver.url("api-flaky"),
        scope="project",
        project=project,
        event_types=["task.created"],
    )
    receiver.answer("api-flaky", 500)
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"{ROOT}/endpoints/{endpoint.pk}/test")
    assert sent.status_code == 202
    delivery = Delivery.objects.get()

    log = api.get(f"{ROOT}/endpoints/{endpoint.pk}/deliveries", {"failed": "true"})
    assert_matches_schema(schema, "get", f"{ROOT}/endpoints/{endpoint.pk}/deliveries", log)
    assert [item["id"] for item in log.json()["items"]] == [delivery.pk]
    detail = api.get(f"{ROOT}/deliveries/{delivery.pk}")
    assert_matches_schema(schema, "get", f"{ROOT}/deliveries/{delivery.pk}", detail)
    [attempt] = detail.json()["attempts"]
    assert attempt["status_code"] == 500
    assert attempt["request_headers"]["webhook-id"] == delivery.message_id

    receiver.answer("api-flaky", 200)
    with django_capture_on_commit_callbacks(execute=True):
        replayed = api.post(f"{ROOT}/endpoints/{endpoint.pk}/replay-failed")
    assert replayed.json() == {"queued": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert {g.message_id for g in receiver.got("api-flaky")} == {delivery.message_id}


def test_patch_turns_off(api, alice, project, receiver):
    endpoint = services.do_create_endpoint(
        alice,
        name="Mine",
        url=receiver.url("mine"),
        scope="project",
        project=project,
        event_types=["task.created"],
    )

    response = api.patch(
        f"{ROOT}/endpoints/{endpoint.pk}", {"enabled": False}, content_type="application/json"
    )

    assert response.json()["enabled"] is False
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None


# --- Incoming -------------------------------------------------------------------------


@pytest.fixture
def incoming(alice, project):
    return services.do_create_incoming_hook(alice, name="Monitoring", project=project)


def test_incoming_makes_one_task_per_id(incoming, project, alice):
    client = Client()
    url = f"{ROOT}/incoming/{incoming.token}"
    body = {"id": "alert-17", "title": "Disk 91% on db-2", "description": "From Grafana"}

    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    task = Task.objects.get()
    assert (task.project, task.created_by, task.title) == (project, alice, "Disk 91% on db-2")
    assert first.json()["task_id"] == again.json()["task_id"] == task.pk
    assert again.json()["created"] is False
    assert IncomingItem.objects.get().task == task


@pytest.mark.parametrize(
    ("body", "status"),
    [({"title": "No id"}, 422), ({"id": "x"}, 422), ({"id": "x", "title": ""}, 422)],
)
def test_incoming_bad_body_is_a_clear_4xx_and_writes_nothing(incoming, body, status):
    response = Client().post(
        f"{ROOT}/incoming/{incoming.token}", body, content_type="application/json"
    )

    assert response.status_code == status
    assert response.json().get("detail") or response.json().get("errors")
    assert not Task.objects.exists()
    assert not IncomingItem.objects.exists()


def test_incoming_not_json_is_400(incoming):
    response = Client().post(
        f"{ROOT}/incoming/{incoming.token}", "not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert not Task.objects.exists()


def test_incoming_wrong_token_is_404(incoming):
    response = Client().post(
        f"{ROOT}/incoming/wrong", {"id": "1", "title": "x"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert not Task.objects.exists()


def test_incoming_whose_owner_lost_the_project_is_403_and_writes_nothing(incoming, project, bob):
    project.owner = bob
    project.visibility = "private"
    project.save()
    incoming.owner.memberships.all().delete()

    response = Client().post(
        f"{ROOT}/incoming/{incoming.token}",
        {"id": "1", "title": "x"},
        content_type="application/json",
    )

    assert response.status_code in (403, 404)
    assert not Task.objects.exists()
    assert not IncomingItem.objects.exists()
