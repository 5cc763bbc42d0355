"""The one NinjaAPI: mounts each app's router and turns raised errors into JSON."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.openapi.views import openapi_view
from ninja.parser import Parser
from ninja.security import django_auth

from workmate.accounts.api import TokenAuth
from workmate.accounts.api import router as accounts_router
from workmate.advisor.api import router as advisor_router
from workmate.automation.api import router as automation_router
from workmate.desk.api import router as desk_router
from workmate.inbox.api import router as inbox_router
from workmate.levels.api import router as levels_router
from workmate.lib.jsonerrors import error_body
from workmate.lib.textinput import find_in_data, find_in_querydict, refusal
from workmate.library.api import router as library_router
from workmate.library.services import StaleEdit
from workmate.pipeline.api import router as pipeline_router
from workmate.reviews.api import router as reviews_router
from workmate.search.api import router as search_router
from workmate.success.api import router as success_router
from workmate.voice.api import router as voice_router
from workmate.webhooks.api import router as webhooks_router
from workmate.work.api import ErrorOut
from workmate.work.api import router as work_router
from workmate.work.services import VersionConflict


class TextParser(Parser):
    """Ninja's parser, refusing text with control characters (`workmate.lib.textinput`)
    in the JSON body, the query string and form fields: a 400 naming the field."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if found := find_in_data(data):
            raise ValidationError({found[0]: refusal(*found)})
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        if found := find_in_querydict(data):
            raise ValidationError({found[0]: refusal(*found)})
        return super().parse_querydict(data, list_fields, request)


# The status ninja gives whatever reading the body raised (`from` the cause).
BODY_UNREADABLE = 400

