"""Review cycles: who may see and do what, and the one service per change.

Who sees a participant's review: the person, the leads of the participant's team and
executives. Who writes what: the person their self review and feedback requests; a
colleague asked for feedback their answers; the team's leads (never about themselves)
and executives the assessment, the proposed level and the calibrated final level; only
executives open and close cycles. Everyone else gets a 404, as if the review did not
exist. Pay has its own rules in `workmate/reviews/payroll.py`.

"Executive" here is the organisation role itself (`OrgRole.EXECUTIVE`): the staff role
and the admin flags administer the installation and see no reviews or pay.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workmate.accounts.models import CompanyDayOff, Membership, OrgRole, Team, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify, profile_of
from workmate.levels import ledger
from workmate.levels.models import (
    Competency,
    EntryKind,
    LadderVersion,
    LedgerEntry,
    Level,
    PersonLevel,
)
from workmate.lib.urls import reverse_ids
from workmate.lib.workcalendar import WorkingHours
from workmate.reviews.models import (
    MAX_PEERS,
    MIN_PEERS,
    AssessmentItem,
    FeedbackAnswer,
    FeedbackRequest,
    Participant,
    ReviewCycle,
    SelfReviewItem,
)
from workmate.reviews.schedule import feedback_reply_by, step_deadlines

# A feedback request gives the colleague this many of their own working days.
FEEDBACK_REPLY_DAYS = 5
BODY_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 2_000


# --- Roles -------------------------------------------------------------------------------


def is_executive(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.org_role == OrgRole.EXECUTIVE)


def led_team_ids(user: User) -> set[int]:
    return set(Membership.objects.leads().filter(user=user).values_list("team_id", flat=True))


def company_calendar() -> WorkingHours:
    """Cycle deadlines are the company's: Seoul, 09–18 on weekdays, KR holidays, days off."""
    import datetime as dt

    return WorkingHours(
        time_zone="Asia/Seoul",
        weekdays=frozenset(range(5)),
        start=dt.time(9),
        end=dt.time(18),
        holiday_country="KR",
        days_off=CompanyDayOff.objects.dates(),
    )


def is_in_company(user: User) -> bool:
    """A colleague: an active person who belongs to a team (customers' contacts are not
    users at all; a sign-in without a team is a guest, a former employee or a service)."""
    return user.is_active and Membership.objects.filter(user=user).exists()


# --- Access helpers ----------------------------------------------------------------------


def can_see_review(user: User, participant: Participant) -> bool:
    return (
        participant.person_id == user.pk
        or is_executive(user)
        or participant.team_id in led_team_ids(user)
    )


def can_assess(user: User, participant: Participant) -> bool:
    """The team's leads and executives, never about themselves."""
    if participant.person_id == user.pk:
        return False
    return is_executive(user) or participant.team_id in led_team_ids(user)


def check_can_assess(user: User, participant: Participant) -> None:
    if not can_assess(user, participant):
        raise PermissionDenied(_("Only the team's leads and executives assess a review."))


def participants_for(user: User) -> QuerySet[Participant]:
    return Participant.objects.select_related("cycle", "person", "team")


def get_participant_for_user(user: User, pk: int) -> Participant:
    participant = participants_for(user).filter(pk=pk).first()
    if participant is None or not can_see_review(user, participant):
        raise Http404
    return participant


def get_cycle_for_user(user: User, pk: int) -> ReviewCycle:
    """A cycle is seen by executives, by its participants and by leads of a team in it."""
    cycle = ReviewCycle.objects.filter(pk=pk).select_related("ladder_version").first()
    if cycle is None:
        raise Http404
    if is_executive(user):
        return cycle
    mine = Participant.objects.filter(cycle=cycle, person=user).exists()
    if mine or Participant.objects.filter(cycle=cycle, team_id__in=led_team_ids(user)).exists():
        return cycle
    raise Http404


def visible_cycles(user: User) -> QuerySet[ReviewCycle]:
    cycles = ReviewCycle.objects.all()
    if is_executive(user):
        return cycles
    involved = Participant.objects.filter(
        Q(person=user) | Q(team_id__in=led_team_ids(user))
    ).values("cycle")
    return cycles.filter(pk__in=involved)


def calibration_teams(user: User, cycle: ReviewCycle) -> list[Team]:
    """The teams of a cycle whose calibration `user` may see: all for executives, the
    teams they lead for leads."""
    team_ids = Participant.objects.filter(cycle=cycle).values("team")
    teams = Team.objects.filter(pk__in=team_ids).order_by("code")
    if is_executive(user):
        return list(teams)
    return list(teams.filter(pk__in=led_team_ids(user)))


