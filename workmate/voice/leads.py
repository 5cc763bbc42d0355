"""What leads do with proposals: answer, change status, merge, moderate, turn into work.

`check_*` validates and checks rights; `do_*` writes. Every write runs in a transaction,
and followers hear of answers through their inbox, so a rolled-back change tells nobody.
Nothing here ever reads or writes who wrote an anonymous proposal.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from workmate.accounts.models import CompanyDayOff, Team, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.lib.urls import absolute_url
from workmate.lib.workcalendar import WorkingHours, working_time_between
from workmate.voice import signals
from workmate.voice.models import (
    Answer,
    Area,
    ModerationAction,
    ModerationLog,
    Proposal,
    ProposalComment,
    ProposalStatus,
    Subscription,
    Vote,
)
from workmate.voice.services import followers_of, is_lead
from workmate.work.models import Project, Task

# The statuses a lead may set with an answer; "new" is where proposals start, "merged"
# is reached only through `do_merge`.
ANSWER_STATUSES = (
    ProposalStatus.UNDER_REVIEW,
    ProposalStatus.PLANNED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.DONE,
    ProposalStatus.DECLINED,
)
# A proposal is adopted when it leaves these for one of those (the levels ledger credits
# its author).
OPEN_STATUSES = (ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW)
ADOPTED_STATUSES = (ProposalStatus.PLANNED, ProposalStatus.IN_PROGRESS, ProposalStatus.DONE)
# The company's working day, for "waiting" ages and the scoreboard.
WORKDAY = datetime.timedelta(hours=9)


# --- Rights ----------------------------------------------------------------------------


def check_is_lead(user: User) -> None:
    if not user.is_authenticated or not is_lead(user):
        raise PermissionDenied(_("Only leads can do this."))


def can_see_summary(user: User) -> bool:
    return user.is_authenticated and (is_lead(user) or user.is_executive)


def proposal_url(proposal: Proposal) -> str:
    """The proposal's public page, absolute, for mail and task descriptions."""
    path = reverse("voice:proposal", args=[proposal.pk])
    return absolute_url(path)


# --- Answers and statuses --------------------------------------------------------------


def check_change_status(lead: User, proposal: Proposal, to_status: str, answer: str) -> str:
    """Validate a status change; return the cleaned answer text."""
    check_is_lead(lead)
    answer = answer.strip()
    if to_status not in ProposalStatus.values:
        raise ValidationError({"to_status": _("Pick a status.")})
    if not answer:
        if to_status == ProposalStatus.DECLINED:
            raise ValidationError({"answer": _("Give the reason for declining.")})
        raise ValidationError({"answer": _("Write an answer: every change needs one.")})
    if to_status == proposal.status:
        return answer  # An answer without a change of status.
    if to_status not in ANSWER_STATUSES:
        raise ValidationError({"to_status": _("A proposal cannot be moved to that status.")})
    if proposal.is_closed and to_status != ProposalStatus.UNDER_REVIEW:
        raise ValidationError(
            {"to_status": _("A closed proposal can only be reopened for review.")}
        )
    return answer


def _record_answer(actor: User, proposal: Proposal, to_status: str, body: str) -> Answer:
    """Write the answer row and the new status; mail subscribers once committed."""
    now = timezone.now()
    answer = Answer.objects.create(
        proposal=proposal,
        lead=actor,
        from_status=proposal.status,
        to_status=to_status,
        body=body,
        created_at=now,
    )
    fields = ["status"]
    if proposal.status == ProposalStatus.MERGED and to_status != ProposalStatus.MERGED:
        # Reopened: it stands on its own again (its moved votes stay on the kept one).
        proposal.merged_into = None
        fields.append("merged_into")
    proposal.status = to_status
    if proposal.first_answer_at is None:
        proposal.first_answer_at = now
        fields.append("first_answer_at")
    proposal.save(update_fields=fields)
    _notify(answer)
    if answer.from_status in OPEN_STATUSES and to_status in ADOPTED_STATUSES:
        signals.proposal_adopted.send(sender=Proposal, instance=proposal, actor=actor)
    return answer


