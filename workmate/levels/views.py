"""Levels pages: my level, the ladder (and its editing by executives), a person's ledger,
glue work and its confirmation, the brag document, a team's totals."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import Membership, User
from workmate.levels import ladder_seed, services
from workmate.levels.forms import (
    BragFilterForm,
    ConfirmForm,
    CurateForm,
    ExpectationForm,
    GlueForm,
    LedgerFilterForm,
    LevelTextForm,
    SetLevelForm,
)
from workmate.levels.models import (
    ConfirmationState,
    Expectation,
    LadderVersion,
    Level,
    LevelChange,
    PersonLevel,
)
from workmate.work.forms import add_service_errors

LEDGER_PAGE_SIZE = 50
VERSIONS_PAGE_SIZE = 30


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _level_context(person: User) -> dict:
    """A person's level and its history, with the current ladder's names for them."""
    level = PersonLevel.objects.filter(person=person).first()
    version = LadderVersion.objects.current()
    titles: dict[tuple[str, int], str] = {}
    tracks: dict[str, str] = {}
    flavours: dict[str, str] = {}
    if version is not None:
        tracks = {t.code: t.name for t in version.tracks.all()}
        flavours = {f.code: f.name for f in version.flavours.all()}
        titles = {
            (lv.track.code, lv.number): lv.title
            for lv in Level.objects.filter(track__version=version).select_related("track")
        }
    history = list(LevelChange.objects.filter(person=person).select_related("changed_by"))
    for change in [*history, *([level] if level else [])]:
        change.track_name = tracks.get(change.track_code, change.track_code)
        change.title = titles.get((change.track_code, change.number), "")
        change.flavour_name = flavours.get(change.flavour_code, change.flavour_code)
    return {"level": level, "history": history}


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's own level and its history, and the way to everything else."""
    user = request.user
    context = {
        **_level_context(user),
        "person": user,
        "teams": list(services.teams_for_viewer(user).order_by("code")),
        "to_confirm": services.confirmations_asked_of(user)
        .filter(state=ConfirmationState.ASKED)
        .count(),
        "is_executive": services.is_executive(user),
        "has_ladder": LadderVersion.objects.exists(),
    }
    return render(request, "levels/home.html", context)


# --- The ladder ------------------------------------------------------------------------


@login_required
@require_safe
def ladder(request: HttpRequest) -> HttpResponse:
    """The ladder (current or an earlier version), one track at a time, in one flavour."""
    version = services.get_version(_int(request.GET.get("version")))
    view = None
    if version is not None:
        view = services.ladder_view(
            version, request.GET.get("track", ""), request.GET.get("flavour", "")
        )
    current = LadderVersion.objects.current()
    context = {
        "view": view,
        "is_current": version is not None and current is not None and version.pk == current.pk,
        "is_executive": services.is_executive(request.user),
    }
    if request.htmx:
        return render(request, "levels/partials/_ladder.html", context)
    return render(request, "levels/ladder.html", context)


@login_required
@require_safe
def ladder_versions(request: HttpRequest) -> HttpResponse:
    versions = Paginator(
        LadderVersion.objects.select_related("published_by").order_by("-number"),
        VERSIONS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "levels/versions.html", {"versions": versions})


@login_required
@require_POST
def ladder_start(request: HttpRequest) -> HttpResponse:
    """An executive publishes the MSP ladder as the first version."""
    services.check_executive(request.user)
    ladder_seed.seed_msp_ladder(request.user)
    return redirect("levels:ladder")


