"""Library pages: the spaces, a space's home with its page tree, and pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.library import services
from workmate.library.collation import korean_order
from workmate.library.models import Space


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Every space the viewer may read, with how many pages it has and how many need review."""
    today = services.today()
    spaces = (
        Space.objects.visible_to(request.user)
        .select_related("team")
        .annotate(
            page_count=Count("pages"),
            review_count=Count(
                "pages",
                filter=Q(pages__trust_state="needs_review") | Q(pages__verified_until__lt=today),
            ),
        )
        .order_by(korean_order("name"), "pk")
    )
    return render(request, "library/home.html", {"spaces": spaces})


@login_required
@require_safe
def space(request: HttpRequest, key: str) -> HttpResponse:
    space = services.get_space_for_user(request.user, key)
    return render(request, "library/space.html", {"space": space})


@login_required
@require_safe
def page(request: HttpRequest, pk: int) -> HttpResponse:
    page = services.get_page_for_user(request.user, pk)
    return render(request, "library/page.html", {"page": page, "space": page.space})
