"""Every change to check-ins goes through here; views and the clock call the same functions.

`check_*` validates and checks rights; `do_*` writes. `open_due_checkins` is the clock's
side: it opens each member's occurrence in their own time zone and pings them once.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Membership, Team, TeamRole, User, WorkProfile
from workmate.checkins import signals
from workmate.checkins.models import (
    ANSWER_MAX_LENGTH,
    Checkin,
    CheckinResponse,
    Frequency,
    validate_questions,
)
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.urls import reverse_ids
from workmate.work.models import RequestState, Task, Visibility, WorkRequest

# The first check-in of a person looks back this far for what they finished.
FIRST_LOOKBACK_DAYS = 7
# The "Next" question lists open tasks due within this many days.
NEXT_DAYS = 7
# How many days back the clock looks for a daily check-in's latest working day.
DAILY_LOOKBACK_DAYS = 14
PREFILL_LIMIT = 30

# --- Access ----------------------------------------------------------------------------


def teams_led_by(user: User) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(
        Team.objects.filter(memberships__user=user, memberships__role=TeamRole.LEAD).order_by(
            "code"
        )
    )


def get_checkin_for_user(user: User, pk: int) -> Checkin:
    """A check-in of one of `user`'s teams; 404 for everyone else."""
    checkin = Checkin.objects.of_teams_of(user).select_related("team").filter(pk=pk).first()
    if checkin is None:
        raise Http404("No such check-in.")
    return checkin


def can_manage(user: User, checkin: Checkin) -> bool:
    leads = Membership.objects.leads()
    return leads.filter(user=user, team_id=checkin.team_id).exists()


def check_can_manage(user: User, checkin: Checkin) -> None:
    if not can_manage(user, checkin):
        raise PermissionDenied(_("Only a lead of the team can change its check-ins."))


def check_can_create(user: User, team: Team | None = None) -> None:
    led = teams_led_by(user)
    if not led or (team is not None and team not in led):
        raise PermissionDenied(_("Only a team lead can set up check-ins for the team."))


def get_response_for_user(user: User, pk: int) -> CheckinResponse:
    """One of `user`'s own check-in forms; 404 for anyone else's."""
    response = (
        CheckinResponse.objects.select_related("checkin", "checkin__team")
        .filter(pk=pk, person=user)
        .first()
    )
    if response is None:
        raise Http404("No such check-in.")
    return response


# --- Setting check-ins up --------------------------------------------------------------


def _clean_questions(questions: list[str]) -> list[str]:
    cleaned = [" ".join(question.split()) for question in questions]
    cleaned = [question for question in cleaned if question]
    try:
        validate_questions(cleaned)
    except ValidationError as error:
        raise ValidationError({"questions": error.messages}) from None
    return cleaned


def _fill(checkin: Checkin, fields: dict) -> Checkin:
    checkin.title = (fields.get("title") or "").strip()
    checkin.questions = _clean_questions(fields.get("questions") or [])
    checkin.frequency = fields["frequency"]
    checkin.weekday = fields.get("weekday")
    checkin.time_of_day = fields["time_of_day"]
    if not checkin.title:
        raise ValidationError({"title": _("Give the check-in a title.")})
    checkin.full_clean(exclude=["team", "created_by"])
    return checkin


@transaction.atomic
def do_create_checkin(
    actor: User,
    team: Team,
    *,
    title: str,
    questions: list[str],
    frequency: str,
    weekday: int | None,
    time_of_day: datetime.time,
) -> Checkin:
    check_can_create(actor, team)
    checkin = Checkin(team=team, created_by=actor)
    _fill(
        checkin,
        {
            "title": title,
            "questions": questions,
            "frequency": frequency,
            "weekday": weekday,
            "time_of_day": time_of_day,
        },
    )
    checkin.save()
    return checkin


@transaction.atomic
def do_update_checkin(actor: User, checkin: Checkin, **fields: object) -> Checkin:
    check_can_manage(actor, checkin)
    _fill(checkin, fields)
    checkin.save(update_fields=["title", "questions", "frequency", "weekday", "time_of_day"])
    return checkin


def do_pause_checkin(actor: User, checkin: Checkin) -> Checkin:
    check_can_manage(actor, checkin)
    if checkin.active:
        checkin.active = False
        checkin.save(update_fields=["active"])
    return checkin


