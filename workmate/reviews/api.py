"""The reviews API, for participants: their cycles, their self review, the feedback they
ask and are asked for; and pay: the open bands and one's own pay, nothing else.

Leads assess and calibrate on the pages. No route here returns anyone's pay but the
caller's own (`GET /reviews/pay/me`, audited like the page); no route takes a person's id
for pay. Each route goes through the same access helpers and services as the pages.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from workmate.accounts.models import User
from workmate.lib.apitypes import Id
from workmate.reviews import payroll, services
from workmate.reviews.models import (
    FeedbackRequest,
    Participant,
    PayScale,
    PayViewVia,
)
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, ErrorOut

router = Router(tags=["reviews"])


# --- Schemas ---------------------------------------------------------------------------


class ReviewCycleOut(Schema):
    id: int
    name: str
    period_start: datetime.date
    period_end: datetime.date
    self_due: datetime.datetime
    feedback_due: datetime.datetime
    assessment_due: datetime.datetime
    calibration_due: datetime.datetime
    share_on: datetime.date
    closed: bool
    step: str


class ReviewParticipationOut(Schema):
    id: int
    cycle: ReviewCycleOut
    team: str
    self_submitted_at: datetime.datetime | None


class ReviewItemOut(Schema):
    competency: str
    body: str
    entries: list[int]


class ReviewFeedbackRequestOut(Schema):
    id: int
    colleague: str
    reply_by: datetime.datetime
    answered: bool


class ReviewAnswerOut(Schema):
    competency: str
    body: str
    colleague: str | None = Field(None, description="Who wrote it; null on shared results.")


class ReviewResultOut(Schema):
    final_level: str | None
    reason: str
    assessments: list[ReviewItemOut]
    feedback: list[ReviewAnswerOut]


class ReviewParticipationDetailOut(ReviewParticipationOut):
    competencies: list[str]
    self_review: list[ReviewItemOut]
    feedback_requests: list[ReviewFeedbackRequestOut]
    result: ReviewResultOut | None = Field(
        None, description="Once the cycle is closed and its share date has come."
    )


class ReviewItemIn(Schema):
    body: str = Field("", max_length=services.BODY_MAX_LENGTH)
    entries: list[Id] = Field(default_factory=list, max_length=200)


class ReviewFeedbackRequestIn(Schema):
    colleague_id: Id
    message: str = Field(..., max_length=services.BODY_MAX_LENGTH)


class ReviewAskedOut(Schema):
    id: int
    person: str
    cycle: str
    message: str
    reply_by: datetime.datetime
    answered_at: datetime.datetime | None
    competencies: list[str]
    answers: list[ReviewAnswerOut]


class ReviewAnswerIn(Schema):
    competency: str = Field(..., max_length=32)
    body: str = Field(..., max_length=services.BODY_MAX_LENGTH)
    lead_only: bool = False


class ReviewAnswersIn(Schema):
    answers: list[ReviewAnswerIn] = Field(..., max_length=50)


class PayBandOut(Schema):
    track: str
    level: int
    base: int
    steps: list[int]


class PayBandsOut(Schema):
    effective_from: datetime.date | None
    currency: str | None
    unit: int | None
    step_factors: list[str]
    bands: list[PayBandOut]


class OwnSalaryOut(Schema):
    amount: int
    track: str
    level: int
    step: int
    effective_from: datetime.date


class OwnPayOut(Schema):
    current: OwnSalaryOut | None
    proposed: OwnSalaryOut | None
    history: list[OwnSalaryOut]


# --- Helpers ---------------------------------------------------------------------------


def _cycle_out(participant: Participant) -> dict[str, Any]:
    cycle = participant.cycle
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "period_start": cycle.period_start,
        "period_end": cycle.period_end,
        "self_due": cycle.self_due,
        "feedback_due": cycle.feedback_due,
        "assessment_due": cycle.assessment_due,
        "calibration_due": cycle.calibration_due,
        "share_on": cycle.share_on,
        "closed": cycle.is_closed,
        "step": cycle.step(),
    }


def _participation_out(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.pk,
        "cycle": _cycle_out(participant),
        "team": participant.team.code,
        "self_submitted_at": participant.self_submitted_at,
    }


def _own_participation(user: User, pk: int) -> Participant:
    """The API is for participants: their own review only (leads use the pages)."""
    participant = services.get_participant_for_user(user, pk)
    if participant.person_id != user.pk:
        raise Http404
    return participant


def _items(items) -> list[dict[str, Any]]:
    return [
        {
            "competency": item.competency,
            "body": item.body,
            "entries": sorted(entry.pk for entry in item.entries.all()),
        }
        for item in items
    ]


def _detail(user: User, participant: Participant) -> dict[str, Any]:
    cycle = participant.cycle
    out = _participation_out(participant)
    out["competencies"] = [c.code for c in services.competencies_of(cycle)]
    out["self_review"] = _items(participant.self_items.prefetch_related("entries"))
    out["feedback_requests"] = [
        {
            "id": r.pk,
            "colleague": r.colleague.full_name,
            "reply_by": r.reply_by,
            "answered": r.answered_at is not None,
        }
        for r in participant.feedback_requests.select_related("colleague").order_by("pk")
    ]
    out["result"] = None
    if cycle.results_shared():
        level = participant.final_level
        out["result"] = {
            "final_level": str(level) if level else None,
            "reason": participant.final_reason,
            "assessments": _items(participant.assessment_items.prefetch_related("entries")),
            "feedback": [
                {"competency": view.competency.code, "body": answer.body, "colleague": None}
                for view in services.review_sections(
                    user, participant, services.competencies_of(cycle)
                )
                for _request, answer in view.answers
            ],
        }
    return out


def _salary_out(row) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "amount": row.amount,
        "track": row.track_code,
        "level": row.number,
        "step": row.step,
        "effective_from": row.effective_from,
    }


# --- Routes: review cycles ---------------------------------------------------------------


@router.get("/participations", response={200: list[ReviewParticipationOut], 401: ErrorOut})
def list_participations(request: HttpRequest) -> list[dict[str, Any]]:
    """The cycles you take part in, newest first."""
    rows = (
        Participant.objects.filter(person=request.auth)
        .select_related("cycle", "team")
        .order_by("-cycle__opened_at", "-pk")
    )
    return [_participation_out(row) for row in rows]


@router.get(
    "/participations/{participation_id}",
    response={200: ReviewParticipationDetailOut, **READ_ERRORS},
)
def get_participation(request: HttpRequest, participation_id: Id) -> dict[str, Any]:
    """Your review in one cycle; its result once shared."""
    return _detail(request.auth, _own_participation(request.auth, participation_id))


# Before the {competency} route: Django tries paths in order, and "submit" would be
# taken for a competency there (and answered 405, that route being PUT only).
@router.post(
    "/participations/{participation_id}/self-review/submit",
    response={200: ReviewParticipationOut, **WRITE_ERRORS},
)
def submit_self_review(request: HttpRequest, participation_id: Id) -> dict[str, Any]:
    """Send your self review to your lead (after asking at least two colleagues)."""
    participant = _own_participation(request.auth, participation_id)
    return _participation_out(services.do_submit_self_review(request.auth, participant))


@router.put(
    "/participations/{participation_id}/self-review/{competency}",
    response={200: ReviewItemOut, **WRITE_ERRORS},
)
def put_self_item(
    request: HttpRequest, participation_id: Id, competency: str, payload: ReviewItemIn
) -> dict[str, Any]:
    """Write one competency of your self review, citing your own ledger entries by id
    (an entry that is not yours is refused with 400, and nothing is saved)."""
    participant = _own_participation(request.auth, participation_id)
    item = services.do_save_self_review(
        request.auth,
        participant,
        competency=competency,
        body=payload.body,
        entry_ids=payload.entries,
    )
    return _items([item])[0]


@router.post(
    "/participations/{participation_id}/feedback-requests",
    response={201: ReviewFeedbackRequestOut, **WRITE_ERRORS},
)
def ask_feedback(
    request: HttpRequest, participation_id: Id, payload: ReviewFeedbackRequestIn
) -> Status[dict[str, Any]]:
    """Ask a colleague for feedback (2–5 per cycle; not yourself, only colleagues in the
    company); the reply-by is in their own working days."""
    participant = _own_participation(request.auth, participation_id)
    colleague = User.objects.filter(pk=payload.colleague_id).first()
    asked = services.do_request_feedback(
        request.auth, participant, colleague=colleague, message=payload.message
    )
    return Status(
        201,
        {
            "id": asked.pk,
            "colleague": asked.colleague.full_name,
            "reply_by": asked.reply_by,
            "answered": False,
        },
    )


def _asked_out(user: User, asked: FeedbackRequest) -> dict[str, Any]:
    cycle = asked.participant.cycle
    return {
        "id": asked.pk,
        "person": asked.participant.person.full_name,
        "cycle": cycle.name,
        "message": asked.message,
        "reply_by": asked.reply_by,
        "answered_at": asked.answered_at,
        "competencies": [c.code for c in services.competencies_of(cycle)],
        "answers": [
            {"competency": a.competency, "body": a.body, "colleague": asked.colleague.full_name}
            for a in services.visible_answers(user, asked)
        ],
    }


def _asked_of_me(user: User, pk: int) -> FeedbackRequest:
    asked = services.get_feedback_request_for_user(user, pk)
    if asked.colleague_id != user.pk:
        raise Http404
    return asked


@router.get("/feedback-requests", response={200: list[ReviewAskedOut], 401: ErrorOut})
def list_asked(request: HttpRequest) -> list[dict[str, Any]]:
    """Feedback asked of you: open ones first, by reply-by."""
    rows = (
        FeedbackRequest.objects.filter(colleague=request.auth)
        .select_related("participant__person", "participant__cycle", "colleague")
        .order_by("answered_at", "reply_by", "pk")[:100]
    )
    return [_asked_out(request.auth, row) for row in rows]


@router.get("/feedback-requests/{request_id}", response={200: ReviewAskedOut, **READ_ERRORS})
def get_asked(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    return _asked_out(request.auth, _asked_of_me(request.auth, request_id))


@router.post(
    "/feedback-requests/{request_id}/answers", response={200: ReviewAskedOut, **WRITE_ERRORS}
)
def answer_asked(request: HttpRequest, request_id: Id, payload: ReviewAnswersIn) -> dict[str, Any]:
    """Answer per competency, once; `lead_only` answers never reach the person."""
    asked = _asked_of_me(request.auth, request_id)
    services.do_answer_feedback(
        request.auth,
        asked,
        [services.AnswerIn(a.competency, a.body, a.lead_only) for a in payload.answers],
    )
    asked.refresh_from_db()
    return _asked_out(request.auth, asked)


# --- Routes: pay -------------------------------------------------------------------------


@router.get("/pay/bands", response={200: PayBandsOut, 401: ErrorOut})
def pay_bands(request: HttpRequest) -> dict[str, Any]:
    """The published formula and every band: open to every employee."""
    scale = PayScale.objects.current()
    return {
        "effective_from": scale.effective_from if scale else None,
        "currency": scale.currency if scale else None,
        "unit": scale.unit if scale else None,
        "step_factors": [str(f) for f in scale.factors] if scale else [],
        "bands": [
            {"track": row.track_code, "level": row.number, "base": row.base, "steps": row.amounts}
            for row in payroll.band_table(scale)
        ],
    }


@router.get("/pay/me", response={200: OwnPayOut, 401: ErrorOut})
def my_pay(request: HttpRequest) -> dict[str, Any]:
    """Your own pay (the only individual pay in the API); the read is audited."""
    read = payroll.read_salary(request.auth, request.auth, via=PayViewVia.API, path=request.path)
    return {
        "current": _salary_out(read.current),
        "proposed": _salary_out(read.proposal),
        "history": [_salary_out(row) for row in read.history],
    }