def _notify(answer: Answer) -> None:
    """Tell the proposal's followers through their inbox (never the lead who answered).

    The inbox decides when mail goes out: inside each person's working hours, outside
    quiet hours, or in the digest, as they chose for answers. The mail names the proposal,
    the lead and the new status, never the author, who may be anonymous.
    """
    proposal = answer.proposal
    # The anonymous author follows through the proposal's flag, not a subscription row.
    followers = followers_of(proposal)

    def title() -> str:
        if answer.from_status == answer.to_status:
            return proposal.title
        return pgettext("proposal answered", "%(title)s (now %(status)s)") % {
            "title": proposal.title,
            "status": answer.get_to_status_display(),
        }

    notify(
        followers,
        Kind.ANSWER,
        title=title,
        url=reverse("voice:proposal", args=[proposal.pk]),
        group_key=f"proposal:{proposal.pk}",
        actor=answer.lead,
        excerpt=answer.body,
    )


@transaction.atomic
def do_change_status(lead: User, proposal: Proposal, to_status: str, answer: str) -> Answer:
    """Answer a proposal, changing its status to `to_status` (or keeping it).

    Steps: lock the row (two leads answering at once must both start from the status they
    saw); validate; write the answer and status; mail the subscribers on commit.
    """
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    body = check_change_status(lead, locked, to_status, answer)
    result = _record_answer(lead, locked, to_status, body)
    signals.proposal_answered.send(sender=Proposal, instance=locked, actor=lead, answer=result)
    proposal.status, proposal.first_answer_at = locked.status, locked.first_answer_at
    proposal.merged_into = locked.merged_into
    return result


# --- Merging ---------------------------------------------------------------------------


def check_merge(lead: User, duplicate: Proposal, kept: Proposal, answer: str) -> str:
    check_is_lead(lead)
    answer = answer.strip()
    if duplicate.pk == kept.pk:
        raise ValidationError({"kept": _("A proposal cannot be merged into itself.")})
    if duplicate.status == ProposalStatus.MERGED:
        raise ValidationError({"kept": _("This proposal is already merged.")})
    if kept.status == ProposalStatus.MERGED:
        raise ValidationError(
            {"kept": _("That proposal is merged itself; merge into the one it went into.")}
        )
    # Walk from the kept proposal along merged_into: reaching the duplicate is a cycle.
    seen: set[int] = set()
    current: Proposal | None = kept
    while current is not None and current.pk not in seen:
        if current.pk == duplicate.pk:
            raise ValidationError({"kept": _("Merging these would make a cycle.")})
        seen.add(current.pk)
        current = current.merged_into
    if not answer:
        raise ValidationError({"answer": _("Write an answer: every change needs one.")})
    return answer


@transaction.atomic
def do_merge(lead: User, duplicate: Proposal, kept: Proposal, answer: str) -> Answer:
    """Merge `duplicate` into `kept`, moving its votes and subscribers.

    Steps: lock both rows (a vote arriving during the merge must not land on the merged
    one and be lost); validate; move the votes of people who have not voted on the kept
    one and delete the rest; move subscriptions the same way; recount both; mark the
    duplicate merged with an answer.
    """
    locked = {
        p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk])
    }
    dup, keep = locked[duplicate.pk], locked[kept.pk]
    body = check_merge(lead, dup, keep, answer)
    kept_voters = Vote.objects.filter(proposal=keep).values_list("user_id", flat=True)
    Vote.objects.filter(proposal=dup).exclude(user_id__in=list(kept_voters)).update(proposal=keep)
    Vote.objects.filter(proposal=dup).delete()
    followers = Subscription.objects.filter(proposal=keep).values_list("user_id", flat=True)
    Subscription.objects.filter(proposal=dup).exclude(user_id__in=list(followers)).update(
        proposal=keep
    )
    Subscription.objects.filter(proposal=dup).delete()
    for item in (dup, keep):
        item.vote_count = Vote.objects.filter(proposal=item).count()
        item.save(update_fields=["vote_count"])
    dup.merged_into = keep
    dup.save(update_fields=["merged_into"])
    result = _record_answer(lead, dup, ProposalStatus.MERGED, body)
    signals.proposal_answered.send(sender=Proposal, instance=dup, actor=lead, answer=result)
    duplicate.status, duplicate.merged_into = dup.status, keep
    duplicate.vote_count, kept.vote_count = dup.vote_count, keep.vote_count
    return result