def do_resume_checkin(actor: User, checkin: Checkin) -> Checkin:
    """Resume from now on: occurrences missed while paused are not opened afterwards."""
    check_can_manage(actor, checkin)
    if not checkin.active:
        checkin.active = True
        checkin.active_since = timezone.now()
        checkin.save(update_fields=["active", "active_since"])
    return checkin


# --- The clock -------------------------------------------------------------------------


def latest_occurrence(
    checkin: Checkin,
    profile: WorkProfile,
    now: datetime.datetime,
    days_off: frozenset[datetime.date],
) -> tuple[datetime.date, datetime.datetime] | None:
    """The person's most recent occurrence that has come by `now`: (local date, moment).

    Steps:
    1. Take `now` on the person's own wall clock.
    2. Weekly: the last chosen weekday whose time of day has passed. Daily: walk back
       over the last days to the latest working day of *theirs* (weekdays, public
       holidays of their country, company days off) whose time of day has passed.
    3. None when that moment is before the check-in became active.
    """
    zone = profile.zone
    local_now = now.astimezone(zone)
    today = local_now.date()

    def moment(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, checkin.time_of_day, tzinfo=zone)

    found: datetime.date | None = None
    if checkin.frequency == Frequency.WEEKLY and checkin.weekday is not None:
        day = today - datetime.timedelta(days=(today.weekday() - checkin.weekday) % 7)
        if moment(day) > local_now:
            day -= datetime.timedelta(days=7)
        found = day
    elif checkin.frequency == Frequency.DAILY:
        calendar = profile.working_hours(days_off)
        for back in range(DAILY_LOOKBACK_DAYS):
            day = today - datetime.timedelta(days=back)
            if moment(day) <= local_now and calendar.is_working_day(day):
                found = day
                break
    if found is None or moment(found) < checkin.active_since:
        return None
    return found, moment(found)


def checkin_title(checkin: Checkin) -> str:
    return f"{checkin.title} ({checkin.team.code})"


def open_due_checkins(now: datetime.datetime | None = None) -> int:
    """Open each member's due occurrence of every active check-in and ping them once.

    Steps:
    1. For every active check-in and every active member of its team (leads too), find
       their latest occurrence in their own time zone (`latest_occurrence`), not before
       the check-in became active nor before they joined the team.
    2. Skip the pairs whose row already exists (one query for all of them).
    3. Create each missing row in its own transaction; the unique (check-in, person,
       occurrence) turns a second clock's attempt into an IntegrityError, and only the
       transaction that created the row notifies, so nobody is pinged twice.
    Returns how many rows were opened.
    """
    now = now or timezone.now()
    checkins = list(Checkin.objects.active().select_related("team"))
    if not checkins:
        return 0
    days_off = CompanyDayOff.objects.dates()
    memberships = (
        Membership.objects.filter(team__in=[c.team_id for c in checkins], user__is_active=True)
        .select_related("user", "user__profile")
        .order_by("pk")
    )
    members_of: dict[int, list[Membership]] = {}
    for membership in memberships:
        members_of.setdefault(membership.team_id, []).append(membership)

    due: list[tuple[Checkin, User, datetime.date, datetime.datetime]] = []
    for checkin in checkins:
        for membership in members_of.get(checkin.team_id, []):
            person = membership.user
            try:
                profile = person.profile
            except WorkProfile.DoesNotExist:
                profile = WorkProfile.objects.get_or_create(user=person)[0]
            found = latest_occurrence(checkin, profile, now, days_off)
            if found is None or found[1] < membership.joined_at:
                continue
            due.append((checkin, person, *found))
    if not due:
        return 0
    existing = set(
        CheckinResponse.objects.filter(
            checkin__in=checkins, occurrence__gte=min(day for _, _, day, _ in due)
        ).values_list("checkin_id", "person_id", "occurrence")
    )
    opened = 0
    for checkin, person, day, moment in due:
        if (checkin.pk, person.pk, day) in existing:
            continue
        if _open_one(checkin, person, day, moment, now):
            opened += 1
    return opened


