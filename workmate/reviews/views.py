"""Review cycle pages: the list, opening and closing, a participant's review, writing a
competency, feedback requests and answers, and calibration per team.

Each view fetches through an access helper of `services` (404 for whoever may not see)
and calls one service function; the API (`reviews/api.py`) calls the same ones.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workmate.accounts.models import Membership, Team, User
from workmate.levels.models import LedgerEntry, PersonLevel
from workmate.reviews import services
from workmate.reviews.forms import (
    AnswerForm,
    CalibrateForm,
    FeedbackRequestForm,
    LevelForm,
    NarrativeForm,
    OpenCycleForm,
)
from workmate.reviews.models import (
    MAX_PEERS,
    MIN_PEERS,
    AssessmentItem,
    FeedbackRequest,
    Participant,
    ReviewCycle,
    SelfReviewItem,
)
from workmate.work.forms import add_service_errors

# How many ledger entries a competency's picker lists (newest first, plus those cited).
PICKER_LIMIT = 200


# --- The list ----------------------------------------------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = list(
        Participant.objects.filter(person=user)
        .select_related("cycle", "team")
        .order_by("-cycle__opened_at", "-pk")
    )
    asked = list(
        FeedbackRequest.objects.filter(colleague=user)
        .select_related("participant__person", "participant__cycle")
        .order_by("answered_at", "reply_by", "pk")[:50]
    )
    cycles = list(services.visible_cycles(user).order_by("-opened_at", "-pk")[:30])
    return render(
        request,
        "reviews/home.html",
        {
            "mine": mine,
            "asked": asked,
            "cycles": cycles,
            "is_executive": services.is_executive(user),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_cycle(request: HttpRequest) -> HttpResponse:
    if not services.is_executive(request.user):
        raise Http404
    form = OpenCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.do_open_cycle(
                request.user,
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                teams=list(data["teams"]),
                days=services.CycleDays(
                    data["self_days"],
                    data["feedback_days"],
                    data["assessment_days"],
                    data["calibration_days"],
                ),
                share_on=data["share_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cycle is open; participants were told."))
            return redirect("reviews:cycle", cycle.pk)
    return render(request, "reviews/open.html", {"form": form})


@login_required
@require_safe
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cycle = services.get_cycle_for_user(user, pk)
    participants = Participant.objects.filter(cycle=cycle).select_related("person", "team")
    if not services.is_executive(user):
        participants = participants.filter(
            Q(person=user) | Q(team_id__in=services.led_team_ids(user))
        )
    # Alphabetical by team and name, whatever anyone did: no ranking.
    participants = participants.order_by("team__code", "person__full_name", "pk")
    return render(
        request,
        "reviews/cycle.html",
        {
            "cycle": cycle,
            "participants": list(participants),
            "teams": services.calibration_teams(user, cycle),
            "is_executive": services.is_executive(user),
            "step": cycle.step(),
        },
    )


@login_required
@require_POST
def close_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = services.get_cycle_for_user(request.user, pk)
    try:
        services.do_close_cycle(request.user, cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The cycle is closed. Results are shared on the set date."))
    return redirect("reviews:cycle", cycle.pk)


# --- A participant's review ----------------------------------------------------------------


def _participant_context(request: HttpRequest, participant: Participant) -> dict:
    user = request.user
    cycle = participant.cycle
    competencies = services.competencies_of(cycle)
    is_person = participant.person_id == user.pk
    can_assess = services.can_assess(user, participant)
    requests = list(
        participant.feedback_requests.select_related("colleague").order_by("created_at", "pk")
    )
    editable = not cycle.is_closed
    context = {
        "participant": participant,
        "cycle": cycle,
        "sections": services.review_sections(user, participant, competencies),
        "is_person": is_person,
        "can_assess": can_assess,
        "requests": requests,
        "min_peers": MIN_PEERS,
        "max_peers": MAX_PEERS,
        "can_write_self": is_person and editable and participant.self_submitted_at is None,
        "can_ask": is_person and editable and len(requests) < MAX_PEERS,
        "shared": cycle.results_shared(),
        "editable": editable,
        "current_level": PersonLevel.objects.filter(person=participant.person).first(),
    }
    if context["can_ask"]:
        context["ask_form"] = FeedbackRequestForm(colleagues=_colleagues(participant))
    if can_assess and editable:
        context["propose_form"] = LevelForm(
            levels=_levels(cycle), initial={"level": participant.proposed_level_id}
        )
    return context


def _colleagues(participant: Participant):
    """Who can be asked: active people in a team, not the person, not asked already."""
    return (
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.values("user"),
        )
        .exclude(pk=participant.person_id)
        .exclude(pk__in=participant.feedback_requests.values("colleague"))
        .order_by("full_name")
    )


def _levels(cycle: ReviewCycle):
    from workmate.levels.models import Level

    return (
        Level.objects.filter(track__version_id=cycle.ladder_version_id)
        .select_related("track")
        .order_by("track__position", "track__code", "number")
    )


@login_required
@require_safe
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    return render(request, "reviews/participant.html", _participant_context(request, participant))


def _picker(owner: User, cycle: ReviewCycle, code: str, cited: list[int], everything: bool):
    """The ledger entries offered to cite for one competency: the owner's, in the cycle's
    period, of that competency (or all with `everything`), newest first, plus those cited."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(cycle.period_start, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        cycle.period_end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    rows = LedgerEntry.objects.filter(
        person=owner, hidden=False, occurred_at__gte=start, occurred_at__lt=end
    )
    if not everything:
        rows = rows.filter(competency=code)
    ids = list(rows.order_by("-occurred_at", "-id").values_list("pk", flat=True)[:PICKER_LIMIT])
    return LedgerEntry.objects.filter(pk__in=set(ids) | set(cited)).order_by("-occurred_at", "-id")


