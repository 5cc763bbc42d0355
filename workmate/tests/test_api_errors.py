"""The API's errors: one JSON shape in the reader's language for everything under /api/
(schema errors, broken rules, unknown addresses, wrong methods, oversized bodies,
crashes), the JSON index at /api/v1/, and values the database cannot hold refused with a
4xx instead of a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from workmate.desk.models import Ticket
from workmate.testing.factories import make_project, make_task, make_ticket
from workmate.testing.openapi import token_client
from workmate.work import services
from workmate.work.models import Project, Task

JSON = "application/json"
HUGE = "99999999999999999999"


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def api(alice):
    return token_client(alice)


def assert_error(response, status: int) -> dict:
    """The response is the API's error shape: JSON with a message in `detail`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"detail", "errors", "current_version"}
    return body


# --- The index and errors Django answers around the API --------------------------------


def test_api_root_is_a_json_index(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["openapi"] == "/api/v1/openapi.json"
    assert body["docs"] == "/api/docs"
    assert body["resources"]["tasks"] == "/api/v1/tasks"
    for path in body["resources"].values():
        # Every resource it names exists (401 without a token, not 404).
        assert client.get(path).status_code == 401


def test_unknown_address_and_wrong_method_answer_json(api):
    # Django answers these before the token is read: the browser's language counts.
    missing = assert_error(api.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en"), 404)
    wrong = api.put("/api/v1/projects", HTTP_ACCEPT_LANGUAGE="en")

    assert "nothing at this address" in missing["detail"]
    assert "PUT is not allowed here" in assert_error(wrong, 405)["detail"]
    assert set(wrong["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_an_oversized_body_is_413_json_and_writes_nothing(api, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"project_id": project.pk, "title": "Big", "description": "x" * 2000}

    response = api.post("/api/v1/tasks", json.dumps(body), content_type=JSON)

    assert "too large" in assert_error(response, 413)["detail"]
    assert not Task.objects.exists()


def test_a_crash_answers_json_500(alice, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "get_project_for_user", crash)
    client = token_client(alice)
    client.raise_request_exception = False

    body = assert_error(client.get("/api/v1/projects/1"), 500)

    assert "went wrong on our side" in body["detail"]
    assert "boom" not in body["detail"]


def test_bad_json_is_400_json(api):
    response = api.post("/api/v1/tasks", "{not json", content_type=JSON)

    assert assert_error(response, 400)["detail"] == "The body is not valid JSON."


# --- One shape, in the reader's language ------------------------------------------------


def test_schema_errors_name_the_field_in_the_persons_language(alice, project):
    english = token_client(alice).post(
        "/api/v1/tasks", {"project_id": "x", "title": "t" * 301}, content_type=JSON
    )
    alice.language = "ko"
    alice.save(update_fields=["language"])
    korean = token_client(alice).post(
        "/api/v1/tasks", {"project_id": "x", "title": "t" * 301}, content_type=JSON
    )

    assert assert_error(english, 422)["errors"] == {
        "project_id": ["Give a whole number."],
        "title": ["At most 300 characters."],
    }
    assert assert_error(korean, 422)["errors"] == {
        "project_id": ["정수를 입력하세요."],
        "title": ["300자까지 입력할 수 있습니다."],
    }
    assert (
        korean.json()["detail"]
        == "project_id: 정수를 입력하세요. title: 300자까지 입력할 수 있습니다."
    )
    # A broken rule (400) comes in the same shape and language.
    blank = token_client(alice).post(
        "/api/v1/tasks", {"project_id": project.pk, "title": " "}, content_type=JSON
    )
    assert assert_error(blank, 400)["errors"] == {"title": ["작업 제목을 입력하세요."]}
    assert not Task.objects.exists()


def test_query_errors_name_the_parameter(api):
    response = api.get("/api/v1/tasks", {"limit": 500, "status": "later"})

    errors = assert_error(response, 422)["errors"]
    assert errors["limit"] == ["Give at most 200."]
    assert errors["status"] == ["Choose one of 'open', 'in_progress', 'waiting', 'done'."]


def test_no_token_is_401_json_in_the_browsers_language():
    response = Client(headers={"Accept-Language": "ko"}).get("/api/v1/projects")

    assert assert_error(response, 401)["detail"] == (
        "개인 API 토큰을 “Authorization: Bearer wm_…” 헤더로 보내세요."
    )


# --- Control characters ------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_control_characters_in_a_body_are_refused_and_nothing_saved(api, project, character):
    create = api.post(
        "/api/v1/tasks", {"project_id": project.pk, "title": f"a{character}b"}, content_type=JSON
    )
    rename = api.patch(
        f"/api/v1/projects/{project.pk}", {"description": f"x{character}"}, content_type=JSON
    )
    tags = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "ok", "tags": ["fine", f"bad{character}"]},
        content_type=JSON,
    )

    assert "control character" in assert_error(create, 400)["errors"]["title"][0]
    assert "description" in assert_error(rename, 400)["errors"]
    assert "tags.1" in assert_error(tags, 400)["errors"]
    assert not Task.objects.exists()
    project.refresh_from_db()
    assert project.description == ""


def test_control_characters_in_the_query_are_refused(api, alice):
    for path, params in [
        ("/api/v1/tasks", {"q": "a\x00b"}),
        ("/api/v1/desk/tickets", {"assignee": "\x00"}),
        ("/api/v1/projects", {"cursor": "\x01"}),
    ]:
        body = assert_error(api.get(path, params), 400)
        assert "U+00" in body["detail"]


def test_tabs_and_line_breaks_are_text(api, project):
    response = api.post(
        "/api/v1/tasks",
        {"project_id": project.pk, "title": "Plan", "description": "a\tb\r\nc\nd"},
        content_type=JSON,
    )

    assert response.status_code == 201, response.content
    assert Task.objects.get().description == "a\tb\r\nc\nd"


def test_pages_refuse_control_characters_in_the_query_and_in_forms(client, project, alice):
    client.force_login(alice)

    search = client.get("/work/projects/", {"q": "a\x00b"})
    settings_post = client.post(
        f"/work/projects/{project.pk}/settings/",
        {"name": "Migration", "description": "bell\x07", "visibility": "team", "colour": "#1f5eff"},
    )

    for response in (search, settings_post):
        assert response.status_code == 400
        page = response.content.decode()
        assert "What you sent contains a control character (U+00" in page
        assert '<main id="main"' in page
        # The page passed through the other middleware: the usual security headers.
        assert response.has_header("Content-Security-Policy")
        assert response["X-Frame-Options"] == "DENY"
    project.refresh_from_db()
    assert project.description == ""


# --- Values the database cannot hold -------------------------------------------------------


@pytest.mark.parametrize("parameter", ["project", "section", "assignee"])
def test_task_filters_out_of_range_are_4xx(api, project, parameter):
    response = api.get("/api/v1/tasks", {parameter: HUGE})

    assert assert_error(response, 422 if parameter != "assignee" else 400)["errors"][parameter]


def test_ids_out_of_range_in_paths_and_bodies_are_422(api, project):
    task = make_task(project=project)
    assert_error(api.get(f"/api/v1/projects/{HUGE}"), 422)
    assert_error(api.get(f"/api/v1/tasks/{HUGE}/comments"), 422)
    moved = api.post(f"/api/v1/tasks/{task.pk}/move", {"section_id": int(HUGE)}, content_type=JSON)
    assert assert_error(moved, 422)["errors"] == {"section_id": [f"Give at most {2**63 - 1}."]}


@pytest.mark.parametrize("parameter", ["customer", "assignee"])
def test_desk_filters_out_of_range_are_4xx(api, parameter):
    response = api.get("/api/v1/desk/tickets", {parameter: HUGE})

    assert parameter in assert_error(response, 422 if parameter == "customer" else 400)["errors"]


def test_a_moment_before_the_calendar_starts_is_422(api):
    response = api.get("/api/v1/desk/tickets", {"updated_since": "0001-01-01T00:00:00"})

    errors = assert_error(response, 422)["errors"]
    assert errors == {"updated_since": ["This moment is out of range."]}


def test_reply_minutes_beyond_a_day_are_422(api, customer_a, contact_a):
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    response = api.post(
        f"/api/v1/desk/tickets/{ticket.pk}/replies",
        json.dumps({"body": "Done", "minutes": 1e20}),
        content_type=JSON,
    )

    assert "minutes" in assert_error(response, 422)["errors"]
    assert Ticket.objects.get().entries.count() == ticket.entries.count()


def test_null_for_fields_that_hold_no_null_is_422(api, project):
    task = make_task(project=project, description="Keep")
    cases = [
        ("post", "/api/v1/tasks", {"project_id": project.pk, "title": "N", "description": None}),
        ("patch", f"/api/v1/tasks/{task.pk}", {"description": None}),
        ("patch", f"/api/v1/tasks/{task.pk}", {"status": None}),
        ("patch", f"/api/v1/projects/{project.pk}", {"description": None}),
        ("patch", f"/api/v1/projects/{project.pk}", {"icon": None}),
        ("patch", f"/api/v1/projects/{project.pk}", {"name": None}),
    ]
    for method, path, body in cases:
        response = getattr(api, method)(path, body, content_type=JSON)
        field = next(iter(body.keys() - {"project_id", "title"}))
        assert list(assert_error(response, 422)["errors"]) == [field]
    task.refresh_from_db()
    project.refresh_from_db()
    assert (task.description, Task.objects.count()) == ("Keep", 1)
    assert (project.name, project.icon) == ("Migration", Project.objects.get().icon)


def test_a_moment_with_an_offset_postgresql_refuses_is_read_in_utc(api, customer_a, contact_a):
    # PostgreSQL takes offsets up to ±15:59 only ("time zone displacement out of range").
    ticket = make_ticket(customer=customer_a, requester=contact_a)

    response = api.get("/api/v1/desk/tickets", {"updated_since": "1999-12-27T03:42:34+17:39"})

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["items"]] == [ticket.pk]