# --- Moderation ------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is shown in its place.")})
    return reason


@transaction.atomic
def do_hide(
    lead: User, proposal: Proposal, reason: str, comment: ProposalComment | None = None
) -> ModerationLog:
    """Hide a proposal (or one of its comments) with a logged reason; nothing is deleted."""
    check_is_lead(lead)
    reason = _reason(reason)
    target: Proposal | ProposalComment = comment if comment is not None else proposal
    if target.hidden_at is not None:
        raise ValidationError(_("This is hidden already."))
    previous = comment.body if comment is not None else f"{proposal.title}\n\n{proposal.problem}"
    target.hidden_at = timezone.now()
    target.hidden_reason = reason
    target.save(update_fields=["hidden_at", "hidden_reason"])
    return ModerationLog.objects.create(
        proposal=proposal,
        comment=comment,
        moderator=lead,
        action=ModerationAction.HIDE,
        reason=reason,
        previous_text=previous,
    )


@transaction.atomic
def do_unhide(
    lead: User, proposal: Proposal, reason: str = "", comment: ProposalComment | None = None
) -> ModerationLog:
    check_is_lead(lead)
    target: Proposal | ProposalComment = comment if comment is not None else proposal
    if target.hidden_at is None:
        raise ValidationError(_("This is not hidden."))
    target.hidden_at = None
    target.hidden_reason = ""
    target.save(update_fields=["hidden_at", "hidden_reason"])
    return ModerationLog.objects.create(
        proposal=proposal,
        comment=comment,
        moderator=lead,
        action=ModerationAction.UNHIDE,
        reason=reason.strip() or _("Shown again"),
    )


# --- Waiting and figures ---------------------------------------------------------------


def company_calendar() -> WorkingHours:
    """The company's calendar: Seoul, 09–18 Monday to Friday, KR holidays, company days off."""
    return WorkingHours(
        time_zone="Asia/Seoul",
        weekdays=frozenset(range(5)),
        start=datetime.time(9),
        end=datetime.time(18),
        holiday_country="KR",
        days_off=CompanyDayOff.objects.dates(),
    )


def working_days_between(
    calendar: WorkingHours, start: datetime.datetime, end: datetime.datetime
) -> int:
    """Whole working days of the calendar between two moments (9 working hours a day)."""
    return int(working_time_between(calendar, start, end) / WORKDAY)


@dataclass
class Waiting:
    proposal: Proposal
    age_days: int


def waiting_for_answer(now: datetime.datetime | None = None) -> list[Waiting]:
    """Open, visible proposals with no answer after VOICE_ANSWER_WORKING_DAYS, oldest first."""
    now = now or timezone.now()
    calendar = company_calendar()
    limit = settings.VOICE_ANSWER_WORKING_DAYS
    # A proposal younger than the limit in calendar days cannot be old enough in working days.
    candidates = (
        Proposal.objects.visible()
        .open()
        .unanswered()
        .filter(created_at__lte=now - datetime.timedelta(days=limit))
        .order_by("created_at", "pk")
    )
    rows = []
    for proposal in candidates:
        age = working_days_between(calendar, proposal.created_at, now)
        if age >= limit:
            rows.append(Waiting(proposal, age))
    return rows


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass
class Scoreboard:
    answered: int
    median_hours: float | None
    p90_hours: float | None
    waiting: int
    done: int
    declined: int