def get_feedback_request_for_user(user: User, pk: int) -> FeedbackRequest:
    """The colleague asked, and whoever may assess the person; the person themselves only
    once the results are shared (and then only the answers not kept for the lead)."""
    request = (
        FeedbackRequest.objects.filter(pk=pk)
        .select_related("participant__cycle", "participant__person", "colleague")
        .first()
    )
    if request is None:
        raise Http404
    participant = request.participant
    if request.colleague_id == user.pk or can_assess(user, participant):
        return request
    if participant.person_id == user.pk and participant.cycle.results_shared():
        return request
    raise Http404


def visible_answers(user: User, request: FeedbackRequest) -> list[FeedbackAnswer]:
    """The answers of one request `user` may read (see `get_feedback_request_for_user`)."""
    answers = list(request.answers.all())
    participant = request.participant
    if request.colleague_id == user.pk or can_assess(user, participant):
        return answers
    if participant.person_id == user.pk and participant.cycle.results_shared():
        return [answer for answer in answers if not answer.lead_only]
    return []


def assessors_of(participant: Participant) -> list[User]:
    """Who assesses a participant: the team's leads other than them, else executives."""
    leads = [
        membership.user
        for membership in Membership.objects.leads()
        .filter(team_id=participant.team_id, user__is_active=True)
        .exclude(user_id=participant.person_id)
        .select_related("user")
    ]
    if leads:
        return leads
    return list(User.objects.filter(is_active=True, org_role=OrgRole.EXECUTIVE))


# --- The ladder as the cycle reads it ----------------------------------------------------


def competencies_of(cycle: ReviewCycle) -> list[Competency]:
    return list(Competency.objects.filter(version_id=cycle.ladder_version_id))


def levels_of(cycle: ReviewCycle) -> list[Level]:
    return list(
        Level.objects.filter(track__version_id=cycle.ladder_version_id)
        .select_related("track")
        .order_by("track__position", "track__code", "number")
    )


def check_competency(cycle: ReviewCycle, code: str) -> str:
    if not Competency.objects.filter(version_id=cycle.ladder_version_id, code=code).exists():
        raise ValidationError({"competency": _("This competency is not on the cycle's ladder.")})
    return code


def check_level(cycle: ReviewCycle, level_id: int | None) -> Level:
    level = (
        Level.objects.filter(pk=level_id, track__version_id=cycle.ladder_version_id)
        .select_related("track")
        .first()
        if level_id
        else None
    )
    if level is None:
        raise ValidationError({"level": _("Choose a level of the cycle's ladder.")})
    return level


def check_body(text: str, field: str = "body", *, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write something here.")})
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": BODY_MAX_LENGTH}})
    return text


def check_entries(owner: User, entry_ids: Iterable[int], *, field: str = "entries") -> list[int]:
    """Ledger entries cited as evidence: each must be `owner`'s; anything else is refused
    as a whole (nothing is half-cited)."""
    wanted = {int(pk) for pk in entry_ids}
    if not wanted:
        return []
    found = set(
        LedgerEntry.objects.filter(pk__in=wanted, person=owner).values_list("pk", flat=True)
    )
    if found != wanted:
        raise ValidationError(
            {field: _("Only entries of %(name)s's own ledger can be cited.") % {"name": owner}}
        )
    return sorted(found)


def _locked_participant(participant: Participant) -> Participant:
    """Re-read the participant and its cycle under a lock: the race is a cycle closing
    while someone saves (a closed cycle must not take a late write)."""
    locked = (
        Participant.objects.select_for_update()
        .select_related("cycle", "person", "team")
        .get(pk=participant.pk)
    )
    ReviewCycle.objects.select_for_update().filter(pk=locked.cycle_id).exists()
    locked.cycle.refresh_from_db(fields=["closed_at"])
    locked.cycle.check_open()
    return locked


def _title(text: str, **params: object):
    """A notification title said in each recipient's language (`notify` calls it so)."""

    def render() -> str:
        return _(text) % params

    return render


def participant_url(participant: Participant) -> str:
    return reverse_ids("reviews:participant", participant.pk)


# --- Opening and closing a cycle ---------------------------------------------------------


@dataclass(frozen=True)
class CycleDays:
    """Working days per step, each counted from the end of the one before."""

    self_review: int = 5
    feedback: int = 5
    assessment: int = 5
    calibration: int = 3

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.self_review, self.feedback, self.assessment, self.calibration)