def _cell(request: HttpRequest, version: LadderVersion):
    """The (level, competency, flavour) an edit link points at, in the current version."""
    track_code = request.GET.get("track", "")
    number = _int(request.GET.get("level"))
    level = (
        Level.objects.filter(track__version=version, track__code=track_code, number=number)
        .select_related("track")
        .first()
    )
    if level is None:
        raise Http404("No such level.")
    return level


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_expectation(request: HttpRequest) -> HttpResponse:
    services.check_executive(request.user)
    version = LadderVersion.objects.current()
    if version is None:
        raise Http404("No ladder.")
    level = _cell(request, version)
    competency = version.competencies.filter(code=request.GET.get("competency", "")).first()
    flavour_code = request.GET.get("flavour", "")
    flavour = version.flavours.filter(code=flavour_code).first() if flavour_code else None
    if competency is None or (flavour_code and flavour is None):
        raise Http404("No such cell.")
    existing = Expectation.objects.filter(
        level=level, competency=competency, flavour=flavour
    ).first()
    if request.method == "POST":
        form = ExpectationForm(request.POST)
        if form.is_valid():
            try:
                services.do_edit_expectation(
                    request.user,
                    track_code=level.track.code,
                    number=level.number,
                    competency_code=competency.code,
                    flavour_code=flavour_code,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Published as a new version of the ladder."))
                query = f"?track={level.track.code}" + (
                    f"&flavour={flavour_code}" if flavour else ""
                )
                return redirect(reverse("levels:ladder") + query + f"#level-{level.number}")
    else:
        initial = {"text_en": existing.text_en, "text_ko": existing.text_ko} if existing else {}
        form = ExpectationForm(initial=initial)
    context = {"form": form, "level": level, "competency": competency, "flavour": flavour}
    return render(request, "levels/edit_expectation.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_level(request: HttpRequest) -> HttpResponse:
    services.check_executive(request.user)
    version = LadderVersion.objects.current()
    if version is None:
        raise Http404("No ladder.")
    level = _cell(request, version)
    if request.method == "POST":
        form = LevelTextForm(request.POST)
        if form.is_valid():
            try:
                services.do_edit_level(
                    request.user,
                    track_code=level.track.code,
                    number=level.number,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Published as a new version of the ladder."))
                return redirect(
                    reverse("levels:ladder") + f"?track={level.track.code}#level-{level.number}"
                )
    else:
        form = LevelTextForm(
            initial={
                "title_en": level.title_en,
                "title_ko": level.title_ko,
                "summary_en": level.summary_en,
                "summary_ko": level.summary_ko,
            }
        )
    return render(request, "levels/edit_level.html", {"form": form, "level": level})


# --- People ----------------------------------------------------------------------------


def _set_level_form(data=None) -> SetLevelForm:
    version = LadderVersion.objects.current()
    tracks = [(t.code, t.name) for t in version.tracks.all()] if version else []
    flavours = [(f.code, f.name) for f in version.flavours.all()] if version else []
    return SetLevelForm(data, tracks=tracks, flavours=flavours)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's level and history (for them, their leads, executives); executives set it."""
    who = services.get_person_for_viewer(request.user, pk)
    is_executive = services.is_executive(request.user)
    form = None
    if is_executive:
        form = _set_level_form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        services.check_executive(request.user)
        assert form is not None
        if form.is_valid():
            try:
                services.do_set_level(
                    request.user,
                    who,
                    track_code=form.cleaned_data["track"],
                    number=form.cleaned_data["number"],
                    flavour_code=form.cleaned_data["flavour"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Level recorded."))
                return redirect("levels:person", pk=who.pk)
    context = {**_level_context(who), "person": who, "form": form}
    return render(request, "levels/person.html", context)


# --- The ledger ------------------------------------------------------------------------


def _decorate(entries, names: dict[str, str]) -> None:
    """What the entry template shows without further queries: the competency's name and
    the glue confirmation (a missing reverse one-to-one raises instead of giving None)."""
    for entry in entries:
        entry.competency_name = names.get(entry.competency, entry.competency)
        entry.confirmation_or_none = getattr(entry, "confirmation", None)


def _ledger(request: HttpRequest, who: User) -> HttpResponse:
    competencies = services.competency_choices()
    filters = LedgerFilterForm(request.GET or None, competencies=competencies)
    rows = services.ledger_entries(who)
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            rows = rows.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["competency"]:
            rows = rows.filter(competency=filters.cleaned_data["competency"])
    page = Paginator(rows.order_by("-occurred_at", "-id"), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _decorate(page.object_list, dict(competencies))
    own = who.pk == request.user.pk
    context = {
        "person": who,
        "own": own,
        "page": page,
        "filters": filters,
        "counts": services.kind_counts(who),
        "competencies": competencies,
        "competency_names": dict(competencies),
    }
    return render(request, "levels/ledger.html", context)


@login_required
@require_safe
def my_ledger(request: HttpRequest) -> HttpResponse:
    return _ledger(request, request.user)


@login_required
@require_safe
def person_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    return _ledger(request, services.get_person_for_viewer(request.user, pk))


@login_required
@require_POST
def curate(request: HttpRequest, pk: int) -> HttpResponse:
    """Star, hide, re-file or annotate one of one's own entries (htmx: the row again)."""
    entry = services.get_entry_for_viewer(request.user, pk)
    services.check_own_entry(request.user, entry)
    competencies = services.competency_choices()
    form = CurateForm(request.POST, competencies=competencies)
    error = ""
    if form.is_valid():
        try:
            services.do_curate_entry(request.user, entry, **form.changes())
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
    if request.htmx:
        entry = services.ledger_entries(request.user).get(pk=entry.pk)
        _decorate([entry], dict(competencies))
        context = {
            "entry": entry,
            "own": True,
            "competencies": competencies,
            "competency_names": dict(competencies),
            "error": error,
        }
        return render(request, "levels/partials/_entry.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or reverse("levels:ledger"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def add_glue(request: HttpRequest) -> HttpResponse:
    competencies = services.competency_choices()
    form = GlueForm(request.POST or None, actor=request.user, competencies=competencies)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_glue(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added to your ledger."))
            return redirect("levels:ledger")
    return render(request, "levels/glue.html", {"form": form})


@login_required
@require_safe
def confirmations(request: HttpRequest) -> HttpResponse:
    rows = services.confirmations_asked_of(request.user).order_by("-asked_at", "-pk")
    page = Paginator(rows, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "levels/confirmations.html", {"page": page})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.get_confirmation_for(request.user, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_answer_confirmation(
                request.user,
                item,
                confirmed=request.POST.get("answer") == "confirm",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you, your answer was sent."))
            return redirect("levels:confirmations")
    return render(request, "levels/confirmation.html", {"item": item, "form": form})


# --- The brag document -----------------------------------------------------------------


def _brag_context(request: HttpRequest, who: User) -> dict:
    form = BragFilterForm(request.GET or None)
    since = until = None
    starred_only = True
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        starred_only = not form.cleaned_data["all"]
    groups = services.brag_groups(who, since=since, until=until, starred_only=starred_only)
    own = who.pk == request.user.pk
    return {"person": who, "own": own, "form": form, "groups": groups, "starred_only": starred_only}


def _brag_person(request: HttpRequest, pk: int | None) -> User:
    return request.user if pk is None else services.get_person_for_viewer(request.user, pk)


@login_required
@require_safe
def brag(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    who = _brag_person(request, pk)
    return render(request, "levels/brag.html", _brag_context(request, who))


@login_required
@require_safe
def brag_print(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    who = _brag_person(request, pk)
    return render(request, "levels/brag_print.html", _brag_context(request, who))


@login_required
@require_safe
def brag_markdown(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    who = _brag_person(request, pk)
    context = _brag_context(request, who)
    body = services.brag_markdown(who, context["groups"], settings.SITE_URL)
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="brag-document.md"'
    return response


# --- Teams -----------------------------------------------------------------------------


@login_required
@require_safe
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's members (by name, no numbers beside them) and the team's totals."""
    the_team = services.get_team_for_viewer(request.user, pk)
    members = list(
        Membership.objects.filter(team=the_team, user__is_active=True)
        .select_related("user", "user__level")
        .order_by("user__full_name", "user_id")
    )
    context = {"team": the_team, "members": members, "totals": services.team_totals(the_team)}
    return render(request, "levels/team.html", context)