def _open_one(
    checkin: Checkin,
    person: User,
    day: datetime.date,
    moment: datetime.datetime,
    now: datetime.datetime,
) -> bool:
    try:
        with transaction.atomic():
            response = CheckinResponse.objects.create(
                checkin=checkin,
                person=person,
                occurrence=day,
                due_at=moment,
                questions=list(checkin.questions),
                pinged_at=now,
            )
            notify(
                [person],
                Kind.CHECKIN,
                title=checkin_title(checkin),
                url=reverse_ids("checkins:answer", response.pk),
                group_key=f"checkin:{checkin.pk}",
                dedupe_key=f"checkin:{checkin.pk}:{day:%Y-%m-%d}",
            )
    except IntegrityError:
        return False  # Another clock opened the same occurrence a moment ago.
    return True


# --- Pre-filling and answering ---------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text safe to put inside a Markdown link label."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


# What higher apps add to "Done" (the levels ledger: tickets solved, glue work...): each
# source gets (response, since) and returns Markdown list items; registered in apps.py.
PrefillSource = Callable[["CheckinResponse", datetime.datetime], list[str]]
_prefill_sources: list[PrefillSource] = []


def register_prefill_source(source: PrefillSource) -> None:
    if source not in _prefill_sources:
        _prefill_sources.append(source)


@dataclass
class Prefill:
    since: datetime.datetime
    done: list[str]
    upcoming: list[str]


def prefill_since(response: CheckinResponse) -> datetime.datetime:
    """Since the person's last sent answer to this check-in, or a week before this one."""
    last = (
        CheckinResponse.objects.submitted()
        .filter(checkin_id=response.checkin_id, person_id=response.person_id)
        .exclude(pk=response.pk)
        .filter(occurrence__lt=response.occurrence)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    return last or response.due_at - datetime.timedelta(days=FIRST_LOOKBACK_DAYS)


def _seen_by_whole_team(team_id: int, prefix: str = "") -> Q:
    """Tasks in projects every member of the team can see: org-wide ones, and the team's
    own team-visible ones. Private projects and other teams' are left out of the pre-fill,
    since the whole team reads the answers; the person may still write about them.
    """
    return Q(**{f"{prefix}project__visibility": Visibility.ORG}) | Q(
        **{f"{prefix}project__visibility": Visibility.TEAM, f"{prefix}project__team_id": team_id}
    )


def prefill_for(response: CheckinResponse, now: datetime.datetime | None = None) -> Prefill:
    """What the person finished and answered since their last check-in, and what is next.

    Each line is a Markdown list item linking to the task, so the lead can follow it. Only
    work the whole team may see is listed (`_seen_by_whole_team`).
    """
    now = now or timezone.now()
    person = response.person
    team_id = response.checkin.team_id
    since = prefill_since(response)
    done = []
    finished = (
        Task.objects.done()
        .filter(_seen_by_whole_team(team_id), assignee=person, completed_at__gte=since)
        .select_related("project")
        .order_by("completed_at", "pk")[:PREFILL_LIMIT]
    )
    for task in finished:
        done.append(f"- [{_md(task.title)}]({task.get_absolute_url()}) ({_md(task.project.name)})")
    answered = (
        WorkRequest.objects.filter(
            _seen_by_whole_team(team_id, "task__"),
            assignee=person,
            state=RequestState.ANSWERED,
            closed_at__gte=since,
        )
        .select_related("task", "requester")
        .order_by("closed_at", "pk")[:PREFILL_LIMIT]
    )
    for request in answered:
        done.append(
            "- "
            + _("Answered %(requester)s's request on %(task)s")
            % {
                "requester": _md(request.requester.full_name),
                "task": f"[{_md(request.task.title)}]({request.task.get_absolute_url()})",
            }
        )
    for source in _prefill_sources:
        done.extend(source(response, since))
    local_today = now.astimezone(_zone_of(person)).date()
    upcoming = [
        f"- [{_md(task.title)}]({task.get_absolute_url()}) ({task.due_on:%Y-%m-%d})"
        for task in Task.objects.open()
        .filter(
            _seen_by_whole_team(team_id),
            assignee=person,
            due_on__lte=local_today + datetime.timedelta(days=NEXT_DAYS),
        )
        .order_by("due_on", "-priority", "pk")[:PREFILL_LIMIT]
    ]
    return Prefill(since=since, done=done, upcoming=upcoming)


def _zone_of(person: User) -> datetime.tzinfo:
    try:
        return person.profile.zone
    except WorkProfile.DoesNotExist:
        return timezone.get_default_timezone()


def initial_answers(response: CheckinResponse) -> list[str]:
    """The form's starting text: what was sent, or the pre-fill for a new form.

    The first question (Done) gets what the person finished, the second (Next) their
    open tasks due within a week; further questions start empty.
    """
    if response.is_submitted or any(response.answers):
        return [answer for _, answer in response.pairs()]
    prefill = prefill_for(response)
    answers = ["" for _ in response.questions]
    if answers:
        answers[0] = "\n".join(prefill.done)
    if len(answers) > 1:
        answers[1] = "\n".join(prefill.upcoming)
    return answers


def check_answers(response: CheckinResponse, answers: list[str]) -> list[str]:
    cleaned = [answer.strip() for answer in answers]
    if len(cleaned) != len(response.questions):
        raise ValidationError(_("Answer the questions of this check-in."))
    if not any(cleaned):
        raise ValidationError(_("Write at least one answer."))
    if any(len(answer) > ANSWER_MAX_LENGTH for answer in cleaned):
        raise ValidationError(
            _("Keep each answer under %(limit)d characters.") % {"limit": ANSWER_MAX_LENGTH}
        )
    return cleaned


def do_submit_response(actor: User, response: CheckinResponse, answers: list[str]) -> None:
    """Send one's answers; a sent check-in is final (the lead may already have read it)."""
    if response.person_id != actor.pk:
        raise Http404("No such check-in.")
    cleaned = check_answers(response, answers)
    with transaction.atomic():
        # Two tabs sending at once: lock the row so only the first send counts.
        locked = CheckinResponse.objects.select_for_update().get(pk=response.pk)
        if locked.submitted_at is not None:
            raise ValidationError(_("You already sent this check-in."))
        locked.answers = cleaned
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["answers", "submitted_at"])
        signals.checkin_sent.send(sender=CheckinResponse, instance=locked, actor=actor)
    response.answers, response.submitted_at = locked.answers, locked.submitted_at


