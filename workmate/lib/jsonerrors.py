"""The API's one error shape, for errors raised in a route and for those Django answers
before or around it (unknown address, wrong method, a crash).

Every error under /api/ is `{"detail": "<message>", "errors": {"<field>": ["<message>"]}}`
(`errors` only when fields are to blame), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# The Swagger page is HTML on purpose.
HTML_PAGES = frozenset({"/api/docs"})


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) and request.path not in HTML_PAGES


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return body


def status_message(status: int, request: HttpRequest, response: HttpResponse) -> str:
    """What a bare error status means, said for someone calling the API."""
    if status == 404:
        return _("There is nothing at this address, or you may not see it.")
    if status == 405:
        return _("%(method)s is not allowed here; use %(allowed)s.") % {
            "method": request.method,
            "allowed": response.get("Allow", "") or "—",
        }
    if status == 403:
        return _("You may not do that.")
    if status == 401:
        return _("Send a personal API token as “Authorization: Bearer wm_…”.")
    if status == 413:
        return _("The request is too large.")
    if status == 503:
        return _("The service is briefly unavailable; try again after the Retry-After seconds.")
    if status >= 500:
        return _("Something went wrong on our side. It has been logged; please try again.")
    return _("The request could not be understood.")


class ApiJsonErrorsMiddleware:
    """Turn any error answer under /api/ that is not JSON (Django's 404 page, a 405 with
    no body, the 500 page, the CSRF failure page) into the API's JSON shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            body = error_body(status_message(response.status_code, request, response))
            replaced = JsonResponse(body, status=response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response