def scoreboard(now: datetime.datetime | None = None) -> Scoreboard:
    """Time to first answer in working hours over proposals first answered in the last 90 days."""
    now = now or timezone.now()
    calendar = company_calendar()
    answered = Proposal.objects.filter(
        first_answer_at__gte=now - datetime.timedelta(days=90), first_answer_at__lte=now
    ).values_list("created_at", "first_answer_at")
    hours = [
        working_time_between(calendar, created, first) / datetime.timedelta(hours=1)
        for created, first in answered
    ]
    counts = dict(
        Proposal.objects.filter(status__in=[ProposalStatus.DONE, ProposalStatus.DECLINED])
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Scoreboard(
        answered=len(hours),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        p90_hours=round(_percentile(hours, 0.9), 1) if hours else None,
        waiting=len(waiting_for_answer(now)),
        done=counts.get(ProposalStatus.DONE, 0),
        declined=counts.get(ProposalStatus.DECLINED, 0),
    )


@dataclass
class MonthlySummary:
    month: datetime.date
    new: int
    answered: int
    done: int
    declined: int
    top_open: list[Proposal]
    by_area: list[tuple[str, int]]
    proposals: list[Proposal]


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's start and end as aware moments in the company's zone (Seoul)."""
    zone = company_calendar().zone
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = datetime.datetime(
        month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone
    )
    return start, following


def monthly_summary(month: datetime.date) -> MonthlySummary:
    start, end = month_bounds(month)
    created = Proposal.objects.filter(created_at__gte=start, created_at__lt=end)
    closed = Answer.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        from_status=F("to_status")
    )
    done = closed.filter(to_status=ProposalStatus.DONE).values("proposal").distinct().count()
    declined = (
        closed.filter(to_status=ProposalStatus.DECLINED).values("proposal").distinct().count()
    )
    area_counts = dict(created.values_list("area").annotate(n=Count("pk")).values_list("area", "n"))
    return MonthlySummary(
        month=month,
        new=created.count(),
        answered=Proposal.objects.filter(
            first_answer_at__gte=start, first_answer_at__lt=end
        ).count(),
        done=done,
        declined=declined,
        top_open=list(Proposal.objects.visible().open().order_by("-vote_count", "created_at")[:5]),
        by_area=[(label, area_counts.get(value, 0)) for value, label in Area.choices],
        proposals=list(created.order_by("created_at", "pk").select_related("author")),
    )


# --- Voice to work ---------------------------------------------------------------------


def _work_description(proposal: Proposal) -> str:
    return _("From the proposal “%(title)s”: %(url)s") % {
        "title": proposal.title,
        "url": proposal_url(proposal),
    }


def _plan(lead: User, proposal: Proposal, body: str) -> None:
    """Move a new or reviewed proposal to "planned" once work exists for it."""
    if proposal.status in {ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW}:
        _record_answer(lead, proposal, ProposalStatus.PLANNED, body)


@transaction.atomic
def do_make_task(lead: User, proposal: Proposal, project: Project) -> Task:
    """Turn a proposal into a task of a project the lead can edit, linking both ways."""
    from workmate.work.services import do_create_task

    check_is_lead(lead)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.is_closed:
        raise ValidationError(_("A closed proposal cannot become work."))
    task = do_create_task(
        lead, project, title=locked.title[:200], description=_work_description(locked)
    )
    locked.task = task
    locked.save(update_fields=["task"])
    _plan(lead, locked, _("Planned as a task in %(project)s.") % {"project": project.name})
    proposal.task, proposal.status = task, locked.status
    return task


@transaction.atomic
def do_make_project(lead: User, proposal: Proposal, team: Team) -> Project:
    """Turn a proposal into a project of one of the lead's teams, linking both ways."""
    from workmate.work.services import do_create_project

    check_is_lead(lead)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.is_closed:
        raise ValidationError(_("A closed proposal cannot become work."))
    project = do_create_project(
        lead, name=locked.title, team=team, description=_work_description(locked)
    )
    locked.project = project
    locked.save(update_fields=["project"])
    _plan(lead, locked, _("Planned as the project %(project)s.") % {"project": project.name})
    proposal.project, proposal.status = project, locked.status
    return project


def on_task_completed(task: Task, actor: User) -> None:
    """The proposal follows the work: completing its task makes it done, answered by `actor`."""
    for proposal in Proposal.objects.select_for_update().filter(task=task):
        if not proposal.is_closed:
            _record_answer(actor, proposal, ProposalStatus.DONE, _("The work is done."))