# --- Reading ---------------------------------------------------------------------------


def occurrences_of(checkin: Checkin, limit: int = 26) -> list[datetime.date]:
    return list(
        CheckinResponse.objects.filter(checkin=checkin)
        .order_by("-occurrence")
        .values_list("occurrence", flat=True)
        .distinct()[:limit]
    )


@dataclass
class OccurrenceView:
    answered: list[CheckinResponse]
    waiting: list[CheckinResponse]
    # Current members whose moment has not come yet (later time zones) or who joined later.
    not_opened: list[User]


def occurrence_view(checkin: Checkin, day: datetime.date) -> OccurrenceView:
    rows = list(
        CheckinResponse.objects.filter(checkin=checkin, occurrence=day)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    have = {row.person_id for row in rows}
    members = (
        User.objects.filter(memberships__team_id=checkin.team_id, is_active=True)
        .exclude(pk__in=have)
        .order_by("full_name", "pk")
    )
    return OccurrenceView(
        answered=[row for row in rows if row.is_submitted],
        waiting=[row for row in rows if not row.is_submitted],
        not_opened=list(members),
    )


def search_responses(
    viewer: User,
    *,
    person: User | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    checkin: Checkin | None = None,
):
    """Sent answers in check-ins of the viewer's teams, newest first."""
    rows = (
        CheckinResponse.objects.submitted()
        .filter(checkin__in=Checkin.objects.of_teams_of(viewer))
        .select_related("person", "checkin", "checkin__team")
    )
    if person is not None:
        rows = rows.filter(person=person)
    if since is not None:
        rows = rows.filter(occurrence__gte=since)
    if until is not None:
        rows = rows.filter(occurrence__lte=until)
    if checkin is not None:
        rows = rows.filter(checkin=checkin)
    return rows.order_by("-occurrence", "person__full_name", "pk")


def colleagues_of(viewer: User):
    """People in the viewer's teams: whose check-ins the viewer may search."""
    return (
        User.objects.filter(
            Q(memberships__team__in=Membership.objects.filter(user=viewer).values("team_id"))
        )
        .distinct()
        .order_by("full_name", "pk")
    )