@transaction.atomic
def do_open_cycle(
    actor: User,
    *,
    name: str,
    period_start: datetime.date,
    period_end: datetime.date,
    teams: Sequence[Team],
    days: CycleDays,
    share_on: datetime.date,
    now: datetime.datetime | None = None,
) -> ReviewCycle:
    """Open a cycle for the members of `teams` on the ladder as it stands now.

    Steps: check the executive, the period, the working days and the share date (after
    calibration); compute the four deadlines in the company calendar; add every active
    member of each team (a person in two teams once, with the first team); tell them.
    """
    if not is_executive(actor):
        raise PermissionDenied(_("Only executives open review cycles."))
    now = now or timezone.now()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the cycle.")
    if period_start > period_end:
        errors["period_end"] = _("The period must end after it starts.")
    if any(count < 1 or count > 60 for count in days.as_tuple()):
        errors["days"] = _("Give each step 1 to 60 working days.")
    if not teams:
        errors["teams"] = _("Choose at least one team.")
    version = LadderVersion.objects.as_of(now)
    if version is None:
        errors["__all__"] = _("Publish a ladder before opening a review cycle.")
    if errors:
        raise ValidationError(errors)
    self_due, feedback_due, assessment_due, calibration_due = step_deadlines(
        company_calendar(), now, days.as_tuple()
    )
    if share_on < timezone.localdate(calibration_due):
        raise ValidationError(
            {
                "share_on": _("Share the results on or after calibration ends (%(date)s).")
                % {"date": timezone.localdate(calibration_due).isoformat()}
            }
        )
    cycle = ReviewCycle.objects.create(
        name=name[:120],
        period_start=period_start,
        period_end=period_end,
        ladder_version=version,
        opened_by=actor,
        opened_at=now,
        self_due=self_due,
        feedback_due=feedback_due,
        assessment_due=assessment_due,
        calibration_due=calibration_due,
        share_on=share_on,
    )
    seen: set[int] = set()
    rows: list[Participant] = []
    for team in teams:
        members = (
            Membership.objects.filter(team=team, user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user_id")
        )
        for membership in members:
            if membership.user_id in seen:
                continue
            seen.add(membership.user_id)
            rows.append(Participant(cycle=cycle, person=membership.user, team=team))
    Participant.objects.bulk_create(rows)
    for participant in Participant.objects.filter(cycle=cycle).select_related("person"):
        notify(
            [participant.person],
            Kind.REVIEW,
            title=_title(
                gettext_noop(
                    "Review cycle %(cycle)s opened: write your self review and ask for feedback."
                ),
                cycle=cycle.name,
            ),
            url=participant_url(participant),
            group_key=f"review:{participant.pk}",
            actor=actor,
        )
    return cycle


@transaction.atomic
def do_close_cycle(actor: User, cycle: ReviewCycle, now: datetime.datetime | None = None) -> None:
    """Close a cycle: nothing in it changes after this. Results reach people on the share
    date (`share_due_results`, from the clock)."""
    if not is_executive(actor):
        raise PermissionDenied(_("Only executives close review cycles."))
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    locked.check_open()
    locked.closed_at = now or timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["closed_at", "closed_by"])
    cycle.closed_at, cycle.closed_by = locked.closed_at, actor


# --- The participant: self review and feedback requests ----------------------------------


def _check_own(actor: User, participant: Participant) -> None:
    if participant.person_id != actor.pk:
        raise PermissionDenied(_("Only the person writes their self review."))


@transaction.atomic
def do_save_self_review(
    actor: User,
    participant: Participant,
    *,
    competency: str,
    body: str,
    entry_ids: Iterable[int],
) -> SelfReviewItem:
    """Write or rewrite one competency of one's self review, with the entries it cites."""
    _check_own(actor, participant)
    participant = _locked_participant(participant)
    if participant.self_submitted_at is not None:
        raise ValidationError(_("You sent your self review; it can no longer be changed."))
    check_competency(participant.cycle, competency)
    body = check_body(body)
    entries = check_entries(actor, entry_ids)
    item, _created = SelfReviewItem.objects.update_or_create(
        participant=participant,
        competency=competency,
        defaults={"body": body, "updated_at": timezone.now()},
    )
    item.entries.set(entries)
    return item