# Where a schema error happened: not part of the field's name.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def schema_error_field(item: dict[str, Any]) -> str:
    """The field a pydantic error is about: `title`, `tags.2`; the body itself as `body`."""
    loc = [str(part) for part in item.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        source, loc = loc[0], loc[1:]
    else:
        source = "body"
    # Ninja puts a body or query schema under its parameter's name (`payload`, `filters`).
    if len(loc) > 1 and source in {"body", "query", "form"}:
        loc = loc[1:]
    return ".".join(loc) or source


def schema_error_message(item: dict[str, Any]) -> str:
    """A pydantic error said in the reader's language, for the error types a client meets."""
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_type", "string_sub_type"}:
        return _("Give text.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind == "string_pattern_mismatch":
        return _("This is not in the expected form.")
    if kind in {"int_parsing", "int_type", "int_from_float", "int_parsing_size"}:
        return _("Give a whole number.")
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return _("Give a number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Give true or false.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Give at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Give at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in {"enum", "literal_error"}:
        # Pydantic lists the choices as "'a', 'b' or 'c'": keep the values, drop its English.
        choices = str(ctx.get("expected", "")).replace(" or ", ", ")
        return _("Choose one of %(choices)s.") % {"choices": choices}
    if kind.startswith("date") and "datetime" not in kind:
        return _("Give a date like 2026-03-31.")
    if kind.startswith(("datetime", "timezone")):
        return _("Give a date and time like 2026-03-31T09:00:00+09:00.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Give a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Give an object.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind == "value_error" and "error" in ctx:
        # Our own validators raise messages that are already translated.
        return str(ctx["error"])
    return _("This value is not valid.")


DESCRIPTION = """
Workmate's JSON API.

**Authentication.** Send a personal API token (make one on your profile page) as
`Authorization: Bearer wm_…`. In the browser your signed-in session works too; writes
then need the CSRF token.

**Errors** are JSON in one shape, in your language (your profile's, or `Accept-Language`):
`{"detail": "what went wrong", "errors": {"field": ["message", …]}}`, with `errors` when
fields are to blame. 400 a rule was broken or text holds a control character (only tab
and line breaks are accepted), 401 no or bad token, 403 not allowed, 404 not found or not
visible to you, 405 wrong method, 409 version conflict, 413 body too large, 422 the
request does not match the schema (a missing field, a wrong type, a number out of range).

**Lists** are cursor-paginated: pass the `next_cursor` of one page as `cursor` to get the
next; `limit` is 50 by default and at most 200. A `null` `next_cursor` is the last page.

**Optimistic concurrency.** A task's `version` is in its body and in the `ETag` header.
Send it back as `If-Match: "3"` with a PATCH, DELETE or move: when the task has changed
since, you get 409 with the `current_version` and nothing is written. Without `If-Match`
the last write wins.

**Deleting a project archives it** (owner or team lead only): its tasks stay readable.

**Desk** (`/desk/…`) is for support agents (people in a team); anyone else gets 403.
Customers' contacts are not Workmate users and have no API tokens: they use the portal and
e-mail, which never show internal notes. A ticket's `ETag` works with `If-Match` as a
task's version does. Send an `Idempotency-Key` with `POST /desk/tickets`: a retry with the
same key and body answers with the first ticket (200) instead of opening another; the same
key with another body gets 422. A ticket carries its `sla` (the target its badge is about,
when it falls due, its state and the business minutes left) and its `escalation`;
`POST /desk/tickets/{id}/escalation` brings in the customer's LE or SE, who finds it with
`queue=escalated`. `/desk/suspended-mail` lists the mail held back as automatic; each can
be made a ticket, released to triage or dismissed once (409 after).

**Library** (`/library/…`): spaces and their pages. A page's `ETag` is its current
revision's number; `PUT`/`PATCH` of a page and restoring a revision need it as `If-Match`
(428 without it, 409 with a stale one, nothing written). A private space and its pages
are 404 to non-members.

**Success** (`/success/…`): customer accounts (read, health with every input), meetings,
feedback (route it, answer it) and themes, for SE, leads and executives (LE reads). An
item's `internal_note` is for colleagues; contacts have no API and never see it.
"""

api = NinjaAPI(
    title="Workmate API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    # The docs live at /api/docs (see `docs` below); the schema at /api/v1/openapi.json.
    docs_url=None,
    parser=TextParser(),
)
api.add_router("/", accounts_router)
api.add_router("/", work_router)
api.add_router("/voice/", voice_router)
api.add_router("/inbox/", inbox_router)
api.add_router("/desk/", desk_router)
api.add_router("/library/", library_router)
api.add_router("/pipeline/", pipeline_router)
api.add_router("/levels/", levels_router)
api.add_router("/reviews/", reviews_router)
api.add_router("/advisor/", advisor_router)
api.add_router("/automation/", automation_router)
api.add_router("/success/", success_router)
api.add_router("/", search_router)
api.add_router("/webhooks/", webhooks_router)


def document_common_errors() -> None:
    """List in every operation's responses the errors any of them can give, so the schema
    (and a client generated from it) knows them: 400 (a control character in the text,
    an unreadable body), 422 (the request does not match the schema), 401 (no token) for
    those that need one, 413 for those that take a body. What only some operations answer
    (403, 404, 409) each lists itself."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                common = {}
                if operation.models:
                    common |= {400: ErrorOut, 422: ErrorOut}
                if operation.auth_param is not None:  # NOT_SET: the API's token or session
                    common[401] = ErrorOut
                if set(operation.methods) & {"POST", "PUT", "PATCH"}:
                    common[413] = ErrorOut
                for status, schema in common.items():
                    operation.response_models.setdefault(
                        status, operation._create_response_model(schema)
                    )


document_common_errors()

# Swagger UI for the schema, served at /api/docs by workmate/urls.py.
docs = partial(openapi_view, api=api)


class ApiIndex(Schema):
    name: str
    version: str
    openapi: str
    docs: str
    resources: dict[str, str]


@api.get("/", auth=None, response=ApiIndex, summary="What this API offers", tags=["index"])
def index(request: HttpRequest) -> dict[str, Any]:
    """Where the schema, the docs and the main lists are; no token needed."""
    root = reverse("api:api-root")
    return {
        "name": "Workmate API",
        "version": api.version,
        "openapi": reverse("api:openapi-json"),
        "docs": reverse("api_docs"),
        "resources": {
            "me": f"{root}me",
            "projects": f"{root}projects",
            "tasks": f"{root}tasks",
            "requests": f"{root}requests",
            "proposals": f"{root}voice/proposals",
            "notifications": f"{root}inbox/notifications",
            "tickets": f"{root}desk/tickets",
            "suspended_mail": f"{root}desk/suspended-mail",
            "library_spaces": f"{root}library/spaces",
            "pocs": f"{root}pipeline/pocs",
            "ladder": f"{root}levels/ladder",
            "my_ledger": f"{root}levels/me/ledger",
            "assessments": f"{root}advisor/assessments",
        },
    }


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    detail = str(error) or _("You may not do that.")
    return api.create_response(request, error_body(detail), status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
    else:
        errors = {"__all__": list(error.messages)}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return api.create_response(request, error_body(detail, errors), status=400)


@api.exception_handler(SchemaError)
def schema_error(request: HttpRequest, error: SchemaError) -> HttpResponse:
    """A request that does not match the schema: 422, each message in the reader's
    language under the field it is about (as the 400 of a broken rule)."""
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        errors.setdefault(schema_error_field(item), []).append(schema_error_message(item))
    detail = " ".join(
        f"{field}: {message}" for field, messages in errors.items() for message in messages
    )
    return api.create_response(request, error_body(detail, errors), status=422)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    detail = _("There is nothing at this address, or you may not see it.")
    return api.create_response(request, error_body(detail), status=404)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    detail = _("Send a personal API token as “Authorization: Bearer wm_…”.")
    return api.create_response(request, error_body(detail), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    cause = error.__cause__ if error.status_code == BODY_UNREADABLE else None
    # Ninja wraps whatever reading the body raised in a 400 "Cannot parse request body".
    if isinstance(cause, ValidationError):
        return validation_error(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return request_too_big(request, cause)
    if isinstance(cause, ValueError):
        detail = _("The body is not valid JSON.")
        return api.create_response(request, error_body(detail), status=400)
    return api.create_response(request, error_body(str(error)), status=error.status_code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    detail = _("The request is too large: at most %(size)s.") % {
        "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }
    return api.create_response(request, error_body(detail), status=413)


@api.exception_handler(VersionConflict)
def version_conflict(request: HttpRequest, error: VersionConflict) -> HttpResponse:
    body = {
        **error_body(_("The task changed since you read it; nothing was saved.")),
        "current_version": error.current.version,
    }
    return api.create_response(request, body, status=409)


@api.exception_handler(StaleEdit)
def stale_page(request: HttpRequest, error: StaleEdit) -> HttpResponse:
    """A page saved from a revision that is no longer its current one (If-Match)."""
    current = error.current.number if error.current else 0
    body = {
        **error_body(
            _(
                "The page changed since you read it (it is now at revision %(number)s); "
                "nothing was saved."
            )
            % {"number": current}
        ),
        "current_version": current,
    }
    return api.create_response(request, body, status=409)
