"""Levels pages: my level, the ladder, a ledger, the brag document."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.levels.models import LevelChange, PersonLevel


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's own level and its history."""
    user = request.user
    context = {
        "level": PersonLevel.objects.filter(person=user).first(),
        "history": list(LevelChange.objects.filter(person=user).select_related("changed_by")),
    }
    return render(request, "levels/home.html", context)