def _write(request: HttpRequest, participant: Participant, code: str, *, assessing: bool):
    cycle = participant.cycle
    try:
        services.check_competency(cycle, code)
    except ValidationError as error:
        raise Http404 from error
    competency = next(c for c in services.competencies_of(cycle) if c.code == code)
    model = AssessmentItem if assessing else SelfReviewItem
    item = model.objects.filter(participant=participant, competency=code).first()
    cited = list(item.entries.values_list("pk", flat=True)) if item else []
    everything = request.GET.get("all") == "1"
    choices = _picker(participant.person, cycle, code, cited, everything)
    initial = {"body": item.body if item else "", "entries": cited}
    form = NarrativeForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        save = services.do_save_assessment if assessing else services.do_save_self_review
        try:
            save(
                request.user,
                participant,
                competency=code,
                body=form.cleaned_data["body"],
                entry_ids=[entry.pk for entry in form.cleaned_data["entries"]],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("reviews:participant", participant.pk)
    return render(
        request,
        "reviews/write.html",
        {
            "participant": participant,
            "cycle": cycle,
            "competency": competency,
            "form": form,
            "assessing": assessing,
            "everything": everything,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def write_self(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    if participant.person_id != request.user.pk:
        raise Http404
    if participant.cycle.is_closed or participant.self_submitted_at is not None:
        messages.error(request, _("This self review can no longer be changed."))
        return redirect("reviews:participant", participant.pk)
    return _write(request, participant, code, assessing=False)


@login_required
@require_http_methods(["GET", "POST"])
def write_assessment(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    if not services.can_assess(request.user, participant):
        raise Http404
    if participant.cycle.is_closed:
        messages.error(request, _("This review cycle is closed; nothing in it can be changed."))
        return redirect("reviews:participant", participant.pk)
    return _write(request, participant, code, assessing=True)


def _post_back(request: HttpRequest, participant: Participant, action, success: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("reviews:participant", participant.pk)


@login_required
@require_POST
def submit_self(request: HttpRequest, pk: int) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    return _post_back(
        request,
        participant,
        lambda: services.do_submit_self_review(request.user, participant),
        _("Your self review was sent to your lead."),
    )


@login_required
@require_POST
def ask_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    form = FeedbackRequestForm(request.POST, colleagues=User.objects.filter(is_active=True))
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(errors))
        return redirect("reviews:participant", participant.pk)
    return _post_back(
        request,
        participant,
        lambda: services.do_request_feedback(
            request.user,
            participant,
            colleague=form.cleaned_data["colleague"],
            message=form.cleaned_data["message"],
        ),
        _("Asked. They have until the reply-by, in their own working days."),
    )


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    form = LevelForm(request.POST, levels=_levels(participant.cycle))
    level_id = form.cleaned_data["level"].pk if form.is_valid() else None
    return _post_back(
        request,
        participant,
        lambda: services.do_propose_level(request.user, participant, level_id),
        _("Level proposed for calibration."),
    )


# --- Feedback asked of a colleague -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    feedback_request = services.get_feedback_request_for_user(user, pk)
    participant = feedback_request.participant
    cycle = participant.cycle
    competencies = services.competencies_of(cycle)
    answering = (
        feedback_request.colleague_id == user.pk
        and feedback_request.answered_at is None
        and not cycle.is_closed
    )
    form = AnswerForm(request.POST or None, competencies=competencies) if answering else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            answers = [
                services.AnswerIn(
                    c.code,
                    form.cleaned_data[f"answer_{c.code}"],
                    form.cleaned_data[f"lead_only_{c.code}"],
                )
                for c in competencies
            ]
            try:
                services.do_answer_feedback(user, feedback_request, answers)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your feedback was sent."))
                return redirect("reviews:feedback", feedback_request.pk)
    names = {c.code: c.name for c in competencies}
    answers = [
        (names.get(answer.competency, answer.competency), answer)
        for answer in services.visible_answers(user, feedback_request)
    ]
    return render(
        request,
        "reviews/feedback.html",
        {
            "request_": feedback_request,
            "participant": participant,
            "cycle": cycle,
            "form": form,
            "answers": answers,
            "is_colleague": feedback_request.colleague_id == user.pk,
        },
    )


# --- Calibration -------------------------------------------------------------------------


@login_required
@require_safe
def calibration(request: HttpRequest, pk: int, team: str) -> HttpResponse:
    """One team's people in a cycle, each with the proposed level beside the narratives and
    the evidence they cite. Alphabetical by name; no counts, no scores, no sorting by
    anything people did."""
    user = request.user
    cycle = services.get_cycle_for_user(user, pk)
    chosen = next((t for t in services.calibration_teams(user, cycle) if t.code == team), None)
    if chosen is None:
        raise Http404
    entries = Prefetch("entries", queryset=LedgerEntry.objects.order_by("-occurred_at", "-id"))
    participants = list(
        Participant.objects.filter(cycle=cycle, team=chosen)
        .select_related("person", "proposed_level__track", "final_level__track", "proposed_by")
        .prefetch_related(
            Prefetch("self_items", queryset=SelfReviewItem.objects.prefetch_related(entries)),
            Prefetch("assessment_items", queryset=AssessmentItem.objects.prefetch_related(entries)),
        )
        .order_by("person__full_name", "pk")
    )
    levels_now = {
        row.person_id: row
        for row in PersonLevel.objects.filter(person__in=[p.person_id for p in participants])
    }
    competencies = services.competencies_of(cycle)
    names = {c.code: c.name for c in competencies}
    order = {c.code: i for i, c in enumerate(competencies)}
    level_rows = _levels(cycle)
    levels = list(level_rows)
    # Whether the viewer records final levels here: the team's lead or an executive, never
    # for themselves (what `services.can_assess` says, read once for the whole team).
    records = services.is_executive(user) or chosen.pk in services.led_team_ids(user)
    cards = []
    for participant in participants:
        selfs = {i.competency: i for i in participant.self_items.all()}
        assessed = {i.competency: i for i in participant.assessment_items.all()}
        codes = sorted(set(selfs) | set(assessed), key=lambda code: order.get(code, 99))
        rows = [(names.get(code, code), selfs.get(code), assessed.get(code)) for code in codes]
        form = None
        if not cycle.is_closed and records and participant.person_id != user.pk:
            form = CalibrateForm(
                levels=level_rows,
                initial={
                    "level": participant.final_level_id or participant.proposed_level_id,
                    "reason": participant.final_reason,
                },
                prefix=f"p{participant.pk}",
            )
            form.fields["level"].choices = [("", "---------")] + [
                (level.pk, f"{level.track.name} · L{level.number} {level.title}")
                for level in levels
            ]
        cards.append(
            {
                "participant": participant,
                "level_now": levels_now.get(participant.person_id),
                "rows": rows,
                "form": form,
            }
        )
    return render(
        request,
        "reviews/calibration.html",
        {"cycle": cycle, "team": chosen, "cards": cards},
    )


@login_required
@require_POST
def calibrate(request: HttpRequest, pk: int) -> HttpResponse:
    participant = services.get_participant_for_user(request.user, pk)
    cycle = participant.cycle
    form = CalibrateForm(request.POST, levels=_levels(cycle), prefix=f"p{participant.pk}")
    form.is_valid()
    level = form.cleaned_data.get("level")
    try:
        services.do_calibrate(
            request.user,
            participant,
            level_id=level.pk if level else None,
            reason=request.POST.get(f"p{participant.pk}-reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Final level recorded for %(name)s.") % {"name": participant.person}
        )
    team: Team = participant.team
    return redirect("reviews:calibration", cycle.pk, team.code)
