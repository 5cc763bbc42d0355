"""Advisor pages: the list of assessments and one assessment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workmate.advisor import access


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    access.check_can_use_advisor(request.user)
    assessments = access.visible_assessments(request.user).select_related("customer", "architect")
    return render(request, "advisor/home.html", {"assessments": assessments})


@login_required
@require_safe
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_assessment_for_user(request.user, pk)
    return render(request, "advisor/assessment.html", {"assessment": obj})
