"""The private calendar feed and the page where a person turns it on, resets or deletes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from workmate.inbox import calendar


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself. No log-in: calendar apps fetch it with the secret address alone."""
    feed = calendar.get_feed_by_token(token)
    response = HttpResponse(
        calendar.build_feed(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="workmate.ics"'
    # The document is one person's: no shared cache may keep it.
    response["Cache-Control"] = "private, max-age=300"
    return response


@never_cache
@login_required
@require_safe
def calendar_settings(request: HttpRequest) -> HttpResponse:
    feed = calendar.feed_of(request.user)
    context = {
        "feed": feed,
        "feed_url": calendar.feed_url(feed) if feed else "",
        "webcal_url": calendar.webcal_url(feed) if feed else "",
    }
    return render(request, "inbox/calendar.html", context)


@login_required
@require_POST
def create_calendar_feed(request: HttpRequest) -> HttpResponse:
    calendar.do_create_calendar_feed(request.user)
    messages.success(request, _("Your calendar address is ready. Add it to your calendar app."))
    return redirect("inbox:calendar")


@login_required
@require_POST
def reset_calendar_feed(request: HttpRequest) -> HttpResponse:
    calendar.do_reset_calendar_feed(request.user)
    messages.success(
        request,
        _("Your calendar has a new address; the old one no longer works. Subscribe again."),
    )
    return redirect("inbox:calendar")


@login_required
@require_POST
def delete_calendar_feed(request: HttpRequest) -> HttpResponse:
    if calendar.do_delete_calendar_feed(request.user):
        messages.success(request, _("Your calendar feed is turned off."))
    return redirect("inbox:calendar")