@transaction.atomic
def do_submit_self_review(actor: User, participant: Participant) -> Participant:
    """Send the self review to the lead: something written, and peers asked."""
    _check_own(actor, participant)
    participant = _locked_participant(participant)
    if participant.self_submitted_at is not None:
        raise ValidationError(_("You already sent your self review."))
    if not participant.self_items.exclude(body="").exists():
        raise ValidationError(_("Write about at least one competency first."))
    if participant.feedback_requests.count() < MIN_PEERS:
        raise ValidationError(
            _("Ask at least %(min)d colleagues for feedback first.") % {"min": MIN_PEERS}
        )
    participant.self_submitted_at = timezone.now()
    participant.save(update_fields=["self_submitted_at"])
    notify(
        assessors_of(participant),
        Kind.REVIEW,
        title=_title(
            gettext_noop("%(person)s sent their self review for %(cycle)s."),
            person=participant.person.full_name,
            cycle=participant.cycle.name,
        ),
        url=participant_url(participant),
        group_key=f"review:{participant.pk}",
        actor=actor,
    )
    return participant


@transaction.atomic
def do_request_feedback(
    actor: User,
    participant: Participant,
    *,
    colleague: User | None,
    message: str,
    now: datetime.datetime | None = None,
) -> FeedbackRequest:
    """Ask a colleague for feedback, with a reply-by in their own working days.

    Refused: asking oneself, someone outside the company, the same colleague twice,
    more than MAX_PEERS colleagues, or so late that the colleague would have less than a
    working day of their own time before the cycle's feedback deadline.
    """
    _check_own(actor, participant)
    participant = _locked_participant(participant)
    now = now or timezone.now()
    if colleague is None or not is_in_company(colleague):
        raise ValidationError({"colleague": _("Ask a colleague in the company.")})
    if colleague.pk == actor.pk:
        raise ValidationError({"colleague": _("Ask a colleague, not yourself.")})
    message = check_body(message, "message", required=True)
    asked = participant.feedback_requests.count()
    if asked >= MAX_PEERS:
        raise ValidationError(
            {"colleague": _("You can ask at most %(max)d colleagues.") % {"max": MAX_PEERS}}
        )
    if participant.feedback_requests.filter(colleague=colleague).exists():
        raise ValidationError({"colleague": _("You already asked %(name)s.") % {"name": colleague}})
    hours = profile_of(colleague).working_hours(CompanyDayOff.objects.dates())
    reply_by = feedback_reply_by(hours, now, FEEDBACK_REPLY_DAYS, participant.cycle.feedback_due)
    if reply_by is None:
        raise ValidationError(
            {
                "colleague": _(
                    "Too late to ask %(name)s: less than a working day of theirs is left "
                    "before the feedback deadline."
                )
                % {"name": colleague}
            }
        )
    request = FeedbackRequest.objects.create(
        participant=participant,
        colleague=colleague,
        message=message,
        reply_by=reply_by,
        created_at=now,
    )
    notify(
        [colleague],
        Kind.REVIEW,
        title=_title(
            gettext_noop("%(person)s asks for your feedback (%(cycle)s)."),
            person=actor.full_name,
            cycle=participant.cycle.name,
        ),
        excerpt=message,
        url=reverse_ids("reviews:feedback", request.pk),
        group_key=f"feedback:{request.pk}",
        actor=actor,
    )
    return request


# --- The colleague: answering ------------------------------------------------------------


@dataclass(frozen=True)
class AnswerIn:
    competency: str
    body: str
    lead_only: bool = False


@transaction.atomic
def do_answer_feedback(
    actor: User, request: FeedbackRequest, answers: Sequence[AnswerIn]
) -> FeedbackRequest:
    """Answer a feedback request per competency, once; the person's assessors are told."""
    if request.colleague_id != actor.pk:
        raise PermissionDenied(_("Only the colleague asked answers this request."))
    _locked_participant(request.participant)
    request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_at is not None:
        raise ValidationError(_("You already answered this request."))
    cycle = request.participant.cycle
    written: dict[str, AnswerIn] = {}
    for answer in answers:
        check_competency(cycle, answer.competency)
        body = check_body(answer.body, f"answer_{answer.competency}")
        if body:
            written[answer.competency] = AnswerIn(answer.competency, body, answer.lead_only)
    if not written:
        raise ValidationError(_("Write feedback on at least one competency."))
    FeedbackAnswer.objects.bulk_create(
        FeedbackAnswer(
            request=request, competency=code, body=answer.body, lead_only=answer.lead_only
        )
        for code, answer in written.items()
    )
    request.answered_at = timezone.now()
    request.save(update_fields=["answered_at"])
    participant = request.participant
    _record_feedback_given(request)
    notify(
        assessors_of(participant),
        Kind.REVIEW,
        title=_title(
            gettext_noop("%(colleague)s answered a feedback request about %(person)s."),
            colleague=actor.full_name,
            person=participant.person.full_name,
        ),
        url=reverse_ids("reviews:feedback", request.pk),
        group_key=f"feedback:{request.pk}",
        actor=actor,
    )
    return request


