"""The API against its own OpenAPI document: the document is valid OpenAPI 3, the docs
page is served at /api/docs, and the main routes answer as their schemas say."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import JsonResponse
from django.test import Client

from workmate.testing.factories import make_project
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client
from workmate.work import services
from workmate.work.models import Tag, Visibility, WorkRequest

JSON = "application/json"
NOW = datetime.datetime(2025, 11, 19, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def test_schema_is_valid_openapi_3_and_lists_every_route(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Workmate API"
    assert set(document["paths"]) == {
        "/api/v1/",
        "/api/v1/me",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/sections",
        "/api/v1/sections/{section_id}",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/move",
        "/api/v1/tasks/{task_id}/comments",
        "/api/v1/tasks/{task_id}/requests",
        "/api/v1/requests",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/acknowledge",
        "/api/v1/requests/{request_id}/answer",
        "/api/v1/requests/{request_id}/hand-back",
        "/api/v1/voice/proposals",
        "/api/v1/voice/proposals/{proposal_id}",
        "/api/v1/voice/proposals/{proposal_id}/vote",
        "/api/v1/voice/proposals/{proposal_id}/status",
        "/api/v1/voice/proposals/{proposal_id}/comments",
        "/api/v1/voice/mine",
        "/api/v1/inbox/notifications",
        "/api/v1/inbox/notifications/{notification_id}",
        "/api/v1/inbox/notifications/{notification_id}/read",
        "/api/v1/inbox/notifications/{notification_id}/archive",
        "/api/v1/inbox/notifications/{notification_id}/snooze",
        "/api/v1/inbox/unread-count",
        "/api/v1/desk/tickets",
        "/api/v1/desk/tickets/{ticket_id}",
        "/api/v1/desk/tickets/{ticket_id}/replies",
        "/api/v1/desk/tickets/{ticket_id}/escalation",
        "/api/v1/desk/suspended-mail",
        "/api/v1/desk/suspended-mail/{mail_id}",
        "/api/v1/desk/suspended-mail/{mail_id}/ticket",
        "/api/v1/desk/suspended-mail/{mail_id}/release",
        "/api/v1/desk/suspended-mail/{mail_id}/dismiss",
        "/api/v1/library/spaces",
        "/api/v1/library/spaces/{key}",
        "/api/v1/library/spaces/{key}/tree",
        "/api/v1/library/spaces/{key}/pages",
        "/api/v1/library/pages/{page_id}",
        "/api/v1/library/pages/{page_id}/move",
        "/api/v1/library/pages/{page_id}/verify",
        "/api/v1/library/pages/{page_id}/needs-review",
        "/api/v1/library/pages/{page_id}/revisions",
        "/api/v1/library/pages/{page_id}/revisions/{number}",
        "/api/v1/library/pages/{page_id}/diff",
        "/api/v1/library/pages/{page_id}/revisions/{number}/restore",
        "/api/v1/library/pages/{page_id}/revisions/{number}/approve",
        "/api/v1/library/pages/{page_id}/revisions/{number}/reject",
        "/api/v1/library/pages/{page_id}/references",
        "/api/v1/library/pages/{page_id}/comments",
        "/api/v1/library/comments/{comment_id}/resolve",
        "/api/v1/library/spaces/{key}/pages/from-template",
        "/api/v1/pipeline/pocs",
        "/api/v1/pipeline/pocs/{poc_id}",
        "/api/v1/pipeline/pocs/{poc_id}/advance",
        "/api/v1/pipeline/pocs/{poc_id}/decision",
        "/api/v1/pipeline/pocs/{poc_id}/drop",
        "/api/v1/levels/ladder",
        "/api/v1/levels/ladder/versions",
        "/api/v1/levels/me/level",
        "/api/v1/levels/me/ledger",
        "/api/v1/levels/me/ledger/glue",
        "/api/v1/levels/me/ledger/{entry_id}",
        "/api/v1/reviews/participations",
        "/api/v1/reviews/participations/{participation_id}",
        "/api/v1/reviews/participations/{participation_id}/self-review/{competency}",
        "/api/v1/reviews/participations/{participation_id}/self-review/submit",
        "/api/v1/reviews/participations/{participation_id}/feedback-requests",
        "/api/v1/reviews/feedback-requests",
        "/api/v1/reviews/feedback-requests/{request_id}",
        "/api/v1/reviews/feedback-requests/{request_id}/answers",
        "/api/v1/reviews/pay/bands",
        "/api/v1/reviews/pay/me",
        "/api/v1/advisor/assessments",
        "/api/v1/advisor/assessments/{assessment_id}",
        "/api/v1/advisor/assessments/{assessment_id}/workloads",
        "/api/v1/advisor/assessments/{assessment_id}/workloads/{workload_id}",
        "/api/v1/advisor/assessments/{assessment_id}/workloads/{workload_id}/override",
        "/api/v1/advisor/assessments/{assessment_id}/bulk-edit",
        "/api/v1/advisor/assessments/{assessment_id}/findings",
        "/api/v1/advisor/assessments/{assessment_id}/imports",
        "/api/v1/advisor/assessments/{assessment_id}/imports/{import_id}",
        "/api/v1/advisor/assessments/{assessment_id}/imports/{import_id}/confirm",
        "/api/v1/advisor/rules",
        "/api/v1/automation/rules",
        "/api/v1/automation/rules/{rule_id}",
        "/api/v1/automation/rules/{rule_id}/runs",
        "/api/v1/automation/rules/{rule_id}/try",
        "/api/v1/automation/events",
        "/api/v1/automation/event-types",
        "/api/v1/automation/actions",
        "/api/v1/search",
        "/api/v1/webhooks/endpoints",
        "/api/v1/webhooks/endpoints/{endpoint_id}",
        "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
        "/api/v1/webhooks/endpoints/{endpoint_id}/test",
        "/api/v1/webhooks/endpoints/{endpoint_id}/replay-failed",
        "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries",
        "/api/v1/webhooks/deliveries/{delivery_id}",
        "/api/v1/webhooks/deliveries/{delivery_id}/replay",
        "/api/v1/webhooks/incoming/{token}",
        "/api/v1/success/accounts",
        "/api/v1/success/accounts/{customer_id}",
        "/api/v1/success/meetings",
        "/api/v1/success/meetings/{meeting_id}",
        "/api/v1/success/feedback",
        "/api/v1/success/feedback/{item_id}",
        "/api/v1/success/feedback/{item_id}/route",
        "/api/v1/success/feedback/{item_id}/answer",
        "/api/v1/success/themes",
        "/api/v1/success/themes/{theme_id}/merge",
    }
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    patch = document["paths"]["/api/v1/tasks/{task_id}"]["patch"]
    assert "If-Match" in {parameter["name"] for parameter in patch["parameters"]}
    move = document["paths"]["/api/v1/tasks/{task_id}/move"]["post"]
    assert "If-Match" in {parameter["name"] for parameter in move["parameters"]}
    assert "409" in move["responses"]


def test_docs_page_is_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/v1/openapi.json" in response.content


def test_main_routes_answer_as_documented(document, team, alice, bob, charlie):
    api = token_client(alice)

    def call(
        method: str,
        path: str,
        data: object = None,
        status: int = 200,
        client: Client | None = None,
        **extra: str,
    ):
        kwargs = {"content_type": JSON} if data is not None and method != "get" else {}
        response = getattr(client or api, method)(path, data, **kwargs, **extra)
        assert response.status_code == status, (path, response.content)
        assert_matches_schema(document, method, path, response)
        return response

    call("get", "/api/v1/me")
    project = call(
        "post", "/api/v1/projects", {"name": "Infra", "team_id": team.pk}, status=201
    ).json()
    call("get", "/api/v1/projects")
    call("get", f"/api/v1/projects/{project['id']}")
    call("patch", f"/api/v1/projects/{project['id']}", {"description": "Racks"})
    section = call(
        "post", f"/api/v1/projects/{project['id']}/sections", {"name": "Now"}, status=201
    ).json()
    call("get", f"/api/v1/projects/{project['id']}/sections")
    call("patch", f"/api/v1/sections/{section['id']}", {"name": "Today"})
    task = call(
        "post",
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "title": "Swap disk",
            "section_id": section["id"],
            "assignee_id": bob.pk,
            "request_message": "Swap it before the audit.",
            "due_at": "2030-01-01T09:00:00+09:00",
        },
        status=201,
    ).json()
    Tag.objects.create(name="hw").tasks.add(task["id"])
    call("get", "/api/v1/tasks", {"assignee": bob.pk})
    call("get", f"/api/v1/tasks/{task['id']}")
    call("patch", f"/api/v1/tasks/{task['id']}", {"priority": 4}, HTTP_IF_MATCH='"1"')
    call("patch", f"/api/v1/tasks/{task['id']}", {"priority": 2}, status=409, HTTP_IF_MATCH='"1"')
    call("post", "/api/v1/tasks", {"project_id": project["id"], "title": "B", "tags": ["x"]}, 201)
    call("post", f"/api/v1/tasks/{task['id']}/move", {"section_id": None}, HTTP_IF_MATCH='"2"')
    call(
        "post",
        f"/api/v1/tasks/{task['id']}/move",
        {"section_id": section["id"]},
        409,
        HTTP_IF_MATCH='"2"',
    )
    call("post", f"/api/v1/tasks/{task['id']}/move", {"before_id": 0}, status=409)
    call("post", f"/api/v1/tasks/{task['id']}/move", {"section_id": 0}, status=400)
    call("post", f"/api/v1/tasks/{task['id']}/comments", {"body": "@bob thanks"}, status=201)
    call("get", f"/api/v1/tasks/{task['id']}/comments")
    call("get", "/api/v1/requests", {"box": "waiting"})
    request = WorkRequest.objects.get(task_id=task["id"])
    call("get", f"/api/v1/requests/{request.pk}")
    bob_api = token_client(bob)
    call("post", f"/api/v1/requests/{request.pk}/acknowledge", {}, client=bob_api)
    call("post", f"/api/v1/requests/{request.pk}/answer", {"answer": "Done"}, client=bob_api)
    with time_machine.travel(NOW, tick=False):
        call(
            "post",
            f"/api/v1/tasks/{task['id']}/requests",
            {"assignee_id": bob.pk, "message": "Again"},
            status=201,
        )
    call("delete", f"/api/v1/tasks/{task['id']}", status=204)
    call("delete", f"/api/v1/sections/{section['id']}", status=204)
    call("delete", f"/api/v1/projects/{project['id']}", status=204)

    # Error answers follow the documented error schema too.
    private = make_project(team=team, owner=alice, visibility=Visibility.PRIVATE)
    call("get", f"/api/v1/projects/{private.pk}", status=404, client=token_client(charlie))
    call("get", "/api/v1/tasks", {"assignee": "x"}, status=400)
    call("get", "/api/v1/tasks", status=401, client=Client())
    hidden = services.do_create_task(alice, private, title="Hidden")
    call("post", f"/api/v1/tasks/{hidden.pk}/comments", {"body": ""}, status=400)
    call("post", "/api/v1/tasks", {"title": "No project"}, status=422)


def test_schema_check_catches_a_wrong_body(document):
    wrong = JsonResponse({"id": "one", "email": "a@example.com"})
    with pytest.raises(AssertionError, match="full_name"):
        assert_matches_schema(document, "get", "/api/v1/me", wrong)
    undocumented = JsonResponse({"detail": "x"}, status=418)
    with pytest.raises(AssertionError, match="418 is not documented"):
        assert_matches_schema(document, "get", "/api/v1/me", undocumented)
