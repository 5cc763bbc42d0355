"""The outermost middleware: a request id for every request, and its count and time."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from workmate.ops import metrics, requestid


class RequestObservationMiddleware:
    """Give the request an id (the caller's X-Request-ID when sane, else a new one) that
    every log line and enqueued job carries and the response returns; count the request
    by view name and status, and time it, for /metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = requestid.from_header(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        # Cleared when the response is closed (request_finished, workmate/ops/apps.py),
        # not here: Django logs a 4xx or 5xx answer after the middleware has returned.
        requestid.current.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        match = request.resolver_match
        # The URL's name, never the path: one series per page, not one per ticket number.
        view = (match.view_name or match._func_path) if match else "<unmatched>"
        elapsed = time.perf_counter() - started
        metrics.observe(view, request.method or "", response.status_code, elapsed)
        return response
