"""Test helpers for the JSON API: a client holding a personal token, and checks of the
API's answers against the response schemas of its own OpenAPI document."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpResponse
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from workmate.accounts.api import do_create_api_token
from workmate.accounts.models import User

SCHEMA_URL = "/api/v1/openapi.json"


def token_client(user: User) -> Client:
    """A test client that sends a fresh personal API token of `user` on every request."""
    _token, secret = do_create_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def fetch_schema(client: Client) -> dict[str, Any]:
    """The served OpenAPI document, checked to be a valid OpenAPI 3 document."""
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200, response.content
    document = response.json()
    validate_spec(document)
    return document


def _operation_path(document: dict[str, Any], path: str) -> str:
    """The templated path (`/api/v1/tasks/{task_id}`) that a concrete path matches."""
    path = path.split("?")[0]
    for template in document["paths"]:
        pattern = "^" + re.sub(r"\{[^/]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def assert_matches_schema(
    document: dict[str, Any], method: str, path: str, response: HttpResponse
) -> None:
    """Fail unless the response's status is documented for the operation and its JSON body
    validates against the documented schema (with `#/components/...` resolved)."""
    operation = document["paths"][_operation_path(document, path)][method.lower()]
    responses = operation["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method} {path}: {status} is not documented"
    content = responses[status].get("content")
    if content is None:
        assert not response.content, f"{method} {path}: undocumented body"
        return
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    body = json.loads(response.content)
    errors = sorted(validator.iter_errors(body), key=lambda e: str(list(e.path)))
    assert not errors, f"{method} {path}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors
    )
