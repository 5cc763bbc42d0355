"""Error pages in the reader's language, with the site's header and a way back.

The portal (customer contacts, not staff) gets its own header and sends people back to
their tickets; everyone else goes back to the home page. The 500 page is rendered from a
plain context: whatever broke (the database, a context processor) must not break it too.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.urls import reverse
from django.utils.translation import get_language


def _is_portal(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("portal:tickets"))


def _context(request: HttpRequest) -> dict:
    if _is_portal(request):
        return {
            "base": "desk/portal/base.html",
            "portal": True,
            "back_url": reverse("portal:tickets"),
        }
    return {"base": "base.html", "portal": False, "back_url": reverse("home")}


def _page(request: HttpRequest, template: str, status: int, **extra: object) -> HttpResponse:
    if _is_portal(request) and not hasattr(request, "contact"):
        # An address no portal view answers: still the signed-in contact's header and language.
        from workmate.desk.portal_auth import activate_language, get_contact

        contact = get_contact(request)
        if contact is not None:
            request.contact = contact  # type: ignore[attr-defined]
            activate_language(request, contact)
    body = loader.render_to_string(template, {**_context(request), **extra}, request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A PermissionDenied raised with a message for the reader (e.g. "Only leads can do
    # this.") says why; Django's own 403s carry no message.
    message = str(exception) if exception is not None and exception.args else ""
    return _page(request, "403.html", 403, message=message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


# Seconds a client is asked to wait when the database is away (a restart, a fail-over).
DATABASE_AWAY_RETRY_AFTER = 30


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: context processors may query the database that just failed.
    context = {**_context(request), "LANGUAGE_CODE": get_language() or "en"}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        # The database cannot be reached (or dropped the connection): a passing fault,
        # not a bug. 503 with Retry-After tells browsers, clients and the load balancer
        # to come back; Django calls this handler inside its `except`, so the error is
        # still at hand.
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(DATABASE_AWAY_RETRY_AFTER)
        return response
    return HttpResponse(loader.render_to_string("500.html", context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, cookies off): say what to do."""
    return _page(request, "403_csrf.html", 403, no_cookie=reason == REASON_NO_CSRF_COOKIE)
