"""What the clock does for review cycles: remind each step, and share results on the date.

Both run every minute from `inbox/clock.py` and are safe to run twice: a reminder carries
a dedupe key (one "soon" and one "late" per person and step), and a shared result is
applied once (`Participant.result_applied_at`, set under a row lock).

Reminders are written only while their recipient is in working time and not in quiet
hours (`schedule.reminder_due`), so nobody finds one in their inbox at night; they go
through `notify`, so the recipient's channel (the digest by default) applies.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from workmate.accounts.models import CompanyDayOff, Membership, OrgRole, User, WorkProfile
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.levels.models import LevelChangeSource, PersonLevel
from workmate.levels.services import record_level_change
from workmate.lib.urls import reverse_ids
from workmate.reviews import payroll
from workmate.reviews.models import FeedbackRequest, Participant, ReviewCycle
from workmate.reviews.schedule import Reminder, reminder_due
from workmate.reviews.services import _title, participant_url

# Results shared longer ago than this are no longer announced (the clock was down).
ANNOUNCE_WITHIN = datetime.timedelta(days=14)


class _Calendars:
    """Each person's working hours, built once per run."""

    def __init__(self) -> None:
        self.days_off = CompanyDayOff.objects.dates()

    def working(self, person: User, now: datetime.datetime) -> bool:
        try:
            profile = person.profile
        except WorkProfile.DoesNotExist:
            return False
        return not profile.is_quiet_at(now) and profile.working_hours(self.days_off).is_working_at(
            now
        )

    def due(self, person: User, deadline: datetime.datetime, now: datetime.datetime) -> str | None:
        try:
            profile = person.profile
        except WorkProfile.DoesNotExist:
            return None
        if profile.is_quiet_at(now):
            return None
        return reminder_due(profile.working_hours(self.days_off), deadline, now)


def _remind(person: User, which: str, key: str, title, url: str, group_key: str) -> int:
    return len(
        notify(
            [person],
            Kind.REVIEW,
            title=title,
            url=url,
            group_key=group_key,
            dedupe_key=f"{key}:{which}"[:80],
        )
    )


def remind_review_steps(now: datetime.datetime | None = None) -> int:
    """Remind whoever has a step left in an open cycle, when it is due or late.

    Steps: for every open cycle, the participants who have not sent their self review
    (deadline `self_due`), the colleagues who have not answered a request (its reply-by),
    the assessors of participants without a proposed level (`assessment_due`) and of
    participants not calibrated (`calibration_due`). Returns how many were written.
    """
    now = now or timezone.now()
    calendars = _Calendars()
    written = 0
    cycles = list(ReviewCycle.objects.open())
    if not cycles:
        return 0
    participants = list(
        Participant.objects.filter(cycle__in=cycles)
        .select_related("cycle", "person__profile", "team")
        .order_by("pk")
    )
    leads: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.leads()
        .filter(team_id__in={p.team_id for p in participants}, user__is_active=True)
        .select_related("user__profile")
    ):
        leads[membership.team_id].append(membership.user)
    executives = list(
        User.objects.filter(is_active=True, org_role=OrgRole.EXECUTIVE).select_related("profile")
    )

    def assessors(participant: Participant) -> list[User]:
        found = [u for u in leads[participant.team_id] if u.pk != participant.person_id]
        return found or executives

    for participant in participants:
        cycle = participant.cycle
        url = participant_url(participant)
        group = f"review:{participant.pk}"
        if participant.self_submitted_at is None:
            which = calendars.due(participant.person, cycle.self_due, now)
            if which:
                title = _title(
                    gettext_noop("Your self review for %(cycle)s is due.")
                    if which == Reminder.SOON
                    else gettext_noop("Your self review for %(cycle)s is late."),
                    cycle=cycle.name,
                )
                written += _remind(
                    participant.person, which, f"reviews:{cycle.pk}:self", title, url, group
                )
        steps = []
        if participant.proposed_at is None:
            steps.append(("assess", cycle.assessment_due))
        elif participant.calibrated_at is None:
            steps.append(("calibrate", cycle.calibration_due))
        for step, deadline in steps:
            for person in assessors(participant):
                which = calendars.due(person, deadline, now)
                if not which:
                    continue
                text = {
                    "assess": gettext_noop("Assess %(person)s for %(cycle)s."),
                    "calibrate": gettext_noop("Record %(person)s's final level for %(cycle)s."),
                }[step]
                title = _title(text, person=participant.person.full_name, cycle=cycle.name)
                key = f"reviews:{cycle.pk}:{step}:{participant.pk}"
                written += _remind(person, which, key, title, url, group)

    requests = (
        FeedbackRequest.objects.filter(participant__cycle__in=cycles, answered_at__isnull=True)
        .select_related("participant__person", "participant__cycle", "colleague__profile")
        .order_by("pk")
    )
    for request in requests:
        which = calendars.due(request.colleague, request.reply_by, now)
        if not which:
            continue
        title = _title(
            gettext_noop("Feedback for %(person)s is due.")
            if which == Reminder.SOON
            else gettext_noop("Feedback for %(person)s is late."),
            person=request.participant.person.full_name,
        )
        written += _remind(
            request.colleague,
            which,
            f"reviews:feedback:{request.pk}",
            title,
            reverse_ids("reviews:feedback", request.pk),
            f"feedback:{request.pk}",
        )
    return written


