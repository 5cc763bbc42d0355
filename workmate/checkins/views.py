"""Check-in pages: my check-ins, answering one, a check-in's team page, setting one up
(leads) and searching past answers."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.checkins import services
from workmate.checkins.forms import AnswerForm, CheckinForm, SearchForm
from workmate.checkins.models import Checkin, CheckinResponse
from workmate.work.forms import add_service_errors

HISTORY_PAGE_SIZE = 20
SEARCH_PAGE_SIZE = 30

# --- Mine ------------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The viewer's open check-in forms, their teams' check-ins and what they sent."""
    user = request.user
    rows = CheckinResponse.objects.filter(person=user).select_related("checkin", "checkin__team")
    history = Paginator(
        rows.submitted().order_by("-occurrence", "-pk"), HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "open_forms": list(rows.waiting().order_by("occurrence", "pk")),
        "history": history,
        "checkins": list(
            Checkin.objects.of_teams_of(user).select_related("team").order_by("team__code", "title")
        ),
        "leads_a_team": bool(services.teams_led_by(user)),
    }
    return render(request, "checkins/mine.html", context)


# --- Answering -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    response = services.get_response_for_user(request.user, pk)
    if request.method == "POST" and not response.is_submitted:
        form = AnswerForm(request.POST, questions=response.questions)
        if form.is_valid():
            try:
                services.do_submit_response(request.user, response, form.answers())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your check-in is sent."))
                return redirect("checkins:mine")
    else:
        initial = services.initial_answers(response)
        form = AnswerForm(
            questions=response.questions,
            initial={f"answer_{index}": text for index, text in enumerate(initial)},
        )
    status = 400 if form.is_bound else 200
    context = {"response": response, "checkin": response.checkin, "form": form}
    return render(request, "checkins/answer.html", context, status=status)


# --- The team page ---------------------------------------------------------------------


def _chosen_day(
    request: HttpRequest, checkin: Checkin, days: list[datetime.date]
) -> datetime.date | None:
    """The asked date when it has answers (older than the date links too), else the latest."""
    try:
        asked = parse_date(request.GET.get("on", ""))
    except ValueError:
        asked = None  # A well-formed but impossible date, like 2025-02-30.
    if asked is not None and (
        asked in days or CheckinResponse.objects.filter(checkin=checkin, occurrence=asked).exists()
    ):
        return asked
    return days[0] if days else None


@login_required
@require_safe
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """Every answer of one occurrence and who has not answered yet; `?on=` picks the date."""
    checkin = services.get_checkin_for_user(request.user, pk)
    days = services.occurrences_of(checkin)
    day = _chosen_day(request, checkin, days)
    context = {
        "checkin": checkin,
        "days": days,
        "day": day,
        "view": services.occurrence_view(checkin, day) if day else None,
    }
    if request.htmx:
        return render(request, "checkins/partials/_answers.html", context)
    context["can_manage"] = services.can_manage(request.user, checkin)
    return render(request, "checkins/team.html", context)


# --- Setting up (leads) ----------------------------------------------------------------


def _form_fields(form: CheckinForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "questions": data["questions"],
        "frequency": data["frequency"],
        "weekday": data.get("weekday"),
        "time_of_day": data["time_of_day"],
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    services.check_can_create(request.user)
    teams = services.teams_led_by(request.user)
    form = CheckinForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = services.do_create_checkin(
                request.user, form.cleaned_data["team"], **_form_fields(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The check-in is set up."))
            return redirect("checkins:team", pk=checkin.pk)
    status = 400 if form.is_bound else 200
    return render(request, "checkins/form.html", {"form": form, "checkin": None}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = services.get_checkin_for_user(request.user, pk)
    services.check_can_manage(request.user, checkin)
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if form.is_valid():
            try:
                services.do_update_checkin(request.user, checkin, **_form_fields(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("checkins:team", pk=checkin.pk)
    else:
        form = CheckinForm(
            initial={
                "title": checkin.title,
                "questions": "\n".join(checkin.questions),
                "frequency": checkin.frequency,
                "weekday": checkin.weekday,
                "time_of_day": checkin.time_of_day,
            }
        )
    status = 400 if form.is_bound else 200
    return render(request, "checkins/form.html", {"form": form, "checkin": checkin}, status=status)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = services.get_checkin_for_user(request.user, pk)
    services.do_pause_checkin(request.user, checkin)
    messages.success(request, _("The check-in is paused; nobody is asked until you resume it."))
    return redirect("checkins:team", pk=checkin.pk)


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = services.get_checkin_for_user(request.user, pk)
    services.do_resume_checkin(request.user, checkin)
    messages.success(request, _("The check-in is running again from its next occurrence."))
    return redirect("checkins:team", pk=checkin.pk)


# --- Search ----------------------------------------------------------------------------


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Past answers in the viewer's teams' check-ins, by person and date range."""
    form = SearchForm(request.GET or None, people=services.colleagues_of(request.user))
    if form.is_bound and not form.is_valid():
        rows = CheckinResponse.objects.none()
    else:
        filters = form.cleaned_data if form.is_bound else {}
        rows = services.search_responses(
            request.user,
            person=filters.get("person"),
            since=filters.get("since"),
            until=filters.get("until"),
        )
    page = Paginator(rows, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if request.htmx:
        return render(request, "checkins/partials/_results.html", context)
    return render(request, "checkins/search.html", context)