def _record_feedback_given(request: FeedbackRequest) -> None:
    """Giving peer feedback is evidence of collaboration in the giver's own ledger."""
    ledger.record(
        request.colleague,
        EntryKind.PEER_FEEDBACK_GIVEN,
        title=_("Feedback for %(person)s") % {"person": request.participant.person.full_name},
        obj=request,
        url=reverse_ids("reviews:feedback", request.pk),
        dedupe_key=f"feedback:{request.pk}",
    )


# --- The lead: assessment and proposed level ---------------------------------------------


@transaction.atomic
def do_save_assessment(
    actor: User,
    participant: Participant,
    *,
    competency: str,
    body: str,
    entry_ids: Iterable[int],
) -> AssessmentItem:
    """Write the lead's assessment of one competency, with the person's entries it rests on."""
    check_can_assess(actor, participant)
    participant = _locked_participant(participant)
    check_competency(participant.cycle, competency)
    body = check_body(body)
    entries = check_entries(participant.person, entry_ids)
    item, _created = AssessmentItem.objects.update_or_create(
        participant=participant,
        competency=competency,
        defaults={"body": body, "author": actor, "updated_at": timezone.now()},
    )
    item.entries.set(entries)
    return item


@transaction.atomic
def do_propose_level(actor: User, participant: Participant, level_id: int | None) -> Participant:
    """The lead's proposed level, resting on at least one written assessment."""
    check_can_assess(actor, participant)
    participant = _locked_participant(participant)
    level = check_level(participant.cycle, level_id)
    if not participant.assessment_items.exclude(body="").exists():
        raise ValidationError(_("Write the assessment of at least one competency first."))
    participant.proposed_level = level
    participant.proposed_by = actor
    participant.proposed_at = timezone.now()
    participant.save(update_fields=["proposed_level", "proposed_by", "proposed_at"])
    return participant


@transaction.atomic
def do_calibrate(
    actor: User, participant: Participant, *, level_id: int | None, reason: str
) -> Participant:
    """Record the final level with its reason, after the lead's proposal."""
    check_can_assess(actor, participant)
    participant = _locked_participant(participant)
    if participant.proposed_level_id is None:
        raise ValidationError(_("The lead has not proposed a level yet."))
    level = check_level(participant.cycle, level_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this is the final level.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}}
        )
    participant.final_level = level
    participant.final_reason = reason
    participant.calibrated_by = actor
    participant.calibrated_at = timezone.now()
    participant.save(
        update_fields=["final_level", "final_reason", "calibrated_by", "calibrated_at"]
    )
    return participant


# --- Reading a review --------------------------------------------------------------------


@dataclass
class CompetencyView:
    competency: Competency
    self_item: SelfReviewItem | None
    assessment: AssessmentItem | None
    answers: list[tuple[FeedbackRequest, FeedbackAnswer]]


def review_sections(
    viewer: User, participant: Participant, competencies: list[Competency]
) -> list[CompetencyView]:
    """One participant's review per competency, as `viewer` may read it, in a fixed
    number of queries: self review with cited entries, the assessment (for the person only
    once shared), the feedback answers `viewer` may read."""
    entries = Prefetch("entries", queryset=LedgerEntry.objects.order_by("-occurred_at", "-id"))
    self_items = {
        item.competency: item for item in participant.self_items.prefetch_related(entries)
    }
    sees_all = can_assess(viewer, participant)
    shared = participant.cycle.results_shared()
    assessments = {}
    if sees_all or shared:
        assessments = {
            item.competency: item for item in participant.assessment_items.prefetch_related(entries)
        }
    answers: dict[str, list[tuple[FeedbackRequest, FeedbackAnswer]]] = {}
    if sees_all or shared:
        rows = (
            FeedbackAnswer.objects.filter(request__participant=participant)
            .select_related("request__colleague")
            .order_by("request__created_at", "pk")
        )
        for answer in rows:
            if not sees_all and answer.lead_only:
                continue
            answers.setdefault(answer.competency, []).append((answer.request, answer))
    return [
        CompetencyView(
            competency=competency,
            self_item=self_items.get(competency.code),
            assessment=assessments.get(competency.code),
            answers=answers.get(competency.code, []),
        )
        for competency in competencies
    ]


def current_level_of(person: User) -> PersonLevel | None:
    return PersonLevel.objects.filter(person=person).first()


def language_of(user: User):
    return translation.override(user.language or None)