def share_due_results(now: datetime.datetime | None = None) -> int:
    """Apply the results of closed cycles whose share date has come, and tell each person.

    Steps, per calibrated participant not yet applied, in its own transaction under a
    lock (two clocks): a final level different from the person's record is written to
    their level history with the cycle and the reason (`levels.services`), and the new
    band's pay is proposed for approval (`payroll.propose_for_level`); then the person is
    told, inside their working time (a later tick tells whoever was off).
    Returns how many results were applied.
    """
    now = now or timezone.now()
    cycles = [
        cycle
        for cycle in ReviewCycle.objects.closed().filter(share_on__lte=timezone.localdate(now))
        if cycle.results_shared(now)
    ]
    applied = 0
    calendars = _Calendars()
    for cycle in cycles:
        pending = Participant.objects.filter(
            cycle=cycle, result_applied_at__isnull=True
        ).values_list("pk", flat=True)
        for pk in pending:
            applied += _apply_one(pk, now)
        if now - cycle.share_at > ANNOUNCE_WITHIN:
            continue
        for participant in Participant.objects.filter(cycle=cycle).select_related(
            "person__profile"
        ):
            if not calendars.working(participant.person, now):
                continue  # Off work now: a later tick tells them.
            notify(
                [participant.person],
                Kind.REVIEW,
                title=_title(
                    gettext_noop("Your results of %(cycle)s are shared."), cycle=cycle.name
                ),
                url=participant_url(participant),
                group_key=f"review:{participant.pk}",
                dedupe_key=f"reviews:{cycle.pk}:shared",
            )
    return applied


def _apply_one(pk: int, now: datetime.datetime) -> int:
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("cycle", "person", "final_level__track", "calibrated_by")
            .get(pk=pk)
        )
        if participant.result_applied_at is not None:
            return 0
        level = participant.final_level
        if level is not None:
            current = PersonLevel.objects.filter(person=participant.person).first()
            current_key = (current.track_code, current.number) if current else None
            if current_key != (level.track.code, level.number):
                record_level_change(
                    participant.person,
                    track_code=level.track.code,
                    number=level.number,
                    flavour_code=current.flavour_code if current else "",
                    reason=participant.final_reason,
                    source=LevelChangeSource.CYCLE,
                    source_ref=f"reviews.cycle:{participant.cycle_id}",
                    changed_by=participant.calibrated_by,
                    effective_at=participant.cycle.share_at,
                )
                payroll.propose_for_level(
                    participant.person,
                    track_code=level.track.code,
                    number=level.number,
                    effective_from=participant.cycle.share_on,
                    reason=participant.final_reason,
                    cycle=participant.cycle,
                    proposed_by=participant.calibrated_by,
                )
        participant.result_applied_at = now
        participant.save(update_fields=["result_applied_at"])
    return 1
