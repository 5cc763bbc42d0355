"""The search pages: the full results page (grouped, or one type with facets), the top
bar's quick search (an htmx fragment) and the portal's search over a contact's tickets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.desk.portal_auth import contact_required
from workmate.search import services
from workmate.search.models import Kind

QUICK_GROUP_SIZE = 3
# The facets the results page offers beside the type tabs: (label, qualifier to add).
FACETS = ["status:open", "status:closed", "assignee:me"]


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 6 else 1


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("type", "")
    return kind if kind in Kind.values else ""


@login_required
@require_safe
def results(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    kind = _kind(request)
    found = services.search(text, user=request.user, kind=kind, page=_page_number(request))
    context = {
        "q": text,
        "kind": kind,
        "found": found,
        "kinds": [
            (k, label, found.counts.get(k, 0), k in found.capped) for k, label in Kind.choices
        ],
        "facets": [f for f in FACETS if f not in text],
        "labels": dict(Kind.choices),
    }
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "search/partials/_results.html", context)
    return render(request, "search/results.html", context)


@login_required
@require_safe
def quick(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    found = services.search(text, user=request.user, group_size=QUICK_GROUP_SIZE)
    return render(
        request,
        "search/partials/_quick.html",
        {"q": text, "found": found},
    )


@contact_required
@require_safe
def portal(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    found = services.search(
        text,
        contact=request.contact,  # type: ignore[attr-defined]
        page=_page_number(request),
    )
    return render(request, "search/portal.html", {"q": text, "found": found})
