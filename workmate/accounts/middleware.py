from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class PersonalLocaleMiddleware:
    """Show a signed-in person the app in their own language and time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            profile = getattr(user, "profile", None)
            if profile is not None:
                timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
