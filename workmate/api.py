"""The one NinjaAPI: mounts each app's router and turns raised errors into JSON."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view
from ninja.security import django_auth

from workmate.accounts.api import TokenAuth
from workmate.accounts.api import router as accounts_router
from workmate.desk.api import router as desk_router
from workmate.inbox.api import router as inbox_router
from workmate.voice.api import router as voice_router
from workmate.work.api import router as work_router
from workmate.work.services import VersionConflict

DESCRIPTION = """
Workmate's JSON API.

**Authentication.** Send a personal API token (make one on your profile page) as
`Authorization: Bearer wm_…`. In the browser your signed-in session works too; writes
then need the CSRF token.

**Errors** are JSON with a `detail`: 401 no or bad token, 403 not allowed, 404 not found
or not visible to you, 409 version conflict, 400 a rule was broken (`errors` has the
messages per field), 422 the request does not match the schema.

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
key with another body gets 422.
"""

api = NinjaAPI(
    title="Workmate API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    # The docs live at /api/docs (see `docs` below); the schema at /api/v1/openapi.json.
    docs_url=None,
)
api.add_router("/", accounts_router)
api.add_router("/", work_router)
api.add_router("/voice/", voice_router)
api.add_router("/inbox/", inbox_router)
api.add_router("/desk/", desk_router)

# Swagger UI for the schema, served at /api/docs by workmate/urls.py.
docs = partial(openapi_view, api=api)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    detail = str(error) or _("You may not do that.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
    else:
        errors = {"__all__": list(error.messages)}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(VersionConflict)
def version_conflict(request: HttpRequest, error: VersionConflict) -> HttpResponse:
    body = {
        "detail": _("The task changed since you read it; nothing was saved."),
        "current_version": error.current.version,
    }
    return api.create_response(request, body, status=409)
